import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly, type ListedItem } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

/** connector calls of an integration, recorded through the control API (twin only) */
async function injectCalls(s: SynqlySession, accountId: string, integrationId: string, body: Record<string, unknown>) {
  const res = await target.admin.post(`/__admin/synqly/organizations/${s.organizationId}/integration-calls`).send({ account_id: accountId, integration_id: integrationId, ...body });
  expectOperation(res, 'admin_synqly_integration_calls_create', 201);
  return res.body;
}

async function setup() {
  const s = await synqlySession(target);
  const account = await newAccount(s);
  const { integration } = await newIntegration(s, account.id);
  return { s, account, integration };
}

describe('status_list', () => {
  it("lists the integrations' status, with account and integration on expand", async () => {
    const { s, account, integration } = await setup();
    const res = await s.get('/v1/status').query({ filter: `integration_id[eq]${integration.id}`, expand: 'all' });
    expectOperation(res, 'status_list', 200);
    expect(res.body.result).toHaveLength(1);
    expect(res.body.result[0]).toMatchObject({ account_id: account.id, integration_id: integration.id, account: { id: account.id }, integration: { id: integration.id } });
    if (twin) expect(res.body.result[0]).toMatchObject({ status: 'idle', requests: 0 });
  });

  it.runIf(twin)('(twin) pages with start_after = account_id,integration_id', async () => {
    const { s, account } = await setup();
    await newIntegration(s, account.id);
    const all = await s.get('/v1/status');
    expectOperation(all, 'status_list', 200);
    expect(all.body.result).toHaveLength(2);
    const [first, second] = all.body.result;
    const rest = await s.get('/v1/status').query({ start_after: `${first.account_id},${first.integration_id}` });
    expectOperation(rest, 'status_list', 200);
    expect(rest.body.result).toEqual([second]);
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/status').query({ filter: 'colour[eq]red' }), 'status_list', 400);
  });
});

describe('status_get', () => {
  it.runIf(target.capabilities.admin)('returns the counters the recorded calls add up to', async () => {
    const { s, account, integration } = await setup();
    await injectCalls(s, account.id, integration.id, { count: 3, in_bytes: 100, out_bytes: 400, cpu_time: 1000 });
    await injectCalls(s, account.id, integration.id, { succeeded: false, error: 'provider returned 503', in_bytes: 10, out_bytes: 20, cpu_time: 50 });
    const res = await s.get(`/v1/status/${account.name}/${integration.name}`);
    expectOperation(res, 'status_get', 200);
    expect(res.body.result).toMatchObject({ status: 'failing', requests: 4, failed: 1, cpu_time: 3050, in_bytes: 310, out_bytes: 1220, api_ops: 4 });
  });

  it('answers 404 for an unknown integration', async () => {
    const { s, account } = await setup();
    expectProblem(await s.get(`/v1/status/${account.id}/${uniqueName('ghost')}`), 'status_get', 404);
  });
});

describe('status_reset', () => {
  it('resets the status (204) and the counters start again', async () => {
    const { s, account, integration } = await setup();
    // a Management call addressed to the integration counts as one of its requests on the twin
    expectOperation(await s.get(`/v1/integrations/${account.id}/${integration.id}`), 'integrations_get', 200);
    if (twin) {
      const before = await s.get(`/v1/status/${account.id}/${integration.id}`);
      expectOperation(before, 'status_get', 200);
      expect(before.body.result).toMatchObject({ status: 'healthy', requests: 1 });
    }
    const res = await s.put(`/v1/status/${account.id}/${integration.id}`);
    expectOperation(res, 'status_reset', 204);
    const after = await s.get(`/v1/status/${account.id}/${integration.id}`);
    expectOperation(after, 'status_get', 200);
    expect(after.body.result).toMatchObject({ requests: 0, failed: 0 });
  });

  it('answers 404 for an unknown account', async () => {
    const { s, integration } = await setup();
    expectProblem(await s.put(`/v1/status/${uniqueName('ghost')}/${integration.id}`), 'status_reset', 404);
  });
});

describe('status_list_events', () => {
  it.runIf(target.capabilities.admin)('lists one event per recorded request, oldest first, filterable', async () => {
    const { s, account, integration } = await setup();
    await injectCalls(s, account.id, integration.id, { count: 2 });
    await injectCalls(s, account.id, integration.id, { succeeded: false, error: 'timeout' });
    const res = await s.get(`/v1/status/${account.id}/${integration.id}/events`);
    expectOperation(res, 'status_list_events', 200);
    expect(res.body.result.map((e: { request: number; status: string }) => [e.request, e.status])).toEqual([
      [1, 'succeeded'],
      [2, 'succeeded'],
      [3, 'failed'],
    ]);
    const failed = await s.get(`/v1/status/${account.id}/${integration.id}/events`).query({ filter: 'status[eq]failed' });
    expectOperation(failed, 'status_list_events', 200);
    expect(failed.body.result).toEqual([expect.objectContaining({ request: 3, error: 'timeout' })]);
  });

  it('answers 404 for an unknown integration and 400 for a bad filter', async () => {
    const { s, account, integration } = await setup();
    expectProblem(await s.get(`/v1/status/${account.id}/${uniqueName('ghost')}/events`), 'status_list_events', 404);
    expectProblem(await s.get(`/v1/status/${account.id}/${integration.id}/events`).query({ filter: 'nope' }), 'status_list_events', 400);
  });
});

