import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import type { AuditRecord, OrgState } from '../state.ts';
import { seqId } from '../status/model.ts';

/**
 * Audit events (contract §2.14, §3.2; DECISIONS "status, audit, jobs"): one per Management call
 * of the organization, appended by the API observer (audit/observe.ts) after the call has been
 * answered. Listed oldest first; `start_after` is a `created_at` value.
 */

/**
 * an audit record before it is numbered: its `id` is '' (the key comes first, as in the record)
 * until appendAudit gives it its sequence id
 */
export type AuditEntry = AuditRecord;

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
    const id = seqId(value);
    // numbered in place, not copied (this runs for every call); an entry the store froze in a
    // transaction that was then undone is copied
    let record: AuditRecord;
    if (Object.isFrozen(entry)) record = { ...entry, id };
    else {
      entry.id = id;
      record = entry;
    }
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
