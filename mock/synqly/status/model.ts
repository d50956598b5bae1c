import { errors } from '../../core/errors.ts';
import { parseDuration } from '../../core/durations.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { findByIdOrName } from '../names.ts';
import type { AccountRecord, IntegrationRecord, OrgState, StatusEventRecord, StatusRecord } from '../state.ts';
import { iso } from '../../core/model-env.ts';

/**
 * Integration status (contract §2.13, §3.17; DECISIONS "status, audit, jobs"). Every call the twin
 * records against an integration — Management calls addressed to it (see audit/observe.ts) and
 * connector calls injected through the control API — becomes a StatusEvent and moves the
 * integration's counters. Timeseries are sums of those events per interval. Nothing is random:
 * the same calls at the same clock give the same numbers.
 *
 * `Status.status`: `idle` (no request counted since creation or the last reset), `healthy` (the
 * last request succeeded), `failing` (the last request failed).
 */

export interface RecordedCall {
  succeeded: boolean;
  error?: string;
  in_bytes: number;
  out_bytes: number;
  /** µs; derived from the sizes when absent */
  cpu_time?: number;
  /** database operations the call made */
  db_ops: number;
  /** provider API operations the call made */
  api_ops: number;
}

export const STATUS_FIELDS = ['account_id', 'integration_id', 'status', 'requests', 'failed', 'cpu_time', 'db_ops', 'api_ops', 'in_bytes', 'out_bytes', 'created_at', 'updated_at'] as const;
export const STATUS_EVENT_FIELDS = ['account_id', 'integration_id', 'created_at', 'status', 'request', 'error'] as const;

/** a deterministic CPU cost for a call of these sizes (µs) */
export function cpuTimeOf(inBytes: number, outBytes: number): number {
  return 180 + Math.round((inBytes + outBytes) * 1.5);
}

function zero(status: Pick<StatusRecord, 'id' | 'account_id' | 'integration_id' | 'created_at' | 'updated_at'>): StatusRecord {
  return { ...status, status: 'idle', requests: 0, failed: 0, cpu_time: 0, db_ops: 0, api_ops: 0, in_bytes: 0, out_bytes: 0 };
}

export function createStatus(org: OrgState, integration: IntegrationRecord, nowMs: number): StatusRecord {
  const now = iso(nowMs);
  const status = zero({ id: integration.id, account_id: integration.account_id, integration_id: integration.id, created_at: now, updated_at: now });
  org.statuses.put(status);
  return status;
}

function nextSeq(org: OrgState, counter: string): number {
  const value = (org.counters.get(counter)?.value ?? 0) + 1;
  org.counters.put({ id: counter, value });
  return value;
}

export const seqId = (n: number) => String(n).padStart(12, '0');

/** Records one request of an integration: a StatusEvent plus the counters. */
export function recordIntegrationCall(org: OrgState, integration: IntegrationRecord, call: RecordedCall, nowMs: number): StatusEventRecord {
  const now = iso(nowMs);
  const current = org.statuses.get(integration.id) ?? createStatus(org, integration, nowMs);
  const cpu = call.cpu_time ?? cpuTimeOf(call.in_bytes, call.out_bytes);
  const next: StatusRecord = {
    ...current,
    status: call.succeeded ? 'healthy' : 'failing',
    requests: current.requests + 1,
    failed: current.failed + (call.succeeded ? 0 : 1),
    cpu_time: current.cpu_time + cpu,
    db_ops: current.db_ops + call.db_ops,
    api_ops: current.api_ops + call.api_ops,
    in_bytes: current.in_bytes + call.in_bytes,
    out_bytes: current.out_bytes + call.out_bytes,
    updated_at: now,
  };
  org.statuses.put(next);
  const event: StatusEventRecord = {
    id: seqId(nextSeq(org, 'status_events')),
    account_id: integration.account_id,
    integration_id: integration.id,
    created_at: now,
    status: call.succeeded ? 'succeeded' : 'failed',
    request: next.requests,
    ...(call.error ? { error: call.error } : {}),
    cpu_time: cpu,
    in_bytes: call.in_bytes,
    out_bytes: call.out_bytes,
  };
  org.statusEvents.put(event);
  return event;
}

