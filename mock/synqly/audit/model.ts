import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import type { AuditBatchRecord, AuditRecord, OrgState, StoredAudit } from '../state.ts';
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

function isBatch(stored: StoredAudit): stored is AuditBatchRecord {
  return Array.isArray((stored as AuditBatchRecord).events);
}

/** the sequence number of the last event a stored record holds */
function lastNumberOf(stored: StoredAudit): number {
  return Number(stored.id) + (isBatch(stored) ? stored.events.length - 1 : 0);
}

export function appendAudit(org: OrgState, entry: AuditEntry): AuditRecord {
  return appendAuditEntries(org, [entry])[0]!;
}

/**
 * Appends `entries` in order, as that many appendAudit calls would, as one stored batch (the
 * counter is read and written once); then drops the stored records whose every event is older
 * than the newest AUDIT_RETENTION (a batch straddling the line stays; auditEvents leaves its
 * older events out).
 */
export function appendAuditEntries(org: OrgState, entries: readonly AuditEntry[]): AuditRecord[] {
  if (entries.length === 0) return [];
  const counter = org.counters.get('audit');
  const first = (counter?.value ?? 0) + 1;
  const value = first + entries.length - 1;
  const records: AuditRecord[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const id = seqId(first + i);
    // numbered in place, not copied (this runs for every call); an entry the store froze in a
    // transaction that was then undone is copied
    if (Object.isFrozen(entry)) records.push({ ...entry, id });
    else {
      entry.id = id;
      records.push(entry);
    }
  }
  org.audit.put({ id: seqId(first), events: records });
  // a counter written before it named the oldest record, or naming one gone (a restored store): found by a scan, once
  const from = counter?.oldest !== undefined && org.audit.get(counter.oldest) ? counter.oldest : oldestStored(org);
  const oldest = dropExpired(org, from, value);
  org.counters.put({ id: 'audit', value, oldest });
  return records;
}

/**
 * Deletes the stored records, oldest first from `oldest`, whose every event is older than the
 * newest AUDIT_RETENTION up to `value`. Stored records hold consecutive numbers, so each one's
 * successor is the record whose id follows its last event. Returns the id of the oldest kept.
 */
function dropExpired(org: OrgState, oldest: string, value: number): string {
  let id = oldest;
  for (let stored = org.audit.get(id); stored && lastNumberOf(stored) <= value - AUDIT_RETENTION; stored = org.audit.get(id)) {
    org.audit.delete(id);
    id = seqId(lastNumberOf(stored) + 1);
  }
  return id;
}

/** the smallest id stored */
function oldestStored(org: OrgState): string {
  let oldest: string | undefined;
  for (const stored of org.audit.all()) if (oldest === undefined || stored.id < oldest) oldest = stored.id;
  return oldest!; // appendAuditEntries has just stored a batch
}

/** every kept event in the order they were recorded: the newest AUDIT_RETENTION of the organization's */
export function auditEvents(org: OrgState): AuditRecord[] {
  const oldestKept = (org.counters.get('audit')?.value ?? 0) - AUDIT_RETENTION + 1;
  const events: AuditRecord[] = [];
  for (const stored of org.audit.all()) {
    if (!isBatch(stored)) {
      if (Number(stored.id) >= oldestKept) events.push(stored);
      continue;
    }
    for (const event of stored.events) if (Number(event.id) >= oldestKept) events.push(event);
  }
  return events;
}

/** `visible` narrows the events to those the caller may see (audit/operations.ts), before paging */
export function listAudit(org: OrgState, query: ListQuery, visible: (all: AuditRecord[]) => AuditRecord[] = (all) => all): ListPage<ReturnType<typeof auditView>> {
  const page = listRecords(visible(auditEvents(org)), query, { fields: AUDIT_FIELDS, defaultOrder: ['created_at'] });
  return { ...page, items: page.items.map(auditView) };
}
