import { LIVE_PREFIX } from './support/resources.ts';
import { VENDOR_VARIABLES } from './selection.ts';

/**
 * `apitwin conformance --cleanup`: finds what earlier runs left on a live tenant (everything the
 * suite creates is named `apitwin-…`, Connxio integrations carry it in their description) and
 * deletes it, in an order that respects dependencies:
 * - Synqly: webhooks, members (they bind roles), sub-organizations; then per account the
 *   integrations, bridges and credentials; then the accounts (cascading to what is left in them);
 *   then roles, integration points, the mappings the points' templates name, and tokens last.
 * - Connxio: integrations first (they reference security configs, code components and variables),
 *   then environment variables, security configs and code components.
 */

export class CleanupTargetError extends Error {
  override name = 'CleanupTargetError';
}
export class CleanupUsageError extends Error {
  override name = 'CleanupUsageError';
}

type Item = Record<string, unknown>;

interface Family {
  label: string;
  /** list path; for a family nested under a parent, a function of the parent item */
  list: string;
  remove: (item: Item) => string;
  /** the fields that may carry the suite's prefix */
  named?: (item: Item) => Array<unknown>;
}

const byName = (i: Item) => [i.name, i.fullname];

export const SYNQLY_ORDER: Family[] = [
  { label: 'organization webhooks', list: '/v1/organization/webhooks', remove: (i) => `/v1/organization/webhooks/${i.id}` },
  { label: 'members', list: '/v1/members', remove: (i) => `/v1/members/${i.id}` },
  { label: 'sub-organizations', list: '/v1/suborgs', remove: (i) => `/v1/suborgs/${i.id}` },
  { label: 'integrations', list: '/v1/integrations', remove: (i) => `/v1/integrations/${i.account_id}/${i.id}` },
  { label: 'bridges', list: '/v1/bridges/{account}', remove: (i) => `/v1/bridges/${i.account_id ?? i.__parent}/${i.id}` },
  { label: 'credentials', list: '/v1/credentials/{account}', remove: (i) => `/v1/credentials/${i.owner_id ?? i.__parent}/${i.id}` },
  { label: 'accounts', list: '/v1/accounts', remove: (i) => `/v1/accounts/${i.id}` },
  { label: 'roles', list: '/v1/roles', remove: (i) => `/v1/roles/${i.id}` },
  { label: 'integration points', list: '/v1/integration-points', remove: (i) => `/v1/integration-points/${i.id}` },
  { label: 'mappings', list: '/v1/mappings', remove: (i) => `/v1/mappings/${i.id}` },
  // last: should the token this run authenticates with carry the prefix, nothing else is lost
  { label: 'tokens', list: '/v1/tokens', remove: (i) => `/v1/tokens/${i.id}` },
];

export const CONNXIO_ORDER: Family[] = [
  { label: 'integrations', list: '/v2/integrations', remove: (i) => `/v2/integrations/${i.id ?? i.configCorrelationId}`, named: (i) => [i.name, i.description] },
  { label: 'environment variables', list: '/v2/environmentvariables', remove: (i) => `/v2/environmentvariables/${i.id}` },
  { label: 'security configs', list: '/v2/securityconfigs', remove: (i) => `/v2/securityconfigs/${i.id}` },
  { label: 'code components', list: '/v2/codecomponents', remove: (i) => `/v2/codecomponents/${i.id}` },
];

function itemsOf(body: unknown): Item[] {
  if (Array.isArray(body)) return body as Item[];
  const b = body as Record<string, unknown> | null;
  for (const key of ['result', 'items', 'value', 'data']) if (Array.isArray(b?.[key])) return b![key] as Item[];
  return [];
}

function leftover(family: Family, item: Item): string | undefined {
  const values = (family.named ?? byName)(item);
  return values.find((v): v is string => typeof v === 'string' && v.startsWith(LIVE_PREFIX));
}