export function statusView(s: StatusRecord, org?: OrgState, expand: readonly string[] = []) {
  const { id: _id, ...rest } = s;
  const all = expand.includes('all');
  const account = org && (all || expand.includes('account') || expand.includes('accounts')) ? org.accounts.get(s.account_id) : undefined;
  const integration = org && (all || expand.includes('integration') || expand.includes('integrations')) ? org.integrations.get(s.integration_id) : undefined;
  return { ...rest, ...(account ? { account } : {}), ...(integration ? { integration } : {}) };
}

export function eventView(e: StatusEventRecord) {
  return {
    account_id: e.account_id,
    integration_id: e.integration_id,
    created_at: e.created_at,
    status: e.status,
    request: e.request,
    ...(e.error ? { error: e.error } : {}),
  };
}

function resolve(org: OrgState, accountId: string, integrationId: string): { account: AccountRecord; integration: IntegrationRecord; status: StatusRecord } {
  const account = findByIdOrName(org.accounts, accountId);
  if (!account) throw errors.notFound(`account ${accountId} not found`, { parameter: { id: 'accountId', location: 'path', value: accountId } });
  const lower = integrationId.toLowerCase();
  const mine = org.integrations.all().filter((i) => i.account_id === account.id);
  const integration = mine.find((i) => i.id === integrationId) ?? mine.find((i) => i.name.toLowerCase() === lower);
  if (!integration) {
    throw errors.notFound(`integration ${integrationId} not found in account ${account.name}`, { parameter: { id: 'integrationId', location: 'path', value: integrationId } });
  }
  const status = org.statuses.get(integration.id) ?? zero({ id: integration.id, account_id: account.id, integration_id: integration.id, created_at: integration.created_at, updated_at: integration.created_at });
  return { account, integration, status };
}

/**
 * status_list. Without an explicit `order` the list is sorted by account_id, integration_id and
 * `start_after` is `<account_id>,<integration_id>` of the last item (contract §3.17); with one,
 * `start_after` is a value of the first sort key, as everywhere else.
 */
export function listStatus(
  org: OrgState,
  query: ListQuery & { expand?: string[] },
  /** the integrations the caller may see (access.ts visibleIntegrations); applied before paging */
  visible?: ReadonlySet<string>,
): ListPage<ReturnType<typeof statusView>> {
  let rows = org.statuses.all();
  if (visible) rows = rows.filter((s) => visible.has(s.integration_id));
  const explicitOrder = query.order !== undefined && (!Array.isArray(query.order) || query.order.length > 0);
  let q: ListQuery = query;
  if (!explicitOrder) {
    q = { ...query, order: ['account_id', 'integration_id'], start_after: undefined };
    if (query.start_after) {
      const [acc = '', int = ''] = query.start_after.split(',');
      rows = rows.filter((s) => s.account_id > acc || (s.account_id === acc && s.integration_id > int));
    }
  }
  const page = listRecords(rows, q, { fields: STATUS_FIELDS });
  return { ...page, items: page.items.map((s) => statusView(s, org, query.expand ?? [])) };
}

export function getStatus(org: OrgState, accountId: string, integrationId: string) {
  return statusView(resolve(org, accountId, integrationId).status);
}

/** status_reset: the counters start again from zero; the recorded events stay. */
export function resetStatus(org: OrgState, accountId: string, integrationId: string, nowMs: number): void {
  const { status } = resolve(org, accountId, integrationId);
  const { status: _s, requests: _r, failed: _f, cpu_time: _c, db_ops: _d, api_ops: _a, in_bytes: _i, out_bytes: _o, ...keep } = status;
  org.statuses.put(zero({ ...keep, updated_at: iso(nowMs) }));
}

export function listStatusEvents(org: OrgState, accountId: string, integrationId: string, query: ListQuery): ListPage<ReturnType<typeof eventView>> {
  const { integration } = resolve(org, accountId, integrationId);
  const events = org.statusEvents.all().filter((e) => e.integration_id === integration.id);
  const page = listRecords(events, query, { fields: STATUS_EVENT_FIELDS, defaultOrder: ['created_at'] });
  return { ...page, items: page.items.map(eventView) };
}

