import { describe, expect, it } from 'vitest';
import { createIntegrationPoint } from '../integrationPoints/model.ts';
import { createIntegration, patchIntegration } from '../integrations/model.ts';
import { orgFixture, T0 } from '../model-testing.ts';
import { RETENTION_MS, allJobs, executionsCompletedBetween, listExecutionHistory, listOperations, stableUuid } from './model.ts';

const HOUR = 3_600_000;
const schedule = (operation: string, value = '1h', enabled = true) => ({ operation, enabled, frequency: { type: 'periodic', value }, filters: ['severity[eq]critical'] });

async function withSchedules() {
  const fx = await orgFixture();
  await fx.write((o) => createIntegrationPoint(o, { name: 'siem', connector: 'siem', environments: { prod: ['*'] }, scheduled_operations: [schedule('siem_query_events')] }, fx.env));
  const a = await fx.write((o) => createIntegration(o, 'acme-prod', { name: 'a', integration_point_id: 'siem', provider_config: { type: 'siem_mock_siem' } }, {}, fx.env));
  const b = await fx.write((o) =>
    createIntegration(o, 'acme-prod', { name: 'b', provider_config: { type: 'edr_crowdstrike', url: 'https://api.crowdstrike.com', credential: { type: 'o_auth_client', client_id: 'c', client_secret: 's' } }, scheduled_operations: [schedule('edr_query_alerts', '30m'), schedule('edr_query_endpoints', '1h', false)] }, {}, fx.env),
  );
  return { ...fx, a: a.integration, b: b.integration };
}

describe('jobs', () => {
  it('derives one job per schedule: SCHEDULED or DISABLED, with stable ids and the schedule filters', async () => {
    const { org, a, b } = await withSchedules();
    const jobs = listOperations(org(), { limit: 500 }, T0 + 5 * HOUR).items;
    expect(jobs).toHaveLength(3);
    const byOp = Object.fromEntries(jobs.map((j) => [j.operation, j]));
    expect(byOp.siem_query_events).toMatchObject({ integration_id: a.id, status: 'SCHEDULED', input: { filters: ['severity[eq]critical'] } });
    expect(byOp.edr_query_alerts).toMatchObject({ integration_id: b.id, account_id: b.account_id });
    expect(byOp.edr_query_endpoints).toMatchObject({ status: 'DISABLED', cpu_time: 0, in_bytes: 0 });
    expect(byOp.siem_query_events!.id).toBe(stableUuid(`job:${a.id}:siem_query_events:0`));
    expect(listOperations(org(), { limit: 500 }, T0 + 5 * HOUR).items).toEqual(jobs);
    expect(listOperations(org(), { filter: 'status[eq]DISABLED' }, T0 + 5 * HOUR).items).toHaveLength(1);
    // only the jobs of the integrations the caller may see, before paging
    const onlyA = (all: Array<typeof a>) => all.filter((i) => i.id === a.id);
    expect(listOperations(org(), { limit: 1, order: 'operation[desc]' }, T0 + 5 * HOUR, onlyA).items.map((j) => j.operation)).toEqual(['siem_query_events']);
    expect(new Set(listExecutionHistory(org(), { limit: 500 }, T0 + 5 * HOUR, onlyA).items.map((e) => e.integration_id))).toEqual(new Set([a.id]));
  });

  it('reports PROCESSING while a run is under way and sums completed runs', async () => {
    const { org } = await withSchedules();
    const atStart = allJobs(org(), T0).find((j) => j.operation === 'siem_query_events')!;
    expect(atStart.executions).toEqual([]);
    const later = allJobs(org(), T0 + 3 * HOUR + 30 * 60_000).find((j) => j.operation === 'siem_query_events')!;
    expect(later.executions).toHaveLength(4);
    expect(later.cpu_time).toBe(later.executions.reduce((n, e) => n + e.cpu_time, 0));
    const mid = allJobs(org(), Date.parse(later.executions[1]!.started_at) + 1).find((j) => j.operation === 'siem_query_events')!;
    expect(mid.status).toBe('PROCESSING');
    expect(mid.executions).toHaveLength(1);
  });
});

