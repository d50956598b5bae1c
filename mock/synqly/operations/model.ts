import { createHash } from 'node:crypto';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import type { IntegrationRecord, OrgState } from '../state.ts';
import { iso } from '../../core/model-env.ts';
import { backfillStartMs, frequencyMs, type Schedule } from './schedules.ts';

/**
 * Asynchronous operations (jobs) and their execution history (contract §2.15, §3.12), derived —
 * not stored — from the integrations' `scheduled_operations` and the clock:
 * - one Operation per schedule of an integration (SCHEDULED when enabled, DISABLED otherwise,
 *   PROCESSING while a run is in progress);
 * - an enabled schedule runs at the integration's creation and then every `frequency`; each run
 *   that has completed by now is an OperationExecutionEvent, kept for the 4-week retention.
 * Ids, durations and record counts are drawn from a hash of the integration, schedule and run
 * index, so the same state at the same clock always gives the same jobs.
 */

export const RETENTION_MS = 28 * 24 * 3_600_000;
const MAX_RUNS_PER_SCHEDULE = 10_000;

export const OPERATION_FIELDS = ['id', 'created_at', 'updated_at', 'account_id', 'integration_id', 'operation', 'status', 'cpu_time', 'in_bytes'] as const;
export const EXECUTION_FIELDS = [
  'id',
  'execution_id',
  'operation_id',
  'started_at',
  'completed_at',
  'account_id',
  'integration_id',
  'integration_point_id',
  'operation',
  'trigger_type',
  'trigger_source',
  'status',
  'records_processed',
  'cpu_time',
  'in_bytes',
  'duration',
] as const;

