import { STATUS_CODES } from 'node:http';
import type { CallRecord, RequestInfo, TwinEnv } from '../../core/pipeline.ts';
import { REDACTED, redactBody } from '../../core/request-journal.ts';
import { isInlineKind } from '../credentials/kinds.ts';
import type { SynqlyCaller } from '../auth.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import { namedInPath } from '../path-names.ts';
import { orgState, type AccountRecord, type IntegrationRecord, type OrganizationRecord, type OrgState } from '../state.ts';
import { recordIntegrationCall } from '../status/model.ts';
import { iso } from '../../core/model-env.ts';
import { appendAudit, appendAuditEntries, type AuditEntry } from './model.ts';
import { isPlainObject } from '../../core/store/document.ts';

/**
 * The Synqly API observer for audit and status (DECISIONS "status, audit, jobs"): after every
 * answered Management call of an authenticated organization it writes, in one store transaction,
 * - an audit event (contract §2.14; the request body with secrets redacted), and
 * - when the call addressed one integration (`{accountId}/{integrationId}` in the path, except
 *   operations declared `notAnIntegrationCall`), a StatusEvent of that integration (status/model.ts).
 * Unauthenticated calls (401) have no organization to record them in — except operations whose
 * family declares `auditUnauthenticated` (auth_logon names its organization in the path), recorded
 * there with the body's secrets redacted. What a family declares: operation-facts.ts.
 */

interface Subject {
  account?: AccountRecord;
  accountId?: string;
  integration?: IntegrationRecord;
  integrationId?: string;
  bridgeId?: string;
}

function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

/**
 * The account, integration and bridge group the path names (path-names.ts: by id or name, an
 * integration or bridge group in the path's account), as far as they exist in `org`; an
 * integration named without an account brings its account.
 */
function resolvePath(org: OrgState, organization: OrganizationRecord, params: Record<string, string>): Subject {
  const named = namedInPath(org, organization, params, { ownerMayBeAccount: true });
  const accountId = named.account?.id ?? named.integration?.account_id;
  const subject: Subject = {};
  if (accountId !== undefined) {
    subject.account = named.account ?? org.accounts.get(accountId);
    subject.accountId = accountId;
  }
  if (named.integration) {
    subject.integration = named.integration;
    subject.integrationId = named.integration.id;
  }
  if (named.bridge) subject.bridgeId = named.bridge.id;
  return subject;
}

/**
 * Resolves the resources a call's path names, before the call changes them (called once
 * authenticated), and notes them on the call's RequestInfo (`noted`): a delete or a rename leaves
 * a name in the path that no longer resolves afterwards, yet the audit event must carry the
 * resource's id.
 */
export function noteCallSubject(env: TwinEnv, request: RequestInfo, principal: SynqlyCaller): void {
  if (!principal || !request.params) return;
  request.noted = resolvePath(orgState(env.store.reader, principal.organization.id), principal.organization, request.params);
}

/** the subject noteCallSubject noted for the call, if any */
function subjectBefore(request: RequestInfo): Subject | undefined {
  return request.noted as Subject | undefined; // the core keeps `noted` opaque; only noteCallSubject above sets it
}

/**
 * The account, integration and bridge group a call concerns: ids as the path named them before
 * the call (else as they resolve after it, or, for creates, from its result); records as they are
 * after the call (the account's pre-image when it is gone, for its environment). What resolves
 * neither way is recorded as the path sent it.
 */
function subjectOf(org: OrgState, organization: OrganizationRecord, call: CallRecord<SynqlyCaller>, facts: SynqlyFacts, before: Subject | undefined): Subject {
  const params = call.request.params ?? {};
  const result = isPlainObject(call.responseBody) && isPlainObject(call.responseBody.result) ? call.responseBody.result : undefined;
  // a GET changes nothing: its path resolves after the call as it did before it
  const after = before && call.request.method === 'GET' ? before : resolvePath(org, organization, params);
  before ??= {};
  const s: Subject = {};
  const accountId = before.accountId ?? after.accountId;
  if (accountId) {
    s.accountId = accountId;
    s.account = org.accounts.get(accountId) ?? before.account;
  }
  const integrationId = before.integrationId ?? after.integrationId;
  if (integrationId) {
    s.integrationId = integrationId;
    s.integration = org.integrations.get(integrationId);
  }
  const bridgeId = before.bridgeId ?? after.bridgeId;
  if (bridgeId) s.bridgeId = bridgeId;
  const creates = facts[call.operation.operationId]?.creates;
  const created = result && creates && isPlainObject(result[creates]) ? result[creates] : undefined;
  if (created && typeof created.id === 'string') {
    if (creates === 'account') {
      s.account = org.accounts.get(created.id);
      s.accountId = created.id;
    }
    if (creates === 'integration') s.integrationId = created.id;
    if (creates === 'bridge') s.bridgeId = created.id;
  }
  if (params.accountId) s.accountId ??= params.accountId;
  if (params.integrationId) s.integrationId ??= params.integrationId;
  if (params.bridgeId) s.bridgeId ??= params.bridgeId;
  return s;
}

/** every field of an inline credential (`{"type": "basic", "username": …}`) but its type, redacted */
export function redactCredentials(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactCredentials(v, depth + 1));
  if (!isPlainObject(value)) return value;
  if (depth > 0 && isInlineKind(value.type)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'type' ? v : REDACTED]));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactCredentials(v, depth + 1)]));
}

function problemMessage(body: unknown): string | undefined {
  return isPlainObject(body) && typeof body.message === 'string' ? body.message : undefined;
}

