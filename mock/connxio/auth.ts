import { refuseDuplicateHeaders } from '../core/credential-headers.ts';
import { errors } from '../core/errors.ts';
import type { RequestInfo, TwinEnv } from '../core/pipeline.ts';
import type { OperationSpec } from '../core/spec.ts';
import type { Tx } from '../core/store/store.ts';
import { findKeyByValue } from './apiKeys/model.ts';
import { locateIntegration } from './messaging/model.ts';
import { checkBearer } from './oauth/model.ts';
import { companyCollection, COMPANIES, type ApiKeyRecord, type ApiKeyScope, type CompanyRecord, type SubscriptionRecord } from './state.ts';

/**
 * Connxio auth (contract §1.3, §3; DECISIONS): the API key (header or query `Connxio-Api-Key`)
 * selects company and subscription; a bearer from /oauth/token is required too, unless the call
 * is in webhook mode (`Connxio-Api-Webhook: true`) with a key allowed to do that. The key must
 * carry the operation's scope (the spec's `x-connxio-scope`).
 */
export interface ConnxioPrincipal {
  company: CompanyRecord;
  subscription: SubscriptionRecord;
  key: ApiKeyRecord;
  webhookMode: boolean;
}

/**
 * A message sent without a key to an integration saved before API keys existed
 * (`useApiKey: false`, contract §3.5): authenticated by its bearer alone.
 */
export interface KeylessCaller {
  keyless: true;
  company: CompanyRecord;
  subscription: SubscriptionRecord;
  integrationId: string;
}

/**
 * No key on an operation whose targets are named in the body (v1 `/message/new[/batch]`,
 * `x-connxio-target: body`; v1 `/message` without the query parameter), with a live bearer: the body is not read yet, so the handler checks
 * each target with `keylessTargetSubscription` (401 ApiKey unless it is a `useApiKey: false`
 * integration of the bearer's company).
 */
export interface PendingKeylessCaller {
  keylessTargets: true;
  company: CompanyRecord;
}

/** an operation that needs no key at all (the token endpoint) */
export type ConnxioCaller = ConnxioPrincipal | KeylessCaller | PendingKeylessCaller | { anonymous: true };

/** the credentials a Connxio call may carry; each at most once */
export const CREDENTIAL_HEADERS = ['Connxio-Api-Key', 'Authorization'] as const;