/** a UUID v4-shaped id drawn from a hash (stable for the same key) */
export function stableUuid(key: string): string {
  const b = createHash('sha256').update(`apitwin:${key}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** a deterministic integer in [0, max) for a key */
function draw(key: string, max: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % max;
}

export interface Execution {
  execution_id: string;
  operation_id: string;
  started_at: string;
  completed_at: string;
  account_id: string;
  integration_id: string;
  integration_point_id?: string;
  operation: string;
  trigger_type: 'API' | 'SCHEDULED';
  trigger_source: string;
  status: string;
  records_processed: number;
  cpu_time: number;
  in_bytes: number;
  duration: number;
  initial_cursor?: string;
  final_cursor?: string;
}

export interface Job {
  id: string;
  created_at: string;
  updated_at: string;
  account_id: string;
  integration_id: string;
  operation: string;
  input: { filters?: string[] };
  status: 'SCHEDULED' | 'PROCESSING' | 'CANCELLED' | 'COMPLETE' | 'DISABLED';
  cpu_time: number;
  in_bytes: number;
  executions: Execution[];
}

function triggerSource(org: OrgState, integration: IntegrationRecord, schedule: Schedule): string {
  const point = integration.integration_point_id ? org.integrationPoints.get(integration.integration_point_id) : undefined;
  // a point's schedule templates were checked by assertSchedules when stored
  const fromTemplate = (point?.scheduled_operations as Schedule[] | undefined)?.some((t) => t.operation === schedule.operation);
  return fromTemplate ? point!.id : integration.id;
}

/** the schedules of an integration with their jobs' ids (one job per schedule; repeated operations are numbered) */
function scheduledJobs(integration: IntegrationRecord): Array<{ schedule: Schedule; id: string }> {
  const seen = new Map<string, number>();
  // an integration's schedules were checked by assertSchedules when stored
  return ((integration.scheduled_operations ?? []) as Schedule[]).map((schedule) => {
    const n = seen.get(schedule.operation) ?? 0;
    seen.set(schedule.operation, n + 1);
    return { schedule, id: stableUuid(`job:${integration.id}:${schedule.operation}:${n}`) };
  });
}

/** the k-th run of a schedule (k = 0 at the integration's creation): its times, and the execution once it has completed */
function run(integration: IntegrationRecord, schedule: Schedule, jobId: string, k: number, source: string) {
  const created = Date.parse(integration.created_at);
  const period = frequencyMs(schedule);
  const key = `${jobId}:${k}`;
  const startedMs = created + k * period + draw(`${key}:jitter`, 60_000);
  const durationMs = 400 + draw(`${key}:duration`, 9_600);
  const completedMs = startedMs + durationMs;
  const execution = (): Execution => {
    const records = draw(`${key}:records`, 2_000);
    const windowStart = k === 0 ? (backfillStartMs(schedule, created) ?? created) : created + (k - 1) * period;
    return {
      execution_id: stableUuid(`exec:${key}`),
      operation_id: jobId,
      started_at: iso(startedMs),
      completed_at: iso(completedMs),
      account_id: integration.account_id,
      integration_id: integration.id,
      ...(integration.integration_point_id ? { integration_point_id: integration.integration_point_id } : {}),
      operation: schedule.operation,
      trigger_type: 'SCHEDULED',
      trigger_source: source,
      status: 'COMPLETE',
      records_processed: records,
      cpu_time: durationMs * 120 + records * 35,
      in_bytes: records * 412 + 640,
      duration: durationMs * 1000,
      ...(schedule.incremental_config?.mode === 'incremental' ? { initial_cursor: iso(windowStart), final_cursor: iso(startedMs) } : {}),
    };
  };
  return { startedMs, completedMs, execution };
}

/** a run starts within a minute of its slot and lasts at most 10 s */
const LATEST_COMPLETION_AFTER_SLOT_MS = 60_000 + 10_000;

function jobsOf(org: OrgState, integration: IntegrationRecord, nowMs: number): Job[] {
  return scheduledJobs(integration).map(({ schedule, id }) => {
    const created = Date.parse(integration.created_at);
    const period = frequencyMs(schedule);
    const executions: Execution[] = [];
    let running = false;
    if (schedule.enabled) {
      const firstRun = Math.max(0, Math.ceil((nowMs - RETENTION_MS - created) / period));
      const lastRun = Math.floor((nowMs - created) / period);
      const from = Math.max(firstRun, lastRun - MAX_RUNS_PER_SCHEDULE + 1);
      const source = triggerSource(org, integration, schedule);
      for (let k = from; k <= lastRun; k++) {
        const r = run(integration, schedule, id, k, source);
        if (r.startedMs > nowMs) break;
        if (r.completedMs > nowMs) {
          running = true;
          break;
        }
        executions.push(r.execution());
      }
    }
    const last = executions[executions.length - 1];
    return {
      id,
      created_at: integration.created_at,
      updated_at: last && last.completed_at > integration.updated_at ? last.completed_at : integration.updated_at,
      account_id: integration.account_id,
      integration_id: integration.id,
      operation: schedule.operation,
      input: schedule.filters ? { filters: [...schedule.filters] } : {},
      status: !schedule.enabled ? 'DISABLED' : running ? 'PROCESSING' : 'SCHEDULED',
      cpu_time: executions.reduce((sum, e) => sum + e.cpu_time, 0),
      in_bytes: executions.reduce((sum, e) => sum + e.in_bytes, 0),
      executions,
    };
  });
}

/**
 * The runs of an integration's enabled schedules that completed in (fromMs, toMs], oldest first;
 * when more did (the clock jumped far), only the newest `limit`.
 */
export function executionsCompletedBetween(org: OrgState, integration: IntegrationRecord, fromMs: number, toMs: number, limit: number): Execution[] {
  const out: Execution[] = [];
  const created = Date.parse(integration.created_at);
  for (const { schedule, id } of scheduledJobs(integration)) {
    if (!schedule.enabled) continue;
    const period = frequencyMs(schedule);
    const lastSlot = Math.floor((toMs - created) / period);
    const firstSlot = Math.max(0, Math.floor((fromMs - created - LATEST_COMPLETION_AFTER_SLOT_MS) / period), lastSlot - limit);
    const source = triggerSource(org, integration, schedule);
    for (let k = firstSlot; k <= lastSlot; k++) {
      const r = run(integration, schedule, id, k, source);
      if (r.completedMs > fromMs && r.completedMs <= toMs) out.push(r.execution());
    }
  }
  return out.sort((a, b) => a.completed_at.localeCompare(b.completed_at)).slice(-limit);
}

/** `visible` narrows the integrations to those the caller may see (access.ts visibleIntegrations) */
export type IntegrationFilter = (all: IntegrationRecord[]) => IntegrationRecord[];

export function allJobs(org: OrgState, nowMs: number, visible: IntegrationFilter = (all) => all): Job[] {
  return visible(org.integrations.all()).flatMap((i) => jobsOf(org, i, nowMs));
}

export function jobView(job: Job) {
  const { executions: _e, ...view } = job;
  return view;
}

/** operations_list: sorted by id unless `order` says otherwise; `start_after` is a value of the first sort key. */
export function listOperations(org: OrgState, query: ListQuery, nowMs: number, visible?: IntegrationFilter): ListPage<ReturnType<typeof jobView>> {
  return listRecords(allJobs(org, nowMs, visible).map(jobView), query, { fields: OPERATION_FIELDS, defaultOrder: ['id'] });
}

/**
 * operations_list_execution_history: oldest first by default; `start_after` is a value of the
 * first sort key (`started_at` unless `order` says otherwise), as in every other list. Runs start
 * with a per-run jitter, so two runs practically never share a `started_at`. The vendor's
 * `id[eq]` filter matches the execution id.
 */
export function listExecutionHistory(org: OrgState, query: ListQuery, nowMs: number, visible?: IntegrationFilter): ListPage<Execution> {
  const rows = allJobs(org, nowMs, visible)
    .flatMap((j) => j.executions)
    .map((e) => ({ id: e.execution_id, ...e }));
  const page = listRecords(rows, query, { fields: EXECUTION_FIELDS, defaultOrder: ['started_at'] });
  return { ...page, items: page.items.map(({ id: _id, ...e }) => e) };
}
