import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { CredentialRecord, OrganizationWebhookRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Organization webhooks (contract §2.10, §3.13). The signing secret given at creation is stored as
 * a credential owned by the webhook (`owner_type: organization_webhook`, config `{type: "secret"}`)
 * and referenced by `credential_id`. The twin must sign every delivery with it (HMAC-SHA256), so
 * the secret is kept retrievable in the store (as every credential's secret is); it is never
 * returned by any API, never logged, and redacted from the request journal.
 */

export const WEBHOOK_FIELDS = ['id', 'name', 'fullname', 'environment', 'filters', 'url', 'credential_id', 'created_at', 'updated_at'] as const;
export const WEBHOOK_FILTERS = ['all', 'account_create', 'account_delete', 'account_update', 'integration_create', 'integration_delete', 'integration_update', 'operation_complete'] as const;
export type WebhookFilter = (typeof WEBHOOK_FILTERS)[number];
export type WebhookEvent = Exclude<WebhookFilter, 'all'>;

export type CreateWebhookRequest = components['schemas']['CreateOrganizationWebhookRequest'];

export type UpdateWebhookRequest = components['schemas']['UpdateOrganizationWebhookRequest'];

function assertUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password) {
    // the credentials of a URL are not echoed back (a Problem never contains a secret)
    const shown = parsed && (parsed.username || parsed.password) ? `${parsed.protocol}//[redacted]@${parsed.host}${parsed.pathname}${parsed.search}` : url;
    throw errors.badRequest(`url ${JSON.stringify(shown)} must be an absolute http or https URL without credentials`, { parameter: { id: '/url', location: 'body', value: shown } });
  }
}

function assertFilters(filters: readonly string[]): void {
  if (filters.length === 0) {
    throw errors.badRequest('filters must name at least one event (or all)', { parameter: { id: '/filters', location: 'body', value: filters } });
  }
}

/** the secret a credential holds, if it is one a webhook can sign with */
export function signingSecretOf(credential: CredentialRecord | undefined): string | undefined {
  // a credential's config is one of the vendor's tagged shapes; only secret and token ones carry `secret`
  const config = credential?.config as { type?: string; secret?: unknown } | undefined;
  return config && (config.type === 'secret' || config.type === 'token') && typeof config.secret === 'string' ? config.secret : undefined;
}

function credentialName(webhookName: string): string {
  const suffix = '-signing-secret';
  return `${webhookName.slice(0, 100 - suffix.length)}${suffix}`;
}

export function createWebhook(org: OrgState, input: CreateWebhookRequest, env: ModelEnv): OrganizationWebhookRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.webhooks.all(), name, 'organization webhook');
  assertUrl(input.url);
  assertFilters(input.filters);
  if (input.secret.expires !== undefined && Date.parse(input.secret.expires) <= env.nowMs) {
    throw errors.badRequest('secret.expires lies in the past', { parameter: { id: '/secret/expires', location: 'body', value: input.secret.expires } });
  }
  const now = iso(env.nowMs);
  const fullname = input.fullname ?? name;
  const credential: CredentialRecord = {
    id: env.random.uuid(),
    name: credentialName(name),
    fullname: `${fullname} signing secret`,
    owner_type: 'organization_webhook',
    owner_id: id,
    organization_webhook_id: id,
    managed: 'Managed',
    config: { type: 'secret', secret: input.secret.value },
    ...(input.secret.expires !== undefined ? { expires: input.secret.expires } : {}),
    created_at: now,
    updated_at: now,
  };
  const webhook: OrganizationWebhookRecord = {
    id,
    name,
    fullname,
    environment: input.environment ?? 'prod',
    filters: [...input.filters],
    url: input.url,
    credential_id: credential.id,
    created_at: now,
    updated_at: now,
  };
  org.credentials.put(credential);
  org.webhooks.put(webhook);
  return webhook;
}

export function listWebhooks(org: OrgState, query: ListQuery): ListPage<OrganizationWebhookRecord> {
  return listRecords(org.webhooks.all(), query, { fields: WEBHOOK_FIELDS });
}

export function getWebhook(org: OrgState, idOrName: string): OrganizationWebhookRecord {
  const webhook = findByIdOrName(org.webhooks, idOrName);
  if (!webhook) throw errors.notFound(`organization webhook ${idOrName} not found`, { parameter: { id: 'webhookId', location: 'path', value: idOrName } });
  return webhook;
}

/**
 * organizationWebhooks_update (and _patch through it). `credential_id` may switch to another
 * credential owned by this webhook (one made with credentials_create), which rotates the secret.
 */
export function updateWebhook(org: OrgState, idOrName: string, body: UpdateWebhookRequest, env: ModelEnv): OrganizationWebhookRecord {
  const webhook = getWebhook(org, idOrName);
  assertSameId(body.id, webhook.id, 'organization webhook');
  assertNameFree(org.webhooks.all(), body.name, 'organization webhook', webhook.id);
  assertUrl(body.url);
  assertFilters(body.filters);
  const credential = org.credentials.get(body.credential_id);
  if (!credential || credential.organization_webhook_id !== webhook.id || signingSecretOf(credential) === undefined) {
    throw errors.badRequest(`credential_id ${body.credential_id} is not a secret credential owned by this webhook`, {
      parameter: { id: '/credential_id', location: 'body', value: body.credential_id },
    });
  }
  const next: OrganizationWebhookRecord = {
    id: webhook.id,
    name: body.name,
    fullname: body.fullname,
    environment: body.environment,
    filters: [...body.filters],
    url: body.url,
    credential_id: body.credential_id,
    created_at: webhook.created_at,
    updated_at: iso(env.nowMs),
  };
  org.webhooks.put(next);
  return next;
}

/** Deletes the webhook and the credentials it owns (its delivery log stays). */
export function deleteWebhook(org: OrgState, idOrName: string): void {
  const webhook = getWebhook(org, idOrName);
  for (const credential of org.credentials.all()) if (credential.organization_webhook_id === webhook.id) org.credentials.delete(credential.id);
  org.webhooks.delete(webhook.id);
}

/** The webhooks an event of an account in `environment` goes to. */
export function webhooksFor(org: OrgState, event: WebhookEvent, environment: string): OrganizationWebhookRecord[] {
  return org.webhooks
    .all()
    .filter((w) => w.environment === environment && (w.filters.includes('all') || w.filters.includes(event)))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
