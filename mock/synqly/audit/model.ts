import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import type { AuditRecord, OrgState } from '../state.ts';
import { seqId } from '../status/model.ts';

/**
 * Audit events (contract §2.14, §3.2; DECISIONS "status, audit, jobs"): one per Management call
 * of the organization, appended by the API observer (audit/observe.ts) after the call has been
 * answered. Listed oldest first; `start_after` is a `created_at` value.
 */

/** an audit record before it gets its sequence id */
export type AuditEntry = Pick<
  AuditRecord,
  'environment' | 'created_at' | 'remote_addr' | 'user_agent' | 'audit_type' | 'method' | 'path' | 'code' | 'body' | 'response' | 'status' | 'member_id' | 'account_id' | 'integration_id' | 'bridge_group_id'
>;

export const AUDIT_FIELDS = [
  'environment',
  'created_at',
  'remote_addr',
  'user_agent',
  'audit_type',
  'method',
  'path',
  'code',
  'status',
  'response',
  'member_id',
  'account_id',
  'integration_id',
  'bridge_group_id',
] as const;

export function auditView(a: AuditRecord) {
  const { id: _id, ...view } = a;
  return view;
}

/**
 * Audit events kept per organization: the newest AUDIT_RETENTION, the oldest dropped as new ones
 * arrive (a twin's choice: the vendor's retention is undocumented), so a long-running twin under
 * load keeps a bounded store and memory.
 */
export const AUDIT_RETENTION = 10_000;

export function appendAudit(org: OrgState, entry: AuditEntry): AuditRecord {
  return appendAuditEntries(org, [entry])[0]!;
}

/** appends `entries` in order, as that many appendAudit calls would (the counter is read and written once) */
export function appendAuditEntries(org: OrgState, entries: readonly AuditEntry[]): AuditRecord[] {
  let value = org.counters.get('audit')?.value ?? 0;
  const records: AuditRecord[] = [];
  for (const entry of entries) {
    value++;
    const record: AuditRecord = { id: seqId(value), ...entry };
    org.audit.put(record);
    if (value > AUDIT_RETENTION) org.audit.delete(seqId(value - AUDIT_RETENTION));
    records.push(record);
  }
  if (entries.length > 0) org.counters.put({ id: 'audit', value });
  return records;
}

/** `visible` narrows the events to those the caller may see (audit/operations.ts), before paging */
export function listAudit(org: OrgState, query: ListQuery, visible: (all: AuditRecord[]) => AuditRecord[] = (all) => all): ListPage<ReturnType<typeof auditView>> {
  const page = listRecords(visible(org.audit.all()), query, { fields: AUDIT_FIELDS, defaultOrder: ['created_at'] });
  return { ...page, items: page.items.map(auditView) };
}
