import type { Test } from 'supertest';
import { TestRunner } from 'vitest';
import { unconfiguredReason, type Client, type Target } from '../target.ts';
import { testCleanup, uniqueName, type Cleanup, type CleanupStep } from './resources.ts';

/**
 * A session = an identity on one vendor API plus the cleanup of what the scenario creates.
 * On a twin it is a fresh, isolated tenant made through the control API (deleted afterwards);
 * live it is the tenant whose credentials are in the environment.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Session {
  target: Target;
  /** the vendor client without credentials */
  raw: Client;
  get(path: string): Test;
  post(path: string): Test;
  put(path: string): Test;
  patch(path: string): Test;
  delete(path: string): Test;
  /** runs after the test, newest first; a 404 is fine */
  defer(step: CleanupStep): void;
  cleanup: Cleanup;
}

export interface SynqlySession extends Session {
  token: string;
  organizationId?: string;
  /** the control API's tenant id (twin only) */
  tenantId?: string;
}

export interface ConnxioSession extends Session {
  apiKey: string;
  bearer: string;
  companyId?: string;
  subscriptionId?: string;
  otherSubscriptionId?: string;
  tenantId?: string;
  oauth?: { clientId: string; clientSecret: string };
}

/**
 * Authenticated calls. On a live target without --allow-writes only GETs are made: a scenario
 * that tries to write is skipped at that point, before anything reaches the tenant.
 */
function authed(target: Target, client: Client, headers: Record<string, string>) {
  const call = (method: Method) => (path: string) => {
    if (method !== 'get' && !target.capabilities.writes) {
      TestRunner.getCurrentTest()?.context.skip(`writes are off on live targets (pass --allow-writes): ${method.toUpperCase()} ${path}`);
      throw new Error(`refusing ${method.toUpperCase()} ${path}: writes are off on this live target`);
    }
    let t = client[method](path);
    for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
    return t;
  };
  return { get: call('get'), post: call('post'), put: call('put'), patch: call('patch'), delete: call('delete') };
}

/** A Synqly client that presents `secret` as its bearer: another token of the same tenant. */
export function synqlyAs(target: Target, secret: string) {
  return authed(target, target.synqly, { authorization: `Bearer ${secret}` });
}

export async function synqlySession(target: Target, options: { profile?: 'empty' | 'demo' } = {}): Promise<SynqlySession> {
  const cleanup = testCleanup();
  if (!target.capabilities.admin) {
    const token = target.live.synqlyToken;
    if (!token) skipUnconfigured('Synqly', ['SYNQLY_TOKEN']);
    return { target, raw: target.synqly, token, ...authed(target, target.synqly, { authorization: `Bearer ${token}` }), defer: (s) => cleanup.defer(s), cleanup };
  }
  const res = await target.admin.post('/__admin/tenants').send({ vendor: 'synqly', name: uniqueName('org'), profile: options.profile ?? 'empty' });
  if (res.status !== 201) throw new Error(`could not create a Synqly tenant: ${res.status} ${res.text}`);
  const tenantId = res.body.id as string;
  cleanup.defer(() => target.admin.delete(`/__admin/tenants/${tenantId}`));
  const token = res.body.credentials.token as string;
  return {
    target,
    raw: target.synqly,
    token,
    organizationId: res.body.credentials.organization_id,
    tenantId,
    ...authed(target, target.synqly, { authorization: `Bearer ${token}` }),
    defer: (s) => cleanup.defer(s),
    cleanup,
  };
}

export async function connxioBearer(target: Target, clientId: string, clientSecret: string): Promise<string> {
  const tokenUrl = target.live.connxioTokenUrl;
  if (!target.capabilities.admin && tokenUrl) {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'api://connxio/.default' }),
    });
    if (!res.ok) throw new Error(`OAuth token request failed: ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const res = await target.connxio
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'api://connxio/.default' });
  if (res.status !== 200) throw new Error(`OAuth token request failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

export async function connxioSession(target: Target, options: { profile?: 'empty' | 'demo' } = {}): Promise<ConnxioSession> {
  const cleanup = testCleanup();
  if (!target.capabilities.admin) {
    const { connxioApiKey: apiKey, connxioClientId: clientId, connxioClientSecret: clientSecret } = target.live;
    if (!apiKey || !clientId || !clientSecret) {
      skipUnconfigured('Connxio', Object.entries({ CONNXIO_API_KEY: apiKey, CONNXIO_CLIENT_ID: clientId, CONNXIO_CLIENT_SECRET: clientSecret }).filter(([, v]) => !v).map(([k]) => k));
    }
    const bearer = await connxioBearer(target, clientId, clientSecret);
    return {
      target,
      raw: target.connxio,
      apiKey,
      bearer,
      oauth: { clientId, clientSecret },
      ...authed(target, target.connxio, { 'connxio-api-key': apiKey, authorization: `Bearer ${bearer}` }),
      defer: (s) => cleanup.defer(s),
      cleanup,
    };
  }
  const res = await target.admin.post('/__admin/tenants').send({ vendor: 'connxio', name: uniqueName('co'), profile: options.profile ?? 'empty' });
  if (res.status !== 201) throw new Error(`could not create a Connxio tenant: ${res.status} ${res.text}`);
  const tenantId = res.body.id as string;
  cleanup.defer(() => target.admin.delete(`/__admin/tenants/${tenantId}`));
  const c = res.body.credentials;
  const bearer = await connxioBearer(target, c.oauth.client_id, c.oauth.client_secret);
  return {
    target,
    raw: target.connxio,
    apiKey: c.api_key,
    bearer,
    companyId: c.company_id,
    subscriptionId: c.api_key_subscription_id,
    otherSubscriptionId: (c.subscriptions as Array<{ id: string }>).find((s) => s.id !== c.api_key_subscription_id)?.id,
    tenantId,
    oauth: { clientId: c.oauth.client_id, clientSecret: c.oauth.client_secret },
    ...authed(target, target.connxio, { 'connxio-api-key': c.api_key, authorization: `Bearer ${bearer}` }),
    defer: (s) => cleanup.defer(s),
    cleanup,
  };
}

/** A live scenario of a vendor without settings is skipped (not failed), naming what is missing. */
function skipUnconfigured(vendor: string, missing: string[]): never {
  const reason = unconfiguredReason(vendor, missing);
  TestRunner.getCurrentTest()?.context.skip(reason);
  throw new Error(reason);
}