// ---- timeseries

export interface Timeseries {
  start_time: string;
  end_time: string;
  interval: string;
  series: Array<{ created_at: string; succeeded: number; failed: number; cpu_time: number; in_bytes: number; out_bytes: number }>;
}

const INTERVAL_NAMES: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Buckets `events` into `interval`-wide slots covering `windowMs` up to the current slot. */
export function timeseries(events: readonly StatusEventRecord[], nowMs: number, windowMs: number, intervalMs: number, intervalName: string): Timeseries {
  const end = Math.floor(nowMs / intervalMs) * intervalMs + intervalMs;
  const start = end - Math.max(intervalMs, Math.ceil(windowMs / intervalMs) * intervalMs);
  const count = (end - start) / intervalMs;
  const series = Array.from({ length: count }, (_, i) => ({ created_at: iso(start + i * intervalMs), succeeded: 0, failed: 0, cpu_time: 0, in_bytes: 0, out_bytes: 0 }));
  for (const e of events) {
    const t = Date.parse(e.created_at);
    if (t < start || t >= end) continue;
    const slot = series[Math.floor((t - start) / intervalMs)]!;
    if (e.status === 'succeeded') slot.succeeded++;
    else slot.failed++;
    slot.cpu_time += e.cpu_time;
    slot.in_bytes += e.in_bytes;
    slot.out_bytes += e.out_bytes;
  }
  return { start_time: iso(start), end_time: iso(end), interval: intervalName, series };
}

/** status_get_timeseries: the organization's last hour in 5-minute intervals, over the integrations in `visible` when given. */
export function organizationTimeseries(org: OrgState, nowMs: number, visible?: ReadonlySet<string>): Timeseries {
  const events = visible ? org.statusEvents.all().filter((e) => visible.has(e.integration_id)) : org.statusEvents.all();
  return timeseries(events, nowMs, 3_600_000, 5 * 60_000, '5m');
}

/** status_get_integration_timeseries: the integration's last 24 hours; interval `hour` (default), `minute`, `day` or a duration ≥ 1m. */
export function integrationTimeseries(org: OrgState, accountId: string, integrationId: string, interval: string | undefined, nowMs: number): Timeseries {
  const { integration } = resolve(org, accountId, integrationId);
  const name = interval ?? 'hour';
  const ms = INTERVAL_NAMES[name] ?? parseDuration(name);
  if (ms === undefined || ms < 60_000 || ms > 86_400_000) {
    throw errors.badRequest(`interval ${JSON.stringify(name)} is not supported; use hour, minute, day or a duration between 1m and 24h`, {
      parameter: { id: 'interval', location: 'query', value: name },
    });
  }
  const events = org.statusEvents.all().filter((e) => e.integration_id === integration.id);
  return timeseries(events, nowMs, 86_400_000, ms, name);
}

// ---- connector calls injected through the control API

export interface InjectedCalls {
  account_id: string;
  integration_id: string;
  succeeded?: boolean;
  error?: string;
  in_bytes?: number;
  out_bytes?: number;
  cpu_time?: number;
  count?: number;
}

/**
 * Records `count` connector (engine API) calls of an integration — traffic the twin does not
 * serve itself — so status, events and timeseries can be exercised (admin
 * `POST /__admin/synqly/organizations/{organizationId}/integration-calls`).
 */
export function injectIntegrationCalls(org: OrgState, input: InjectedCalls, nowMs: number) {
  const { integration, status: _before } = resolve(org, input.account_id, input.integration_id);
  const succeeded = input.succeeded ?? true;
  const events = Array.from({ length: input.count ?? 1 }, () =>
    recordIntegrationCall(
      org,
      integration,
      {
        succeeded,
        ...(succeeded ? {} : { error: input.error ?? 'provider request failed' }),
        in_bytes: input.in_bytes ?? 0,
        out_bytes: input.out_bytes ?? 0,
        ...(input.cpu_time !== undefined ? { cpu_time: input.cpu_time } : {}),
        db_ops: 1,
        api_ops: 1,
      },
      nowMs,
    ),
  );
  return { status: statusView(org.statuses.get(integration.id)!), events: events.map(eventView) };
}
