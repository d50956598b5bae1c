import { LIVE_PREFIX } from './support/resources.ts';

/**
 * `apitwin conformance --cleanup`: finds what earlier runs left on a live tenant (everything the
 * suite creates is named `apitwin-…`) and deletes it. Accounts go before integration points and
 * mappings, since deleting one cascades to its integrations (which may use both).
 */

interface Family {
  list: string;
  remove: (item: Record<string, unknown>) => string;
  name: (item: Record<string, unknown>) => string | undefined;
}

const SYNQLY: Family[] = [
  { list: '/v1/organization/webhooks', remove: (i) => `/v1/organization/webhooks/${i.id}`, name: (i) => i.name as string },
  { list: '/v1/members', remove: (i) => `/v1/members/${i.id}`, name: (i) => i.name as string },
  { list: '/v1/roles', remove: (i) => `/v1/roles/${i.id}`, name: (i) => i.name as string },
  { list: '/v1/accounts', remove: (i) => `/v1/accounts/${i.id}`, name: (i) => i.name as string },
  // after the accounts (whose integrations may use them), points before the mappings their templates name
  { list: '/v1/integration-points', remove: (i) => `/v1/integration-points/${i.id}`, name: (i) => i.name as string },
  { list: '/v1/mappings', remove: (i) => `/v1/mappings/${i.id}`, name: (i) => i.name as string },
];

const CONNXIO: Family[] = [
  { list: '/v2/integrations', remove: (i) => `/v2/integrations/${i.configCorrelationId ?? i.id}`, name: (i) => i.name as string },
  { list: '/v2/environmentvariables', remove: (i) => `/v2/environmentvariables/${i.id}`, name: (i) => i.name as string },
  { list: '/v2/securityconfigs', remove: (i) => `/v2/securityconfigs/${i.id}`, name: (i) => i.name as string },
  { list: '/v2/codecomponents', remove: (i) => `/v2/codecomponents/${i.id}`, name: (i) => i.name as string },
];

async function sweep(base: string, headers: Record<string, string>, families: Family[], log: (line: string) => void): Promise<number> {
  let removed = 0;
  for (const family of families) {
    const res = await fetch(`${base}${family.list}`, { headers });
    if (!res.ok) {
      log(`skip ${family.list}: ${res.status}`);
      continue;
    }
    const body = (await res.json()) as unknown;
    const items = (Array.isArray(body) ? body : ((body as { result?: unknown }).result ?? [])) as Array<Record<string, unknown>>;
    for (const item of items) {
      const name = family.name(item);
      if (!name?.startsWith(LIVE_PREFIX)) continue;
      const del = await fetch(`${base}${family.remove(item)}`, { method: 'DELETE', headers });
      log(`${del.ok || del.status === 404 ? 'deleted' : `could not delete (${del.status})`} ${family.list} ${name}`);
      if (del.ok) removed++;
    }
  }
  return removed;
}

export async function cleanupLeftovers(target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  if (target !== 'live' && !target.startsWith('env:')) throw new Error('--cleanup works on live targets (live or env:<PREFIX>)');
  const prefix = target.startsWith('env:') ? target.slice(4) : '';
  const v = (name: string) => env[`${prefix}${name}`];
  let removed = 0;
  if (v('SYNQLY_BASE_URL') && v('SYNQLY_TOKEN')) {
    removed += await sweep(v('SYNQLY_BASE_URL')!, { authorization: `Bearer ${v('SYNQLY_TOKEN')}` }, SYNQLY, log);
  }
  if (v('CONNXIO_BASE_URL') && v('CONNXIO_API_KEY') && v('CONNXIO_CLIENT_ID') && v('CONNXIO_CLIENT_SECRET')) {
    const tokenUrl = v('CONNXIO_TOKEN_URL') ?? `${v('CONNXIO_BASE_URL')}/oauth/token`;
    const tokenRes = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: v('CONNXIO_CLIENT_ID')!, client_secret: v('CONNXIO_CLIENT_SECRET')!, scope: 'api://connxio/.default' }),
    });
    if (!tokenRes.ok) throw new Error(`Connxio token request failed: ${tokenRes.status}`);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    removed += await sweep(v('CONNXIO_BASE_URL')!, { 'connxio-api-key': v('CONNXIO_API_KEY')!, authorization: `Bearer ${access_token}` }, CONNXIO, log);
  }
  return removed;
}