describe('status_get_timeseries', () => {
  it("returns the organization's last hour", async () => {
    const { s, account, integration } = await setup();
    if (target.capabilities.admin) await injectCalls(s, account.id, integration.id, { count: 2, in_bytes: 5 });
    const res = await s.get('/v1/status/timeseries');
    expectOperation(res, 'status_get_timeseries', 200);
    const ts = res.body.result;
    expect(Date.parse(ts.end_time) - Date.parse(ts.start_time)).toBeLessThanOrEqual(3_600_000 + 5 * 60_000);
    if (twin) {
      expect(ts).toMatchObject({ interval: '5m' });
      expect(ts.series).toHaveLength(12);
      expect(ts.series.reduce((n: number, p: { succeeded: number }) => n + p.succeeded, 0)).toBe(2);
    }
  });

  it('answers 401 without a token', async () => {
    expectProblem(await target.synqly.get('/v1/status/timeseries'), 'status_get_timeseries', 401);
  });
});

describe('status_get_integration_timeseries', () => {
  it("returns the integration's last 24 hours by hour", async () => {
    const { s, account, integration } = await setup();
    if (target.capabilities.admin) await injectCalls(s, account.id, integration.id, { succeeded: false, count: 2 });
    const res = await s.get(`/v1/status/${account.id}/${integration.id}/timeseries`).query({ interval: 'hour' });
    expectOperation(res, 'status_get_integration_timeseries', 200);
    if (twin) {
      expect(res.body.result.series).toHaveLength(24);
      expect(res.body.result.series.at(-1).failed).toBe(target.capabilities.admin ? 2 : 0);
    }
  });

  it('answers 404 for an unknown integration, and (twin) 400 for an unknown interval', async () => {
    const { s, account, integration } = await setup();
    expectProblem(await s.get(`/v1/status/${account.id}/${uniqueName('ghost')}/timeseries`), 'status_get_integration_timeseries', 404);
    if (twin) expectProblem(await s.get(`/v1/status/${account.id}/${integration.id}/timeseries`).query({ interval: 'fortnight' }), 'status_get_integration_timeseries', 400);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('status_list', () => {
  it("lists the integrations' status, one per integration, with account and integration on expand", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/status').query({ expand: 'all' });
    expectOperation(res, 'status_list', 200);
    for (const st of ro.items(res)) expect(st).toMatchObject({ account: { id: st.account_id }, integration: { id: st.integration_id } });
    const integrations = await s.get('/v1/integrations');
    expectOperation(integrations, 'integrations_list', 200);
    if (ro.twin) expect(ro.items(res).map((st) => st.integration_id).sort()).toEqual(ro.items(integrations).map((i) => i.id).sort());
  });
});

describe('status_get', () => {
  it("reads the first listed integration's status by ids and by names, its events and its timeseries", async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/status').query({ expand: 'all' });
    expectOperation(list, 'status_list', 200);
    const st = ro.firstOf(ctx, ro.items(list), 'integration status', true);
    const path = `/v1/status/${st.account_id}/${st.integration_id}`;
    const byId = await s.get(path);
    expectOperation(byId, 'status_get', 200);
    expect(byId.body.result).toMatchObject({ account_id: st.account_id, integration_id: st.integration_id });
    const names = `/v1/status/${encodeURIComponent((st.account as ListedItem).name)}/${encodeURIComponent((st.integration as ListedItem).name)}`;
    const byName = await s.get(names);
    expectOperation(byName, 'status_get', 200);
    expect(byName.body.result).toMatchObject({ account_id: st.account_id, integration_id: st.integration_id });
    const events = await s.get(`${path}/events`);
    expectOperation(events, 'status_list_events', 200);
    const series = await s.get(`${path}/timeseries`);
    expectOperation(series, 'status_get_integration_timeseries', 200);
    expect(series.body.result.interval).toBe('hour');
  });
});

describe('status_get_timeseries', () => {
  it("reads the organization's timeseries", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/status/timeseries');
    expectOperation(res, 'status_get_timeseries', 200);
    expect(Array.isArray(res.body.result.series)).toBe(true);
  });
});
