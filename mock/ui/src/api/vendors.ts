import { adminApi } from './admin.ts';
import { http, HttpError, type RequestOptions } from './http.ts';
import type { ConnxioCredentials, SynqlyCredentials, Tenant } from './types.ts';

/**
 * The vendor APIs, called the way any client calls them: Synqly with the organization's bearer
 * token, Connxio with the company's API key plus a bearer from POST /oauth/token. Each on its own
 * listener — the dashboard page is served by that listener, so the calls are same-origin.
 *
 * Credentials come from the control API: when a tenant is created or reset (the response carries
 * them), or derived again for an existing tenant (GET /__admin/tenants/{id}/credentials). They are
 * kept in this origin's localStorage, so every tab of the dashboard on this listener shares them
 * (a token the dashboard rotated keeps working in the other tabs). They are the twin's test secrets.
 *
 * Every call carries X-Apitwin-Client: dashboard, kept in the request journal, so the journal can
 * hide the dashboard's own calls.
 */

export const CLIENT_HEADER = { 'x-apitwin-client': 'dashboard' } as const;

const CREDS_PREFIX = 'apitwin.credentials.';

export class CredentialsUnavailable extends Error {
  constructor(readonly tenant: Tenant) {
    super(
      `The twin cannot derive working credentials for the ${tenant.vendor === 'synqly' ? 'Synqly organization' : 'Connxio company'} "${tenant.name}" any more: ` +
        `they were rotated, reset or deleted since it was created.`,
    );
    this.name = 'CredentialsUnavailable';
  }
}

export function rememberCredentials(tenantId: string, credentials: SynqlyCredentials | ConnxioCredentials): void {
  localStorage.setItem(CREDS_PREFIX + tenantId, JSON.stringify(credentials));
}

export function forgetCredentials(tenantId: string): void {
  localStorage.removeItem(CREDS_PREFIX + tenantId);
  bearers.delete(tenantId);
}

function cached<T>(tenantId: string): T | undefined {
  const text = localStorage.getItem(CREDS_PREFIX + tenantId);
  return text ? (JSON.parse(text) as T) : undefined; // the caller names the stored value's type
}

export async function credentialsFor<T extends SynqlyCredentials | ConnxioCredentials>(tenant: Tenant, fresh = false): Promise<T> {
  if (!fresh) {
    const hit = cached<T>(tenant.id);
    if (hit) return hit;
  }
  try {
    const derived = await adminApi.credentials(tenant.id);
    rememberCredentials(tenant.id, derived.credentials);
    return derived.credentials as T; // T is the caller's word for its tenant's vendor: the twin answers that vendor's credentials
  } catch (err) {
    if (err instanceof HttpError && err.status === 404 && !err.unavailable) throw new CredentialsUnavailable(tenant);
    throw err;
  }
}

/** Runs `call` with the tenant's credentials; on 401 fetches them again once (they may have been reset). */
async function withCredentials<C extends SynqlyCredentials | ConnxioCredentials, R>(tenant: Tenant, call: (c: C) => Promise<R>): Promise<R> {
  const first = await credentialsFor<C>(tenant);
  try {
    return await call(first);
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 401) throw err;
    forgetCredentials(tenant.id);
    const again = await credentialsFor<C>(tenant, true);
    if (JSON.stringify(again) === JSON.stringify(first)) throw err;
    return call(again);
  }
}

// ---- Synqly

export async function synqly<T>(tenant: Tenant, path: string, options: RequestOptions = {}): Promise<T> {
  return withCredentials<SynqlyCredentials, T>(tenant, async (c) => {
    const res = await http<T>(path, { ...options, headers: { ...CLIENT_HEADER, authorization: `Bearer ${c.token}`, ...options.headers } });
    return res.body;
  });
}

/** After the dashboard rotated or reset the token it uses, it carries on with the new secret. */
export function adoptSynqlyToken(tenant: Tenant, refreshTokenId: string, accessSecret: string): boolean {
  const c = cached<SynqlyCredentials>(tenant.id);
  if (!c || c.refresh_token_id !== refreshTokenId) return false;
  rememberCredentials(tenant.id, { ...c, token: accessSecret });
  return true;
}

// ---- Connxio

const bearers = new Map<string, { token: string; expiresAt: number }>();
/** one token request at a time per tenant: a page's parallel calls share it */
const pending = new Map<string, Promise<string>>();

async function connxioBearer(tenant: Tenant, c: ConnxioCredentials): Promise<string> {
  const hit = bearers.get(tenant.id);
  if (hit && hit.expiresAt > Date.now() + 30_000) return hit.token;
  const inFlight = pending.get(tenant.id);
  if (inFlight) return inFlight;
  const request = (async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret });
    if (c.oauth.scope) form.set('scope', c.oauth.scope);
    const res = await http<{ access_token: string; expires_in: number }>(c.oauth.token_path || '/oauth/token', { method: 'POST', body: form, headers: { ...CLIENT_HEADER } });
    bearers.set(tenant.id, { token: res.body.access_token, expiresAt: Date.now() + res.body.expires_in * 1000 });
    return res.body.access_token;
  })();
  pending.set(tenant.id, request);
  try {
    return await request;
  } finally {
    pending.delete(tenant.id);
  }
}

export async function connxio<T>(tenant: Tenant, path: string, options: RequestOptions = {}): Promise<T> {
  return withCredentials<ConnxioCredentials, T>(tenant, async (c) => {
    const call = async () => {
      const bearer = await connxioBearer(tenant, c);
      return http<T>(path, { ...options, headers: { ...CLIENT_HEADER, 'connxio-api-key': c.api_key, authorization: `Bearer ${bearer}`, ...options.headers } });
    };
    try {
      return (await call()).body;
    } catch (err) {
      // the twin's clock may have moved past the bearer's expiry: one new bearer, then give up
      if (!(err instanceof HttpError) || err.status !== 401 || !bearers.has(tenant.id)) throw err;
      bearers.delete(tenant.id);
      return (await call()).body;
    }
  });
}
