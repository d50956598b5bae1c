import { describe, expect, it } from 'vitest';
import { createIntegration } from '../integrations/model.ts';
import { apiError, orgFixture, T0 } from '../model-testing.ts';
import {
  cpuTimeOf,
  getStatus,
  injectIntegrationCalls,
  integrationTimeseries,
  listStatus,
  listStatusEvents,
  organizationTimeseries,
  recordIntegrationCall,
  resetStatus,
} from './model.ts';

async function withIntegrations() {
  const fx = await orgFixture();
  const a = await fx.write((o) => createIntegration(o, 'acme-prod', { name: 'a', provider_config: { type: 'siem_mock_siem' } }, {}, fx.env));
  const b = await fx.write((o) => createIntegration(o, 'acme-test', { name: 'b', provider_config: { type: 'sink_mock_sink' } }, {}, fx.env));
  return { ...fx, a: a.integration, b: b.integration };
}

const ok = { succeeded: true, in_bytes: 100, out_bytes: 300, db_ops: 1, api_ops: 1 };

describe('recording calls', () => {
  it('moves the counters, the status and appends numbered events', async () => {
    const { write, org, a, env } = await withIntegrations();
    expect(getStatus(org(), 'acme-prod', 'a')).toMatchObject({ status: 'idle', requests: 0 });
    await write((o) => recordIntegrationCall(o, a, ok, T0 + 1000));
    await write((o) => recordIntegrationCall(o, a, { ...ok, succeeded: false, error: 'provider returned 503', cpu_time: 50 }, T0 + 2000));
    const s = getStatus(org(), 'acme-prod', a.id);
    expect(s).toMatchObject({ status: 'failing', requests: 2, failed: 1, cpu_time: cpuTimeOf(100, 300) + 50, db_ops: 2, api_ops: 2, in_bytes: 200, out_bytes: 600 });
    expect(s).not.toHaveProperty('id');
    const events = listStatusEvents(org(), 'acme-prod', 'a', {}).items;
    expect(events).toEqual([
      { account_id: a.account_id, integration_id: a.id, created_at: new Date(T0 + 1000).toISOString(), status: 'succeeded', request: 1 },
      { account_id: a.account_id, integration_id: a.id, created_at: new Date(T0 + 2000).toISOString(), status: 'failed', request: 2, error: 'provider returned 503' },
    ]);
    expect(listStatusEvents(org(), 'acme-prod', 'a', { start_after: new Date(T0 + 1000).toISOString() }).items.map((e) => e.request)).toEqual([2]);
    expect(listStatusEvents(org(), 'acme-prod', 'a', { filter: 'status[eq]failed' }).items).toHaveLength(1);
    await write((o) => recordIntegrationCall(o, a, ok, env.nowMs + 3000));
    expect(getStatus(org(), 'acme-prod', 'a').status).toBe('healthy');
  });

  it('reset zeroes the counters and keeps the events', async () => {
    const { write, org, a } = await withIntegrations();
    await write((o) => injectIntegrationCalls(o, { account_id: 'acme-prod', integration_id: 'a', count: 3 }, T0));
    await write((o) => resetStatus(o, 'acme-prod', 'a', T0 + 5000));
    expect(getStatus(org(), 'acme-prod', 'a')).toMatchObject({ status: 'idle', requests: 0, failed: 0, cpu_time: 0, updated_at: new Date(T0 + 5000).toISOString(), created_at: a.created_at });
    expect(listStatusEvents(org(), 'acme-prod', 'a', {}).items).toHaveLength(3);
  });

  it('answers 404 for an unknown account or an integration of another account', async () => {
    const { org } = await withIntegrations();
    expect(apiError(() => getStatus(org(), 'ghost', 'a')).status).toBe(404);
    expect(apiError(() => getStatus(org(), 'acme-prod', 'b')).status).toBe(404);
  });
});

describe('listStatus', () => {
  it('sorts by account_id, integration_id and pages with that pair as start_after; expands on request', async () => {
    const { org, a, b } = await withIntegrations();
    const all = listStatus(org(), {}).items;
    const sorted = [a, b].sort((x, y) => (x.account_id + x.id < y.account_id + y.id ? -1 : 1));
    expect(all.map((s) => s.integration_id)).toEqual(sorted.map((i) => i.id));
    const first = all[0]!;
    const rest = listStatus(org(), { start_after: `${first.account_id},${first.integration_id}` }).items;
    expect(rest.map((s) => s.integration_id)).toEqual([sorted[1]!.id]);
    const expanded = listStatus(org(), { expand: ['all'], filter: `integration_id[eq]${a.id}` }).items[0]!;
    expect(expanded.integration?.id).toBe(a.id);
    expect(expanded.account?.id).toBe(a.account_id);
  });

  it('lists only the visible integrations, before paging', async () => {
    const { org, a, b } = await withIntegrations();
    expect(listStatus(org(), { limit: 1 }, new Set([b.id])).items.map((s) => s.integration_id)).toEqual([b.id]);
    expect(listStatus(org(), {}, new Set([a.id])).items.map((s) => s.integration_id)).toEqual([a.id]);
  });
});

describe('timeseries', () => {
  it('buckets events into the intervals of the window, the same for the same input', async () => {
    const { write, org, a, b } = await withIntegrations();
    const now = T0 + 30 * 60_000;
    await write((o) => recordIntegrationCall(o, a, ok, now - 20 * 60_000));
    await write((o) => recordIntegrationCall(o, b, { ...ok, succeeded: false }, now - 19 * 60_000));
    await write((o) => recordIntegrationCall(o, a, ok, now - 2 * 3_600_000));
    const series = organizationTimeseries(org(), now);
    expect(series.interval).toBe('5m');
    expect(series.series).toHaveLength(12);
    expect(Date.parse(series.end_time) - Date.parse(series.start_time)).toBe(3_600_000);
    expect(series.series.reduce((n, s) => n + s.succeeded, 0)).toBe(1);
    expect(series.series.reduce((n, s) => n + s.failed, 0)).toBe(1);
    expect(organizationTimeseries(org(), now)).toEqual(series);
    const onlyB = organizationTimeseries(org(), now, new Set([b.id])).series;
    expect([onlyB.reduce((n, s) => n + s.succeeded, 0), onlyB.reduce((n, s) => n + s.failed, 0)]).toEqual([0, 1]);
    const hourly = integrationTimeseries(org(), 'acme-prod', 'a', undefined, now);
    expect(hourly.series).toHaveLength(24);
    expect(hourly.series.reduce((n, s) => n + s.succeeded, 0)).toBe(2);
    expect(hourly.series.reduce((n, s) => n + s.in_bytes, 0)).toBe(200);
    expect(integrationTimeseries(org(), 'acme-prod', 'a', '15m', now).series).toHaveLength(96);
    expect(apiError(() => integrationTimeseries(org(), 'acme-prod', 'a', 'fortnight', now)).status).toBe(400);
  });
});
