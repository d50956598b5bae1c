import { createHmac } from 'node:crypto';
import type { CallRecord, OperationTable } from '../../core/pipeline.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import type { Tx } from '../../core/store/store.ts';
import { getIntegration, integrationView } from '../integrations/model.ts';
import { findByIdOrName } from '../names.ts';
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

const EVENT_OF: Record<string, { event: WebhookEvent; pick: (body: Record<string, unknown>) => unknown }> = {
  accounts_create: { event: 'account_create', pick: (b) => (b.result as Record<string, unknown> | undefined)?.account },
  accounts_update: { event: 'account_update', pick: (b) => b.result },
  accounts_patch: { event: 'account_update', pick: (b) => b.result },
  integrations_create: { event: 'integration_create', pick: (b) => (b.result as Record<string, unknown> | undefined)?.integration },
  integrations_update: { event: 'integration_update', pick: (b) => b.result },
  integrations_patch: { event: 'integration_update', pick: (b) => b.result },
};

const isObject = (v: unknown): v is JsonRecord => !!v && typeof v === 'object' && !Array.isArray(v);

/** the account an integration event concerns, read from the organization's current state */
function accountOf(org: OrgState, integration: JsonRecord): AccountRecord | undefined {
  return typeof integration.account_id === 'string' ? org.accounts.get(integration.account_id) : undefined;
}

/** The event a successful create/update call stands for (deletes: see `withDeletionEvents`). */
export function eventFromCall(call: CallRecord<{ organization: { id: string } }>, reader: Tx): OrganizationEvent | undefined {
  const spec = EVENT_OF[call.operation.operationId];
  if (!spec || call.status < 200 || call.status > 299 || !call.principal || !isObject(call.responseBody)) return undefined;
  const resource = spec.pick(call.responseBody);
  if (!isObject(resource)) return undefined;
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
    const payload: JsonRecord = {
      event: ev.event,
      ...(ev.account ? { account: ev.account } : {}),
      ...(ev.integration ? { integration: ev.integration } : {}),
      nonce: env.random.bytes(16).toString('hex'),
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
        nonce: payload.nonce as string,
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

/** the resource a delete call addresses, as the API shows it, read before the delete runs */
export type PreImage = (tx: Tx, organizationId: string, params: Record<string, unknown>) => JsonRecord | undefined;
/** what else a delete removes that has events of its own (an account's integrations), read before it runs */
export type CascadePreImage = (tx: Tx, organizationId: string, resource: JsonRecord) => JsonRecord[];

const quietly = (fn: () => JsonRecord | undefined): JsonRecord | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};

export interface DeletionEventSpec {
  event: WebhookEvent;
  read: PreImage;
  cascade?: { event: WebhookEvent; read: CascadePreImage };
}

export const DELETE_PRE_IMAGES: Record<string, DeletionEventSpec> = {
  accounts_delete: {
    event: 'account_delete',
    read: (tx, orgId, p) => quietly(() => findByIdOrName(orgState(tx, orgId).accounts, String(p.accountId))),
    // the cascade removes the account's integrations (cascade.ts): each is an integration_delete, sent before the account's event
    cascade: {
      event: 'integration_delete',
      read: (tx, orgId, account) =>
        orgState(tx, orgId)
          .integrations.findBy('account_id', String(account.id))
          .map((i) => integrationView(i)),
    },
  },
  integrations_delete: {
    event: 'integration_delete',
    read: (tx, orgId, p) => quietly(() => integrationView(getIntegration(orgState(tx, orgId), String(p.accountId), String(p.integrationId)))),
  },
};

/**
 * Delete events need the resource as it was before the call: wraps the delete handlers of
 * `preImages` (when present) to read it (and what its delete cascades to) first, and to report
 * the events once the delete succeeded.
 */
export function withDeletionEvents<P extends { organization: { id: string } }>(
  handlers: OperationTable<P>,
  emit: (ev: OrganizationEvent) => void,
  preImages: Record<string, DeletionEventSpec> = DELETE_PRE_IMAGES,
): OperationTable<P> {
  const wrapped: OperationTable<P> = {};
  for (const [operationId, { event, read, cascade }] of Object.entries(preImages)) {
    const del = handlers[operationId];
    if (!del) continue;
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