describe('execution history', () => {
  it('lists completed runs oldest first with trigger details; filters and pages by started_at', async () => {
    const { org, a, b } = await withSchedules();
    const now = T0 + 2 * HOUR + 59 * 60_000 + 59_999;
    const all = listExecutionHistory(org(), { limit: 500 }, now).items;
    const siem = all.filter((e) => e.integration_id === a.id);
    const edr = all.filter((e) => e.integration_id === b.id);
    expect(siem.length).toBeGreaterThanOrEqual(2);
    expect(edr.length).toBeGreaterThanOrEqual(5);
    expect(siem[0]).toMatchObject({ trigger_type: 'SCHEDULED', trigger_source: a.integration_point_id, integration_point_id: a.integration_point_id, status: 'COMPLETE' });
    expect(edr[0]).toMatchObject({ trigger_source: b.id });
    expect([...all].map((e) => e.started_at)).toEqual([...all].map((e) => e.started_at).sort());
    expect(Date.parse(siem[0]!.completed_at) - Date.parse(siem[0]!.started_at)).toBe(siem[0]!.duration / 1000);
    const filtered = listExecutionHistory(org(), { filter: [`integration_id[eq]${a.id}`, `started_at[gte]${siem[1]!.started_at}`] }, now).items;
    expect(filtered[0]!.execution_id).toBe(siem[1]!.execution_id);
    const page = listExecutionHistory(org(), { limit: 1, start_after: all[0]!.started_at }, now).items;
    expect(page[0]!.execution_id).toBe(all[1]!.execution_id);
    expect(listExecutionHistory(org(), { filter: `id[eq]${all[2]!.execution_id}` }, now).items).toHaveLength(1);
  });

  it('keeps four weeks of history and forgets the schedules an integration drops', async () => {
    const { org, write, env } = await withSchedules();
    const now = T0 + RETENTION_MS + 10 * HOUR;
    const history = listExecutionHistory(org(), { limit: 500, filter: 'operation[eq]siem_query_events' }, now).items;
    expect(Date.parse(history[0]!.started_at)).toBeGreaterThanOrEqual(now - RETENTION_MS);
    await write((o) => patchIntegration(o, 'acme-prod', 'a', [{ op: 'remove', path: '/scheduled_operations' }], () => undefined, env));
    expect(listOperations(org(), {}, now).items.map((j) => j.operation).sort()).toEqual(['edr_query_alerts', 'edr_query_endpoints']);
  });
});

describe('runs completed between two instants (operation_complete events)', () => {
  it('are exactly the history entries that appear between them, each once across consecutive windows', async () => {
    const { org, b } = await withSchedules();
    const integration = org().integrations.get(b.id)!;
    const history = (at: number) => listExecutionHistory(org(), { limit: 500, filter: `integration_id[eq]${b.id}` }, at).items.map((e) => e.execution_id);
    const cuts = [T0, T0 + 31 * 60_000, T0 + 95 * 60_000, T0 + 95 * 60_000, T0 + 5 * HOUR + 7_000];
    const seen: string[] = [];
    for (let i = 1; i < cuts.length; i++) {
      const window = executionsCompletedBetween(org(), integration, cuts[i - 1]!, cuts[i]!, 100);
      const appeared = history(cuts[i]!).filter((id) => !history(cuts[i - 1]!).includes(id));
      expect(window.map((e) => e.execution_id).sort()).toEqual(appeared.sort());
      for (const e of window) expect(Date.parse(e.completed_at)).toBeGreaterThan(cuts[i - 1]!);
      seen.push(...window.map((e) => e.execution_id));
    }
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(history(cuts[cuts.length - 1]!).sort());
  });

  it('keeps only the newest `limit` runs of a long jump, oldest first', async () => {
    const { org, b } = await withSchedules();
    const integration = org().integrations.get(b.id)!;
    const window = executionsCompletedBetween(org(), integration, T0, T0 + 7 * 24 * HOUR, 5);
    expect(window).toHaveLength(5);
    const completed = window.map((e) => e.completed_at);
    expect(completed).toEqual([...completed].sort());
    const all = listExecutionHistory(org(), { limit: 500, filter: `integration_id[eq]${b.id}` }, T0 + 7 * 24 * HOUR).items;
    expect(window.map((e) => e.execution_id)).toEqual(
      [...all]
        .sort((x, y) => x.completed_at.localeCompare(y.completed_at))
        .slice(-5)
        .map((e) => e.execution_id),
    );
  });
});