export interface CleanupResult {
  removed: number;
  failed: number;
}

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** fetch that turns an unreachable URL into one line naming it and its variable */
function client(base: string, variable: string, headers: Record<string, string>): Fetch {
  return async (path, init) => {
    try {
      return await fetch(`${base.replace(/\/$/, '')}${path}`, { ...init, headers: { accept: 'application/json', ...headers } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CleanupTargetError(`cannot reach ${base} (${variable}): ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  };
}

async function sweep(call: Fetch, families: Family[], credentialVariable: string, log: (line: string) => void): Promise<CleanupResult> {
  const result: CleanupResult = { removed: 0, failed: 0 };
  let accounts: Item[] | undefined;
  const listAll = async (path: string): Promise<Item[] | undefined> => {
    const res = await call(path);
    if (res.status === 401 || res.status === 403) throw new CleanupTargetError(`the tenant refused the credentials (${res.status} on GET ${path}): check ${credentialVariable}`);
    if (!res.ok) {
      log(`skip ${path}: ${res.status}`);
      return undefined;
    }
    return itemsOf(await res.json());
  };
  for (const family of families) {
    let items: Item[] = [];
    if (family.list.includes('{account}')) {
      accounts ??= (await listAll('/v1/accounts')) ?? [];
      for (const account of accounts) {
        const listed = await listAll(family.list.replace('{account}', String(account.id)));
        items.push(...(listed ?? []).map((i) => ({ ...i, __parent: account.id })));
      }
    } else {
      items = (await listAll(family.list)) ?? [];
    }
    for (const item of items) {
      const name = leftover(family, item);
      if (!name) continue;
      const del = await call(family.remove(item), { method: 'DELETE' });
      if (del.ok || del.status === 404) {
        result.removed++;
        log(`deleted ${family.label} ${name}`);
      } else {
        result.failed++;
        log(`could not delete ${family.label} ${name}: ${del.status}`);
      }
    }
    if (family.label === 'accounts') accounts = undefined;
  }
  return result;
}

export async function cleanupLeftovers(target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<CleanupResult> {
  if (target !== 'live' && !target.startsWith('env:')) throw new CleanupUsageError('--cleanup works on live targets (live or env:<PREFIX>)');
  const prefix = target.startsWith('env:') ? target.slice(4) : '';
  const v = (name: string) => env[`${prefix}${name}`];
  const configured = (vendor: keyof typeof VENDOR_VARIABLES) => VENDOR_VARIABLES[vendor].required.every((n) => v(n));
  const touched = (vendor: keyof typeof VENDOR_VARIABLES) => [...VENDOR_VARIABLES[vendor].required, ...VENDOR_VARIABLES[vendor].optional].some((n) => v(n));
  const missing = (['synqly', 'connxio'] as const)
    .filter((vendor) => touched(vendor) || !(touched('synqly') || touched('connxio')))
    .flatMap((vendor) => VENDOR_VARIABLES[vendor].required.filter((n) => !v(n)).map((n) => `${prefix}${n}`));
  if (missing.length) throw new CleanupUsageError(`--cleanup on ${target} needs ${missing.join(', ')}`);
  const total: CleanupResult = { removed: 0, failed: 0 };
  const add = (r: CleanupResult) => {
    total.removed += r.removed;
    total.failed += r.failed;
  };
  if (configured('synqly')) {
    const call = client(v('SYNQLY_BASE_URL')!, `${prefix}SYNQLY_BASE_URL`, { authorization: `Bearer ${v('SYNQLY_TOKEN')}` });
    add(await sweep(call, SYNQLY_ORDER, `${prefix}SYNQLY_TOKEN`, log));
  }
  if (configured('connxio')) {
    const tokenVar = v('CONNXIO_TOKEN_URL') ? `${prefix}CONNXIO_TOKEN_URL` : `${prefix}CONNXIO_BASE_URL`;
    const tokenUrl = v('CONNXIO_TOKEN_URL') ?? `${v('CONNXIO_BASE_URL')!.replace(/\/$/, '')}/oauth/token`;
    let tokenRes: Response;
    try {
      tokenRes = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: v('CONNXIO_CLIENT_ID')!, client_secret: v('CONNXIO_CLIENT_SECRET')!, scope: 'api://connxio/.default' }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new CleanupTargetError(`cannot reach ${tokenUrl} (${tokenVar}): ${cause?.code ?? (err as Error).message}`);
    }
    if (!tokenRes.ok) {
      throw new CleanupTargetError(`the Connxio token request to ${tokenUrl} answered ${tokenRes.status}: check ${prefix}CONNXIO_CLIENT_ID and ${prefix}CONNXIO_CLIENT_SECRET`);
    }
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const call = client(v('CONNXIO_BASE_URL')!, `${prefix}CONNXIO_BASE_URL`, { 'connxio-api-key': v('CONNXIO_API_KEY')!, authorization: `Bearer ${access_token}` });
    add(await sweep(call, CONNXIO_ORDER, `${prefix}CONNXIO_API_KEY`, log));
  }
  return total;
}
