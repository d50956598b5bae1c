import { describe, expect, it } from 'vitest';
import { apiError, orgFixture } from '../model-testing.ts';
import { createIntegration } from '../integrations/model.ts';
import { recordIntegrationCall } from '../status/model.ts';
import { billedOrganization, completedMonths, CSV_HEADER, getBilling, listBilling, monthlyReports, usageCsv, type BilledOrganization } from './model.ts';

// the fixture's organization is created at 2026-03-01T10:00:00Z
const APRIL_10 = Date.parse('2026-04-10T08:00:00Z');
const MAY_2 = Date.parse('2026-05-02T00:00:00Z');

async function withUsage() {
  const fx = await orgFixture();
  const { integration } = await fx.write((o) => createIntegration(o, fx.prod.id, { name: 'jira-prod', provider_config: { type: 'ticketing_mock_ticketing' } } as never, {}, fx.env));
  const call = (ok: boolean, nowMs: number) => fx.write((o) => recordIntegrationCall(o, integration, { succeeded: ok, in_bytes: 100, out_bytes: 40, db_ops: 1, api_ops: 1 }, nowMs));
  await call(true, Date.parse('2026-03-05T00:00:00Z'));
  await call(true, APRIL_10);
  await call(false, APRIL_10 + 1000);
  const billed = (): BilledOrganization => ({ organization: fx.organization, state: fx.org() });
  return { ...fx, billed };
}

describe('billing reports', () => {
  it('names the previous 12 completed months, newest first, in UTC', () => {
    const months = completedMonths(Date.parse('2026-01-01T00:30:00Z'));
    expect(months.map((m) => m.month)).toEqual(['december', 'november', 'october', 'september', 'august', 'july', 'june', 'may', 'april', 'march', 'february', 'january']);
    expect(new Date(months[0]!.startMs).toISOString()).toBe('2025-12-01T00:00:00.000Z');
    expect(new Date(months[11]!.endMs).toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });

  it('has a report for each month the organization existed in, with that month’s usage per integration and a TOTAL', async () => {
    const { billed } = await withUsage();
    const reports = monthlyReports(billed(), MAY_2);
    expect(reports.map((r) => r.month)).toEqual(['april', 'march']);
    const april = reports[0]!;
    expect(april).toMatchObject({ name: `${billed().organization.name}-april`, report_date: '2026-05-01T00:00:00.000Z' });
    const org = billed().organization.name;
    expect(april.csv_data).toBe(`${CSV_HEADER}\n${org},acme-prod,jira-prod,prod,1,1,200,80\nTOTAL\n${org},,,,1,1,200,80\n`);
    expect(reports[1]!.csv_data).toContain(`${org},acme-prod,jira-prod,prod,1,0,100,40`);
    expect(usageCsv(billed(), MAY_2, MAY_2 + 1000)).toBe(`${CSV_HEADER}\nTOTAL\n${org},,,,0,0,0,0\n`);
  });

  it('lists by organization_id, filters on month, and gets a month or the month to date', async () => {
    const { billed } = await withUsage();
    const scope = [billed()];
    expect(listBilling(scope, { filter: ['month[eq]april'] }, MAY_2).items.map((r) => r.month)).toEqual(['april']);
    expect(listBilling(scope, {}, MAY_2).items).toHaveLength(2);
    expect(getBilling(billedOrganization(scope, billed().organization.name.toUpperCase()), 'march', MAY_2).month).toBe('march');
    expect(apiError(() => getBilling(billed(), 'january', MAY_2))).toMatchObject({ status: 404, details: { parameter: { id: 'month', location: 'path' } } });
    expect(apiError(() => billedOrganization(scope, 'someone-else')).status).toBe(404);
    const partial = getBilling(billed(), 'partial', APRIL_10 + 5000);
    expect(partial).toMatchObject({ month: 'partial', report_date: new Date(APRIL_10 + 5000).toISOString() });
    expect(partial.csv_data).toContain(',1,1,200,80\nTOTAL');
  });
});
