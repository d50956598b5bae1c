import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** the caller's organization id (the twin's session knows it; live, the organization endpoint does) */
async function organizationId(s: SynqlySession): Promise<string> {
  if (s.organizationId) return s.organizationId;
  const res = await s.get('/v1/organization');
  expectOperation(res, 'organization_get', 200);
  return res.body.result.id as string;
}

/** connector calls of an integration, recorded through the control API (twin only) */
async function injectCalls(s: SynqlySession, accountId: string, integrationId: string, body: Record<string, unknown>) {
  const res = await target.admin.post(`/__admin/synqly/organizations/${s.organizationId}/integration-calls`).send({ account_id: accountId, integration_id: integrationId, ...body });
  expectOperation(res, 'admin_synqly_integration_calls_create', 201);
}

describe('billing_list', () => {
  it('lists reports, each an organization month with its CSV; filters on month', async () => {
    const s = await synqlySession(target);
    const all = await s.get('/v1/billing').query({ limit: 1 });
    expectOperation(all, 'billing_list', 200);
    for (const r of all.body.result) expect(typeof r.csv_data).toBe('string');
    const january = await s.get('/v1/billing').query({ filter: 'month[eq]january' });
    expectOperation(january, 'billing_list', 200);
    for (const r of january.body.result) expect(r.month).toBe('january');
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/billing').query({ filter: 'colour[eq]red' }), 'billing_list', 400);
  });

  it.runIf(twin && target.capabilities.admin)('(twin) has a report for each completed month the organization existed in, with that month’s usage', async () => {
    const s = await synqlySession(target);
    const orgId = await organizationId(s);
    const fresh = await s.get('/v1/billing');
    expectOperation(fresh, 'billing_list', 200);
    expect(fresh.body.result).toEqual([]); // created this month: no completed month yet
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    await injectCalls(s, account.id, integration.id, { count: 2, in_bytes: 10, out_bytes: 30 });
    const before = await target.admin.get('/__admin/clock');
    const startedAt = Date.now();
    const thisMonth = MONTHS[new Date(before.body.now).getUTCMonth()]!;
    try {
      expect((await target.admin.post('/__admin/clock/advance').send({ duration: `${32 * 24}h` })).status).toBe(200);
      const listed = await s.get('/v1/billing').query({ filter: `month[eq]${thisMonth}` });
      expectOperation(listed, 'billing_list', 200);
      expect(listed.body.result).toHaveLength(1);
      const report = listed.body.result[0];
      expect(report).toMatchObject({ organization_id: orgId, month: thisMonth });
      const status = await s.get(`/v1/status/${account.id}/${integration.id}`);
      expectOperation(status, 'status_get', 200);
      const { requests, failed, in_bytes, out_bytes } = status.body.result;
      const lines = report.csv_data.trim().split('\n');
      expect(lines[0]).toBe('Organization,Account,Integration,Environment,Succeeded,Failed,Ingress Bytes,Egress Bytes');
      expect(lines).toContain(`${lines[1]!.split(',')[0]},${account.name},${integration.name},${account.environment},${requests - failed},${failed},${in_bytes},${out_bytes}`);
      expect(lines.at(-2)).toBe('TOTAL');
      const got = await s.get(`/v1/billing/${orgId}/${thisMonth}`);
      expectOperation(got, 'billing_get', 200);
      expect(got.body.result).toEqual(report);
    } finally {
      await target.admin.put('/__admin/clock').send({ now: new Date(Date.parse(before.body.now) + (Date.now() - startedAt)).toISOString() });
    }
  });
});

describe('billing_get', () => {
  it('generates the month-to-date report (partial) of the caller’s organization', async () => {
    const s = await synqlySession(target);
    const orgId = await organizationId(s);
    const res = await s.get(`/v1/billing/${orgId}/partial`);
    expectOperation(res, 'billing_get', 200);
    expect(res.body.result).toMatchObject({ organization_id: orgId, month: 'partial' });
    expect(res.body.result.csv_data.split('\n')).toContain('TOTAL');
  });

  it.runIf(twin)('(twin) the partial report counts this month’s calls per integration', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    await injectCalls(s, account.id, integration.id, { count: 3, in_bytes: 100, out_bytes: 400 });
    await injectCalls(s, account.id, integration.id, { succeeded: false, error: 'provider returned 503', in_bytes: 1, out_bytes: 2 });
    const status = (await s.get(`/v1/status/${account.id}/${integration.id}`)).body.result;
    const res = await s.get(`/v1/billing/${s.organizationId}/partial`);
    expectOperation(res, 'billing_get', 200);
    expect(res.body.result.csv_data).toContain(`,${account.name},${integration.name},${account.environment},${status.requests - status.failed},${status.failed},${status.in_bytes},${status.out_bytes}\n`);
    expect(status.failed).toBe(1);
  });

  it('answers 400 for a month that is not a BillingMonth and 404 for an organization that is not the caller’s', async () => {
    const s = await synqlySession(target);
    const orgId = await organizationId(s);
    const bad = await s.get(`/v1/billing/${orgId}/smarch`);
    expectProblem(bad, 'billing_get', 400);
    expect(bad.body.context.parameter).toMatchObject({ id: 'month', location: 'path' });
    expectProblem(await s.get(`/v1/billing/${uniqueName('ghost-org')}/partial`), 'billing_get', 404);
  });

  it.runIf(twin)('(twin) a report of a month the organization did not exist in is not found', async () => {
    const s = await synqlySession(target);
    const month = MONTHS[(new Date((await target.admin.get('/__admin/clock')).body.now).getUTCMonth() + 11) % 12]!;
    const res = await s.get(`/v1/billing/${s.organizationId}/${month}`);
    expectProblem(res, 'billing_get', 404);
    expect(res.body.context.parameter).toMatchObject({ id: 'month', location: 'path', value: month });
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('billing_list', () => {
  it("lists the organization's billing reports", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/billing');
    expectOperation(res, 'billing_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('billing_get', () => {
  it("reads the month-to-date report of the caller's organization", async () => {
    const s = await ro.session();
    const org = await s.get('/v1/organization');
    expectOperation(org, 'organization_get', 200);
    const res = await s.get(`/v1/billing/${encodeURIComponent(org.body.result.id)}/partial`);
    expectOperation(res, 'billing_get', 200);
    expect(res.body.result.organization_id).toBe(org.body.result.id);
  });
});
