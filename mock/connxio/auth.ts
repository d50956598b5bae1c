import { errors } from '../core/errors.ts';
import type { RequestInfo, TwinEnv } from '../core/pipeline.ts';
import type { OperationSpec } from '../core/spec.ts';
import { findKeyByValue } from './api-keys/model.ts';
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

/** an operation that needs no key at all (the token endpoint) */
export type ConnxioCaller = ConnxioPrincipal | { anonymous: true };

export function headerOrQuery(request: RequestInfo, name: string): string | undefined {
  const fromHeader = request.headers[name.toLowerCase()];
  if (typeof fromHeader === 'string' && fromHeader !== '') return fromHeader;
  for (const [k, v] of Object.entries(request.query)) {
    if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

export function requiredScope(op: OperationSpec): ApiKeyScope {
  return (op.extensions['x-connxio-scope'] as ApiKeyScope | undefined) ?? 'Management';
}

export function authenticateConnxio(env: TwinEnv, request: RequestInfo, op: OperationSpec): ConnxioCaller {
  if (op.security.length === 0) return { anonymous: true };
  const reader = env.store.reader;
  const presented = headerOrQuery(request, 'Connxio-Api-Key');
  if (!presented) throw errors.unauthorized('missing API key; send the Connxio-Api-Key header', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  const found = findKeyByValue(reader, presented);
  if (!found) throw errors.unauthorized('the API key is not valid', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  const { key, companyId } = found;
  if (!key.active) throw errors.unauthorized('the API key is inactive', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  const subscription = reader.get<SubscriptionRecord>(companyCollection(companyId, 'subscriptions'), key.subscriptionId);
  const company = reader.get<CompanyRecord>(COMPANIES, companyId);
  if (!subscription || !company) throw errors.unauthorized('the API key belongs to no subscription', { headers: { 'WWW-Authenticate': 'ApiKey' } });

  const scope = requiredScope(op);
  const webhookHeader = headerOrQuery(request, 'Connxio-Api-Webhook');
  const webhookMode = webhookHeader?.toLowerCase() === 'true';
  if (webhookMode) {
    const mayUseWebhook = scope !== 'Management' && key.scopes.includes('Webhook');
    if (!mayUseWebhook) {
      throw errors.unauthorized('webhook mode needs a key with the Webhook scope on a messaging endpoint; send a bearer token instead', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
  } else {
    const authorization = request.headers.authorization;
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m) throw errors.unauthorized('missing bearer token; get one from POST /oauth/token', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const bearer = checkBearer(reader, m[1]!, env.clock.now());
    if (!bearer.ok) throw errors.unauthorized(bearer.reason, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    if (bearer.token.company_id !== company.id) {
      throw errors.unauthorized('the bearer token was issued to another company than the API key', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    }
  }
  if (!key.scopes.includes(scope)) throw errors.forbidden(`the API key lacks the ${scope} scope this operation needs`);
  return { company, subscription, key, webhookMode };
}

export function isPrincipal(caller: ConnxioCaller): caller is ConnxioPrincipal {
  return !('anonymous' in caller);
}
