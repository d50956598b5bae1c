import { errors } from '../../core/errors.ts';
import { parseDuration } from '../../core/durations.ts';
import type { JsonRecord } from '../../core/store/document.ts';

/**
 * Scheduled operations (contract §2.8): `frequency.value` is a duration of at least 5 minutes;
 * `backfill_from_time` is an RFC 3339 time or a relative duration (`7d`, `24h`, `30m`) at most one
 * year back; the operation belongs to the connector (`siem_query_events` for siem).
 */

export const MIN_FREQUENCY_MS = 5 * 60_000;
export const MAX_BACKFILL_MS = 366 * 24 * 3_600_000;

export interface Schedule extends JsonRecord {
  operation: string;
  enabled: boolean;
  frequency: { type: 'periodic'; value: string };
  filters?: string[];
  backfill_from_time?: string;
  incremental_config?: { mode: 'incremental' | 'full_snapshot'; time_filter_field?: string };
}

export function frequencyMs(schedule: Schedule): number {
  return parseDuration(schedule.frequency.value) ?? MIN_FREQUENCY_MS;
}

/** the absolute start of a backfill, or undefined when the schedule has none */
export function backfillStartMs(schedule: Schedule, fromMs: number): number | undefined {
  const b = schedule.backfill_from_time;
  if (b === undefined) return undefined;
  const relative = parseDuration(b);
  return relative !== undefined ? fromMs - relative : Date.parse(b);
}

export function assertSchedules(schedules: unknown, pointer: string, connector: string | undefined, nowMs: number): void {
  if (!Array.isArray(schedules)) return;
  (schedules as Schedule[]).forEach((s, i) => { // each is checked field by field below
    const at = `${pointer}/${i}`;
    if (connector && connector !== '*' && !s.operation.startsWith(`${connector}_`)) {
      throw errors.badRequest(`scheduled operation ${s.operation} is not an operation of the ${connector} connector`, {
        parameter: { id: `${at}/operation`, location: 'body', value: s.operation },
        remediation: `use a ${connector}_… operation id, e.g. ${connector}_query_…`,
      });
    }
    const ms = parseDuration(s.frequency.value);
    if (ms === undefined || ms < MIN_FREQUENCY_MS) {
      throw errors.badRequest(`frequency ${JSON.stringify(s.frequency.value)} must be a duration of at least 5m (units m, h, d)`, {
        parameter: { id: `${at}/frequency/value`, location: 'body', value: s.frequency.value },
      });
    }
    if (s.backfill_from_time !== undefined) {
      const start = backfillStartMs(s, nowMs);
      if (start === undefined || Number.isNaN(start) || start < nowMs - MAX_BACKFILL_MS) {
        throw errors.badRequest(`backfill_from_time ${JSON.stringify(s.backfill_from_time)} must be an RFC 3339 time or a relative duration at most one year back`, {
          parameter: { id: `${at}/backfill_from_time`, location: 'body', value: s.backfill_from_time },
        });
      }
    }
  });
}