/** `200 OK`, `404 Not Found`, … per status code, made once (every event carries one) */
const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
    if (statusLines.size < 1000) statusLines.set(status, line);
  }
  return line;
}

export function auditEntryOf(call: CallRecord<SynqlyCaller>, subject: Subject, nowMs: number, memberId?: string): AuditEntry {
  const headers = call.request.headers;
  const ua = headers['user-agent'];
  const member = call.principal?.token.member_id ?? memberId;
  // built in place, without temporary objects (this runs on every call); the keys keep the order
  // events are listed in, so the status is set after the optional body and response: until then
  // the object lacks it, hence the cast
  const entry = {
    id: '', // numbered by appendAudit
    environment: subject.account?.environment ?? '',
    created_at: iso(nowMs),
    remote_addr: call.request.remoteAddress ?? '',
    user_agent: Array.isArray(ua) ? ua.join(', ') : (ua ?? ''),
    audit_type: call.status >= 500 ? 'ERROR' : 'API',
    method: call.request.method.toUpperCase(),
    path: call.request.path,
    code: String(call.status),
  } as AuditEntry;
  if (call.requestBody !== undefined) entry.body = redactBody(redactCredentials(call.requestBody));
  if (call.status >= 400) {
    const message = problemMessage(call.responseBody);
    if (message) entry.response = message;
  }
  entry.status = statusLine(call.status);
  if (member) entry.member_id = member;
  if (subject.accountId) entry.account_id = subject.accountId;
  if (subject.integrationId) entry.integration_id = subject.integrationId;
  if (subject.bridgeId) entry.bridge_group_id = subject.bridgeId;
  return entry;
}

/**
 * The Synqly observer's audit half: `record(call)` records one answered call; the write is
 * durable on its own schedule (the response is already out). The common case, an audit event
 * alone, is built at once from the state the call left; its write is queued with the others of
 * its organization (one Store.transactSoon per organization and batch, which appends them in
 * call order and runs before anything reads the audit log or the counters, or writes anything).
 */
export function createCallRecorder(env: TwinEnv, facts: SynqlyFacts): (call: CallRecord<SynqlyCaller>) => void {
  /** per organization, the audit events waiting for their queued transaction (local stores only) */
  const waiting = new Map<string, AuditEntry[]>();
  const queueAudit = (org: OrgState, orgId: string, entry: AuditEntry) => {
    const group = waiting.get(orgId);
    if (group) {
      group.push(entry);
      return;
    }
    const entries = [entry];
    waiting.set(orgId, entries);
    // the group closes when its transaction runs (or fails): later events start the next group
    const close = () => {
      if (waiting.get(orgId) === entries) waiting.delete(orgId);
    };
    env.store
      .transactSoon([org.audit.name, org.counters.name], (tx) => {
        close();
        appendAuditEntries(orgState(tx, orgId), entries);
      })
      .catch((err: unknown) => {
        close();
        env.logger.error({ err, events: entries.length }, 'recording Synqly calls failed');
      });
  };
  return (call) => recordManagementCall(env, call, facts, queueAudit);
}

function recordManagementCall(env: TwinEnv, call: CallRecord<SynqlyCaller>, facts: SynqlyFacts, queueAudit: (org: OrgState, orgId: string, entry: AuditEntry) => void): void {
  const principal = call.principal;
  const opFacts = facts[call.operation.operationId];
  if (!principal && !opFacts?.auditUnauthenticated) return;
  const nowMs = env.clock.now();
  if (principal && call.request.params?.integrationId === undefined) {
    const orgId = principal.organization.id;
    const org = orgState(env.store.reader, orgId);
    const organization = org.organizations.get(orgId);
    if (!organization) return; // the organization is gone (deleted by this very call)
    const entry = auditEntryOf(call, subjectOf(org, organization, call, facts, subjectBefore(call.request)), nowMs);
    // a shared store runs a queued transaction at once, in the order of its other writes: one per event there
    if (!env.store.shared) queueAudit(org, orgId, entry);
    else env.store.transactSoon([org.audit.name, org.counters.name], (tx) => void appendAudit(orgState(tx, orgId), entry)).catch(failedFor(env, call));
    return;
  }
  env.store
    .transact((tx) => {
      if (!principal) {
        const addressed = opFacts?.auditUnauthenticated?.(tx, call);
        if (!addressed) return; // an unknown organization: nowhere to record the attempt
        appendAudit(orgState(tx, addressed.organization.id), auditEntryOf(call, {}, nowMs, addressed.memberId));
        return;
      }
      const orgId = principal.organization.id;
      const org = orgState(tx, orgId);
      const organization = org.organizations.get(orgId);
      if (!organization) return; // the organization is gone (deleted by this very call)
      const subject = subjectOf(org, organization, call, facts, subjectBefore(call.request));
      appendAudit(org, auditEntryOf(call, subject, nowMs));
      const addressed = call.request.params?.integrationId !== undefined;
      if (addressed && subject.integration && !opFacts?.notAnIntegrationCall) {
        recordIntegrationCall(
          org,
          subject.integration,
          {
            succeeded: call.status < 400,
            ...(call.status >= 400 ? { error: problemMessage(call.responseBody) ?? `status ${call.status}` } : {}),
            in_bytes: jsonBytes(call.requestBody),
            out_bytes: jsonBytes(call.responseBody),
            db_ops: call.request.method === 'GET' ? 1 : 2,
            api_ops: 0,
          },
          nowMs,
        );
      }
    })
    .catch(failedFor(env, call));
}

function failedFor(env: TwinEnv, call: CallRecord<SynqlyCaller>): (err: unknown) => void {
  return (err) => env.logger.error({ err, operationId: call.operation.operationId }, 'recording a Synqly call failed');
}
