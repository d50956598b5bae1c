import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { newAccount, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();

const schedule = (operation: string, enabled = true) => ({ operation, enabled, frequency: { type: 'periodic', value: '1h' }, filters: ['severity[eq]critical'] });

async function scheduled() {
  const s = await synqlySession(target);
  const account = await newAccount(s);
  const { integration } = await newIntegration(s, account.id, {
    provider_config: { type: 'siem_mock_siem' },
    scheduled_operations: [schedule('siem_query_events'), schedule('siem_query_investigations', false)],
  });
  return { s, account, integration };
}

describe('operations_list', () => {
  it("lists one job per scheduled operation of the organization's integrations", async () => {
    const { s, integration } = await scheduled();
    const res = await s.get('/v1/jobs').query({ filter: `integration_id[eq]${integration.id}` });
    expectOperation(res, 'operations_list', 200);
    const byOp = Object.fromEntries(res.body.result.map((j: { operation: string }) => [j.operation, j]));
    expect(Object.keys(byOp).sort()).toEqual(['siem_query_events', 'siem_query_investigations']);
    if (target.kind !== 'live') {
      expect(byOp.siem_query_events).toMatchObject({ status: 'SCHEDULED', input: { filters: ['severity[eq]critical'] } });
      expect(byOp.siem_query_investigations).toMatchObject({ status: 'DISABLED' });
      const again = await s.get('/v1/jobs').query({ filter: `integration_id[eq]${integration.id}` });
      expect(again.body.result).toEqual(res.body.result);
    }
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/jobs').query({ filter: 'colour[eq]red' }), 'operations_list', 400);
  });
});

describe('operations_list_execution_history', () => {
  it.runIf(target.capabilities.admin)('lists the runs of enabled schedules as time passes', async () => {
    const { s, integration } = await scheduled();
    const runs = await withClockAdvanced(target, '3h', async () => {
      const res = await s.get('/v1/jobs/history').query({ filter: `integration_id[eq]${integration.id}`, limit: 500 });
      expectOperation(res, 'operations_list_execution_history', 200);
      return res.body.result as Array<{ operation: string; status: string; trigger_type: string; trigger_source: string; started_at: string; execution_id: string }>;
    });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(run).toMatchObject({ operation: 'siem_query_events', status: 'COMPLETE', trigger_type: 'SCHEDULED', trigger_source: integration.id });
    const starts = runs.map((r) => r.started_at);
    expect(starts).toEqual([...starts].sort());
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/jobs/history').query({ filter: 'colour[eq]red' }), 'operations_list_execution_history', 400);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('operations_list', () => {
  it("lists the organization's asynchronous operations", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/jobs');
    expectOperation(res, 'operations_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('operations_list_execution_history', () => {
  it("lists the operations' execution history", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/jobs/history');
    expectOperation(res, 'operations_list_execution_history', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});