export function headerOrQuery(request: RequestInfo, name: string): string | undefined {
  const fromHeader = request.headers[name.toLowerCase()];
  if (typeof fromHeader === 'string' && fromHeader !== '') return fromHeader;
  for (const [k, v] of Object.entries(request.query)) {
    if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

function scopeExtension(op: OperationSpec, name: 'x-connxio-scope' | 'x-connxio-webhook-scope'): ApiKeyScope | undefined {
  // the scope extensions of specs/connxio.yaml hold API key scope names (the auth matrix probes every one)
  return op.extensions[name] as ApiKeyScope | undefined;
}

export function requiredScope(op: OperationSpec): ApiKeyScope {
  return scopeExtension(op, 'x-connxio-scope') ?? 'Management';
}

/** the scope that lets an operation through in webhook mode (`x-connxio-webhook-scope`), if any */
export function webhookScope(op: OperationSpec): ApiKeyScope | undefined {
  return scopeExtension(op, 'x-connxio-webhook-scope');
}

/**
 * 401 (WWW-Authenticate: Bearer) unless the request carries a live bearer issued to this company.
 * `companyOf` says what the company belongs to, for the mismatch message (the API key by default).
 */
export function requireBearer(env: TwinEnv, request: RequestInfo, companyId: string, companyOf = 'the API key'): void {
  const authorization = request.headers.authorization;
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) throw errors.unauthorized('missing bearer token; get one from POST /oauth/token', { headers: { 'WWW-Authenticate': 'Bearer' } });
  const bearer = checkBearer(env.store.reader, m[1]!, env.clock.now());
  if (!bearer.ok) throw errors.unauthorized(bearer.reason, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
  if (bearer.token.company_id !== companyId) {
    throw errors.unauthorized(`the bearer token was issued to another company than ${companyOf}`, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
  }
}

/** an `Authorization: Bearer …` header, valid or not */
export function sendsBearer(request: RequestInfo): boolean {
  return /^Bearer(\s|$)/i.test(request.headers.authorization ?? '');
}

/**
 * Webhook mode: `Connxio-Api-Webhook: true` (header or query, case-insensitive) on a call without
 * a bearer. The header lets a call through *without* a bearer (DECISIONS "webhook mode"); a call
 * that sends one is an ordinary bearer call, the header ignored, and its bearer is checked.
 */
export function inWebhookMode(request: RequestInfo): boolean {
  return headerOrQuery(request, 'Connxio-Api-Webhook')?.trim().toLowerCase() === 'true' && !sendsBearer(request);
}

/**
 * where a messaging operation names its target (`x-connxio-target`): path `integrationId`
 * (default), query `ConfigCorrelationId`, the body, or `query-or-body` (v1 `/message`: the query
 * parameter when sent, else the body's `configCorrelationId`)
 */
export function targetLocation(op: OperationSpec): 'path' | 'query' | 'body' | 'query-or-body' {
  const declared = op.extensions['x-connxio-target'];
  return declared === 'query' || declared === 'body' || declared === 'query-or-body' ? declared : 'path';
}

function targetIntegrationId(request: RequestInfo, op: OperationSpec): string | undefined {
  const location = targetLocation(op);
  if (location === 'path') return request.params?.integrationId;
  if (location !== 'query' && location !== 'query-or-body') return undefined;
  const value = request.query.ConfigCorrelationId;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * No key on a messaging call: allowed only when the target integration has `useApiKey: false`
 * (contract §3.5), and then with a bearer of the integration's company, as before API keys.
 */
function keylessCaller(env: TwinEnv, request: RequestInfo, op: OperationSpec): KeylessCaller | undefined {
  const integrationId = targetIntegrationId(request, op);
  if (!webhookScope(op) || !integrationId) return undefined;
  const reader = env.store.reader;
  const located = locateIntegration(reader, integrationId);
  if (!located || located.integration.useApiKey !== false) return undefined;
  const company = reader.get<CompanyRecord>(COMPANIES, located.companyId);
  const subscription = located.integration.subscriptionId
    ? reader.get<SubscriptionRecord>(companyCollection(located.companyId, 'subscriptions'), located.integration.subscriptionId)
    : undefined;
  if (!company || !subscription) return undefined;
  requireBearer(env, request, company.id, `the one integration ${integrationId} belongs to`);
  return { keyless: true, company, subscription, integrationId };
}

/** No key, targets in the body: a live bearer is needed now; each target is checked once the body is read. */
function pendingKeylessCaller(env: TwinEnv, request: RequestInfo, op: OperationSpec): PendingKeylessCaller | undefined {
  const location = targetLocation(op);
  if (!webhookScope(op) || (location !== 'body' && location !== 'query-or-body')) return undefined;
  const m = request.headers.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization) : null;
  if (!m) return undefined;
  const bearer = checkBearer(env.store.reader, m[1]!, env.clock.now());
  const company = bearer.ok ? env.store.reader.get<CompanyRecord>(COMPANIES, bearer.token.company_id) : undefined;
  return company ? { keylessTargets: true, company } : undefined;
}

/**
 * The subscription a keyless caller (a `PendingKeylessCaller` of `companyId`) delivers to
 * `integrationId` in: the integration's own, when it belongs to that company and has
 * `useApiKey: false`. Otherwise the call needed a key: 401 ApiKey.
 */
export function keylessTargetSubscription(tx: Tx, companyId: string, integrationId: string): string {
  const located = locateIntegration(tx, integrationId);
  if (!located || located.companyId !== companyId || located.integration.useApiKey !== false || !located.integration.subscriptionId) {
    throw errors.unauthorized('missing API key; send the Connxio-Api-Key header', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  }
  return located.integration.subscriptionId;
}

export function authenticateConnxio(env: TwinEnv, request: RequestInfo, op: OperationSpec): ConnxioCaller {
  if (op.security.length === 0) return { anonymous: true };
  refuseDuplicateHeaders(request, CREDENTIAL_HEADERS);
  const reader = env.store.reader;
  const presented = headerOrQuery(request, 'Connxio-Api-Key');
  if (!presented) {
    const keyless = inWebhookMode(request) ? undefined : (keylessCaller(env, request, op) ?? pendingKeylessCaller(env, request, op));
    if (keyless) return keyless;
    throw errors.unauthorized('missing API key; send the Connxio-Api-Key header', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  }
  const found = findKeyByValue(reader, presented);
  if (!found) throw errors.unauthorized('the API key is not valid', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  const { key, companyId } = found;
  if (!key.active) throw errors.unauthorized('the API key is inactive', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  const subscription = reader.get<SubscriptionRecord>(companyCollection(companyId, 'subscriptions'), key.subscriptionId);
  const company = reader.get<CompanyRecord>(COMPANIES, companyId);
  if (!subscription || !company) throw errors.unauthorized('the API key belongs to no subscription', { headers: { 'WWW-Authenticate': 'ApiKey' } });

  const scope = requiredScope(op);
  const webhookMode = inWebhookMode(request);
  if (webhookMode) {
    // webhook mode replaces the bearer: only where the operation allows it, and only for a key with that scope
    const allowed = webhookScope(op);
    if (!allowed || !key.scopes.includes(allowed)) {
      throw errors.unauthorized(
        allowed
          ? `webhook mode needs a key with the ${allowed} scope; send a bearer token instead`
          : 'webhook mode is only available on the messaging endpoints; send a bearer token instead',
        { headers: { 'WWW-Authenticate': 'Bearer' } },
      );
    }
    return { company, subscription, key, webhookMode };
  }
  requireBearer(env, request, company.id);
  if (!key.scopes.includes(scope)) throw errors.forbidden(`the API key lacks the ${scope} scope this operation needs`);
  return { company, subscription, key, webhookMode };
}

/**
 * CORS preflight (contract §1.2: every response allows any origin). ASP.NET's AllowAnyOrigin /
 * AllowAnyMethod / AllowAnyHeader policy: the requested method and headers are echoed back.
 */
export function connxioPreflight(request: RequestInfo, allow: readonly string[]): Record<string, string> {
  const method = request.headers['access-control-request-method'];
  const headers = request.headers['access-control-request-headers'];
  return {
    'access-control-allow-methods': typeof method === 'string' && method ? method : allow.join(', '),
    ...(typeof headers === 'string' && headers ? { 'access-control-allow-headers': headers } : {}),
  };
}

export function isPrincipal(caller: ConnxioCaller): caller is ConnxioPrincipal {
  return 'key' in caller;
}

export function isKeyless(caller: ConnxioCaller): caller is KeylessCaller {
  return 'keyless' in caller;
}

export function isPendingKeyless(caller: ConnxioCaller): caller is PendingKeylessCaller {
  return 'keylessTargets' in caller;
}
