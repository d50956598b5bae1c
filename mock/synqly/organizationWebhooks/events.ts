import { createHmac } from 'node:crypto';
import type { CallRecord, OperationTable } from '../../core/pipeline.ts';
import { isPlainObject, type JsonRecord } from '../../core/store/document.ts';
import type { Tx } from '../../core/store/store.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import { orgState, type AccountRecord, type OrgState, type WebhookDeliveryRecord } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { signingSecretOf, webhooksFor, type WebhookEvent } from './model.ts';

/**
 * Which Management calls are webhook events (contract §5: account/integration create, update,
 * delete, for accounts in the webhook's environment), and the deliveries they make. Pure: the
 * I/O (HTTP POST, retries) lives in delivery.ts.
 */

export interface OrganizationEvent {
  organizationId: string;
  event: WebhookEvent;
  account?: JsonRecord;
  integration?: JsonRecord;
}

/** The signature header value: hex HMAC-SHA256 of the exact body bytes under the secret. */
export function signBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export const SIGNATURE_HEADER = 'X-Synqly-Signature';


/** the account an integration event concerns, read from the organization's current state */
function accountOf(org: OrgState, integration: JsonRecord): AccountRecord | undefined {
  return typeof integration.account_id === 'string' ? org.accounts.get(integration.account_id) : undefined;
}

/** The event a successful create/update call stands for, as its family declares it (deletes: see `withDeletionEvents`). */
export function eventFromCall(call: CallRecord<{ organization: { id: string } } | undefined>, reader: Tx, facts: SynqlyFacts): OrganizationEvent | undefined {
  const spec = facts[call.operation.operationId]?.event;
  if (!spec || call.status < 200 || call.status > 299 || !call.principal || !isPlainObject(call.responseBody)) return undefined;
  const resource = spec.pick(call.responseBody);
  if (!isPlainObject(resource)) return undefined;
  const organizationId = call.principal.organization.id;
  if (spec.event.startsWith('account_')) return { organizationId, event: spec.event, account: resource };
  const account = accountOf(orgState(reader, organizationId), resource);
  return { organizationId, event: spec.event, integration: resource, ...(account ? { account } : {}) };
}

export interface PlannedDelivery {
  record: WebhookDeliveryRecord;
  /** the exact body bytes sent on every attempt */
  body: string;
  signature: string;
}

/**
 * The deliveries an event makes: one per webhook of the organization whose environment is the
 * account's and whose filters take the event. Each has its own nonce; the body and signature are
 * fixed once, so retries resend the same bytes. A webhook whose secret expired gets none.
 */
export function planDeliveries(org: OrgState, ev: OrganizationEvent, env: ModelEnv): PlannedDelivery[] {
  const environment = ev.account?.environment;
  if (typeof environment !== 'string') return [];
  const now = iso(env.nowMs);
  const out: PlannedDelivery[] = [];
  for (const webhook of webhooksFor(org, ev.event, environment)) {
    const credential = org.credentials.get(webhook.credential_id);
    const secret = signingSecretOf(credential);
    if (secret === undefined || (credential?.expires !== undefined && Date.parse(credential.expires) <= env.nowMs)) continue;
    const nonce = env.random.bytes(16).toString('hex');
    const payload: JsonRecord = {
      event: ev.event,
      ...(ev.account ? { account: ev.account } : {}),
      ...(ev.integration ? { integration: ev.integration } : {}),
      nonce,
    };
    const body = JSON.stringify(payload);
    out.push({
      body,
      signature: signBody(body, secret),
      record: {
        id: env.random.uuid(),
        organization_id: org.orgId,
        webhook_id: webhook.id,
        event: ev.event,
        nonce,
        url: webhook.url,
        state: 'pending',
        payload,
        created_at: now,
        updated_at: now,
        next_attempt_at: now,
        attempts: [],
      },
    });
  }
  return out;
}

/**
 * Delete events need the resource as it was before the call: wraps the handlers of the operations
 * whose family declares a `deleteEvent` to read it (and what the delete cascades to) first, and
 * to report the events once the delete succeeded.
 */
export function withDeletionEvents<P extends { organization: { id: string } }>(
  handlers: OperationTable<P>,
  emit: (ev: OrganizationEvent) => void,
  facts: SynqlyFacts,
): OperationTable<P> {
  const wrapped: OperationTable<P> = {};
  for (const [operationId, opFacts] of Object.entries(facts)) {
    const del = handlers[operationId];
    if (!del || !opFacts.deleteEvent) continue;
    const { event, read, cascade } = opFacts.deleteEvent;
    wrapped[operationId] = async (ctx) => {
      const organizationId = ctx.principal.organization.id;
      const reader = ctx.env.store.reader;
      const before = read(reader, organizationId, ctx.params);
      const cascaded = before && cascade ? cascade.read(reader, organizationId, before) : [];
      const res = await del(ctx);
      const status = res.status ?? 200;
      if (before && status >= 200 && status <= 299) {
        if (event === 'account_delete') {
          for (const integration of cascaded) emit({ organizationId, event: cascade!.event, integration, account: before });
          emit({ organizationId, event, account: before });
        } else {
          const account = accountOf(orgState(ctx.env.store.reader, organizationId), before);
          emit({ organizationId, event, integration: before, ...(account ? { account } : {}) });
        }
      }
      return res;
    };
  }
  return { ...handlers, ...wrapped };
}
