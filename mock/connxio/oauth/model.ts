import { errors } from '../../core/errors.ts';
import { hashSecret, sameHash } from '../../core/secrets.ts';
import type { Tx } from '../../core/store/store.ts';
import { companyCollection, CLIENT_INDEX, OAUTH_TOKENS, type ClientIndexRecord, type CompanyState, type OAuthClientRecord, type OAuthTokenRecord } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';

/** OAuth client-credentials (contract §1.4, DECISIONS): opaque bearer tokens, one hour, from the clock. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export function createOAuthClient(state: CompanyState, input: { name: string }, env: ModelEnv): { record: OAuthClientRecord; secret: string } {
  const secret = env.random.secret();
  const record: OAuthClientRecord = { id: env.random.uuid(), name: input.name, secret_hash: hashSecret(secret), created: iso(env.nowMs) };
  state.oauthClients.put(record);
  state.clientIndex.put({ id: record.id, company_id: state.companyId });
  return { record, secret };
}

export interface TokenRequest {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
}

/** Client credentials from `Authorization: Basic …` (RFC 6749 §2.3.1: each part form-urlencoded, then base64); undefined when the header is not Basic. */
export function basicClientCredentials(authorization: string | undefined): { client_id: string; client_secret: string } | undefined {
  const m = /^basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const part = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  if (colon < 0) return { client_id: part(decoded), client_secret: '' };
  return { client_id: part(decoded.slice(0, colon)), client_secret: part(decoded.slice(colon + 1)) };
}

/**
 * Issues an access token for valid client credentials, given in the body or with HTTP Basic
 * (`basic`, not both); OAuth errors carry their RFC 6749 §5.2 code.
 */
export function issueToken(tx: Tx, body: TokenRequest, env: ModelEnv, basic?: { client_id: string; client_secret: string }): { access_token: string; token_type: 'Bearer'; expires_in: number } {
  if (!body.grant_type) throw errors.badRequest('grant_type is required', { extra: { oauthError: 'invalid_request' } });
  if (body.grant_type !== 'client_credentials') {
    throw errors.badRequest(`grant_type ${body.grant_type} is not supported; use client_credentials`, { extra: { oauthError: 'unsupported_grant_type' } });
  }
  // RFC 6749 §2.3: one authentication method per request (a body client_id that repeats Basic's is tolerated)
  const twice = basic !== undefined && (body.client_secret !== undefined || (body.client_id !== undefined && body.client_id !== basic.client_id));
  if (twice) {
    throw errors.badRequest('the client authenticated twice: use HTTP Basic or client_id/client_secret in the body, not both', { extra: { oauthError: 'invalid_request' } });
  }
  const input = basic ?? body;
  const challenge = basic ? { headers: { 'WWW-Authenticate': 'Basic realm="connxio"' } } : {};
  if (!input.client_id || (!basic && !input.client_secret)) {
    throw errors.badRequest('client_id and client_secret are required (in the body or with HTTP Basic)', { extra: { oauthError: 'invalid_request' } });
  }
  const entry = tx.get<ClientIndexRecord>(CLIENT_INDEX, input.client_id);
  const client = entry && tx.get<OAuthClientRecord>(companyCollection(entry.company_id, 'oauth_clients'), input.client_id);
  if (!entry || !client || !sameHash(client.secret_hash, hashSecret(input.client_secret ?? ''))) {
    throw errors.unauthorized('client authentication failed', { extra: { oauthError: 'invalid_client' }, ...challenge });
  }
  const token = env.random.secret();
  const record: OAuthTokenRecord = {
    id: hashSecret(token),
    company_id: entry.company_id,
    client_id: client.id,
    expires_at: iso(env.nowMs + TOKEN_LIFETIME_SECONDS * 1000),
  };
  tx.put(OAUTH_TOKENS, record.id, record);
  return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS };
}

export type BearerCheck = { ok: true; token: OAuthTokenRecord } | { ok: false; reason: string };

export function checkBearer(tx: Tx, token: string, nowMs: number): BearerCheck {
  const record = tx.get<OAuthTokenRecord>(OAUTH_TOKENS, hashSecret(token));
  if (!record) return { ok: false, reason: 'the bearer token is not valid' };
  if (Date.parse(record.expires_at) <= nowMs) return { ok: false, reason: 'the bearer token has expired' };
  return { ok: true, token: record };
}

/** the view of a client: never its secret or hash */
export function oauthClientView(record: OAuthClientRecord) {
  const { secret_hash: _hash, ...rest } = record;
  return { ...rest, client_id: record.id };
}

export function listOAuthClients(state: CompanyState): OAuthClientRecord[] {
  return state.oauthClients.all().sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

/** Deletes a client and revokes every token issued to it. */
export function deleteOAuthClient(state: CompanyState, clientId: string): OAuthClientRecord {
  const client = state.oauthClients.get(clientId);
  if (!client) throw errors.notFound(`OAuth client ${clientId} not found in company ${state.companyId}`);
  for (const token of state.oauthTokens.all()) if (token.client_id === client.id) state.oauthTokens.delete(token.id);
  state.clientIndex.delete(client.id);
  state.oauthClients.delete(client.id);
  return client;
}
