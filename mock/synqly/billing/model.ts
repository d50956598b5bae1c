import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import type { OrganizationRecord, OrgState } from '../state.ts';
import { iso } from '../../core/model-env.ts';

/**
 * Billing reports (extra-endpoints contract §3): per organization, a monthly usage report for each
 * of the previous 12 completed months (UTC) and, on demand, the month to date (`partial`). The
 * server writes them, so the twin derives them from what it recorded: every report is the usage
 * (status events, status/model.ts) of the organization's integrations in that month, the same
 * numbers for the same calls at the same clock. A month the organization did not exist in has
 * no report. Integrations deleted since are gone with their events (cascade), so no `DELETED`
 * section appears.
 */

export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;
export type BillingMonth = (typeof MONTHS)[number] | 'partial';

export const BILLING_FIELDS = ['organization_id', 'name', 'month', 'report_date', 'created_at', 'updated_at'] as const;
export const CSV_HEADER = 'Organization,Account,Integration,Environment,Succeeded,Failed,Ingress Bytes,Egress Bytes';

export interface Billing {
  name: string;
  organization_id: string;
  month: BillingMonth;
  report_date: string;
  csv_data: string;
  created_at: string;
  updated_at: string;
}

/** an organization with its state, as the caller may see it */
export interface BilledOrganization {
  organization: OrganizationRecord;
  state: OrgState;
}

interface Period {
  month: BillingMonth;
  startMs: number;
  endMs: number;
}

/** the previous 12 completed months, newest first */
export function completedMonths(nowMs: number): Period[] {
  const now = new Date(nowMs);
  return Array.from({ length: 12 }, (_, i) => {
    const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1 - i, 1);
    const endMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1);
    return { month: MONTHS[new Date(startMs).getUTCMonth()]!, startMs, endMs };
  });
}

/** the fields are names (`[a-z0-9_.~-]`), environments and numbers: none needs CSV quoting */
const csvRow = (fields: Array<string | number>) => fields.join(',');

/** the usage CSV of one organization between two instants: a row per integration with usage, then TOTAL */
export function usageCsv({ organization, state }: BilledOrganization, startMs: number, endMs: number): string {
  const start = iso(startMs);
  const end = iso(endMs);
  const rows = new Map<string, { succeeded: number; failed: number; in: number; out: number }>();
  for (const e of state.statusEvents.all()) {
    if (e.created_at < start || e.created_at >= end) continue;
    const row = rows.get(e.integration_id) ?? { succeeded: 0, failed: 0, in: 0, out: 0 };
    if (e.status === 'succeeded') row.succeeded++;
    else row.failed++;
    row.in += e.in_bytes;
    row.out += e.out_bytes;
    rows.set(e.integration_id, row);
  }
  const lines = [CSV_HEADER];
  const total = { succeeded: 0, failed: 0, in: 0, out: 0 };
  const detail = [...rows.entries()].map(([integrationId, usage]) => {
    const integration = state.integrations.get(integrationId);
    const account = integration ? state.accounts.get(integration.account_id) : undefined;
    return { account: account?.name ?? '', integration: integration?.name ?? integrationId, environment: account?.environment ?? '', usage };
  });
  detail.sort((a, b) => a.account.localeCompare(b.account) || a.integration.localeCompare(b.integration));
  for (const d of detail) {
    lines.push(csvRow([organization.name, d.account, d.integration, d.environment, d.usage.succeeded, d.usage.failed, d.usage.in, d.usage.out]));
    total.succeeded += d.usage.succeeded;
    total.failed += d.usage.failed;
    total.in += d.usage.in;
    total.out += d.usage.out;
  }
  lines.push('TOTAL', csvRow([organization.name, '', '', '', total.succeeded, total.failed, total.in, total.out]));
  return `${lines.join('\n')}\n`;
}

function report(billed: BilledOrganization, period: Period, reportMs: number): Billing {
  const at = iso(reportMs);
  return {
    name: `${billed.organization.name}-${period.month}`,
    organization_id: billed.organization.id,
    month: period.month,
    report_date: at,
    csv_data: usageCsv(billed, period.startMs, period.endMs),
    created_at: at,
    updated_at: at,
  };
}

/** the monthly reports of one organization: months that ended after it was created */
export function monthlyReports(billed: BilledOrganization, nowMs: number): Billing[] {
  const createdMs = Date.parse(billed.organization.created_at);
  return completedMonths(nowMs)
    .filter((p) => p.endMs > createdMs)
    .map((p) => report(billed, p, p.endMs));
}

/** billing_list: every monthly report of the organizations in scope; default order organization_id */
export function listBilling(scope: BilledOrganization[], query: ListQuery, nowMs: number): ListPage<Billing> {
  const all = scope.flatMap((b) => monthlyReports(b, nowMs));
  return listRecords(all, query, { fields: BILLING_FIELDS, defaultOrder: ['organization_id'] });
}

/**
 * The organization a billing_get path names: the caller's own or, for a root caller, one of its
 * sub-organizations (id or name). Anything else is not found (404): it is none of the caller's.
 */
export function billedOrganization(scope: BilledOrganization[], idOrName: string): BilledOrganization {
  const lower = idOrName.toLowerCase();
  const hit = scope.find((b) => b.organization.id === idOrName) ?? scope.find((b) => b.organization.name.toLowerCase() === lower);
  if (!hit) throw errors.notFound(`organization ${idOrName} not found among the organizations billed to the caller`, { parameter: { id: 'organizationId', location: 'path', value: idOrName } });
  return hit;
}

/** billing_get: a stored month's report, or the month to date generated now (`partial`) */
export function getBilling(billed: BilledOrganization, month: BillingMonth, nowMs: number): Billing {
  if (month === 'partial') {
    const now = new Date(nowMs);
    const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    return report(billed, { month: 'partial', startMs, endMs: nowMs + 1 }, nowMs);
  }
  const found = monthlyReports(billed, nowMs).find((r) => r.month === month);
  if (!found) {
    throw errors.notFound(`no ${month} report for organization ${billed.organization.name}: it did not exist then`, { parameter: { id: 'month', location: 'path', value: month } });
  }
  return found;
}
