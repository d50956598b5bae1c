import { loadSpec, specPath, type ApiSpec, type JsonSchema, type OperationSpec } from '../mock/core/spec.ts';
import { LIVE_PREFIX } from './support/resources.ts';
import { VENDOR_VARIABLES } from './selection.ts';

/**
 * `apitwin conformance --cleanup`: finds what earlier runs left on a live tenant (everything the
 * suite creates is named `apitwin-…`; Connxio integrations carry it in their description) and
 * deletes it. What to sweep comes from the spec, not from a list kept here:
 * - a family is a collection path `P` with a list (`GET P`), a create (`POST` or `PUT P`) and a
 *   delete (`DELETE P/{id}`); its label is the delete operation's tag;
 * - a path parameter of `P` names the family whose delete takes that parameter as its id (bridges
 *   under `{accountId}` are listed per account); a parameter no family takes (`{ownerId}`) is
 *   filled from the families others nest under;
 * - children go before their parents (more path parameters first); families whose items hold
 *   bearer credentials (a token pair: `primary.access`) go last, so that should the run's own
 *   token carry the prefix, nothing else is lost; otherwise the spec's order;
 * - a delete the tenant refuses (409: a role still bound, a mapping still named) is tried again
 *   after the others, for as long as a round removes something.
 */

export class CleanupTargetError extends Error {
  override name = 'CleanupTargetError';
}
export class CleanupUsageError extends Error {
  override name = 'CleanupUsageError';
}

type Item = Record<string, unknown>;

export interface Family {
  label: string;
  list: OperationSpec;
  remove: OperationSpec;
  /** the delete path's last parameter: the item's id */
  idParam: string;
  /** path parameters of the list path → the family whose items fill them */
  parents: Array<{ param: string; from: Family[]; byName: boolean }>;
}

/** the schema of one listed item: the 200 answer's array, or its `result` array */
function listedItem(op: OperationSpec): JsonSchema | undefined {
  let schema = op.responses['200']?.content?.['application/json']?.schema as JsonSchema | undefined;
  const result = (schema?.properties as Record<string, JsonSchema> | undefined)?.result;
  if (result) schema = result;
  return schema?.type === 'array' ? (schema.items as JsonSchema | undefined) : undefined;
}

const holdsCredentials = (family: Family) => {
  const primary = (listedItem(family.list)?.properties as Record<string, JsonSchema> | undefined)?.primary;
  return Boolean((primary?.properties as Record<string, unknown> | undefined)?.access);
};

const paramsOf = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** The families of a spec, in the order the sweep visits them. */
export function cleanupFamilies(spec: ApiSpec): Family[] {
  const at = (method: string, path: string) => spec.operations.find((op) => op.method === method && op.path === path);
  const families: Family[] = [];
  for (const remove of spec.operations.filter((op) => op.method === 'DELETE')) {
    const m = /^(.*)\/\{(\w+)\}$/.exec(remove.path);
    if (!m) continue;
    const [, collection, idParam] = m as unknown as [string, string, string];
    const list = at('GET', collection);
    if (!list || !(at('POST', collection) ?? at('PUT', collection))) continue;
    const tag = remove.tags[0] ?? collection;
    families.push({ label: tag.charAt(0).toLowerCase() + tag.slice(1), list, remove, idParam, parents: [] });
  }
  const owners = families.filter((f) => families.some((g) => paramsOf(g.list.path).includes(f.idParam)));
  for (const family of families) {
    family.parents = paramsOf(family.list.path).map((param) => {
      const named = families.filter((f) => f.idParam === param && f !== family);
      return named.length ? { param, from: named, byName: true } : { param, from: owners.filter((f) => f !== family), byName: false };
    });
  }
  const rank = (f: Family) => (holdsCredentials(f) ? 1 : 0);
  return families
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || b.f.parents.length - a.f.parents.length || a.i - b.i)
    .map(({ f }) => f);
}

function itemsOf(body: unknown): Item[] {
  if (Array.isArray(body)) return body as Item[];
  const b = body as Record<string, unknown> | null;
  for (const key of ['result', 'items', 'value', 'data']) if (Array.isArray(b?.[key])) return b![key] as Item[];
  return [];
}

/** the suite's name on an item, if it carries one */
function leftover(item: Item): string | undefined {
  return [item.name, item.fullname, item.description].find((v): v is string => typeof v === 'string' && v.startsWith(LIVE_PREFIX));
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

/** Connxio answers an unknown code component, variable or security configuration with 400 "… not found": gone too */
async function gone(res: Response): Promise<boolean> {
  if (res.ok || res.status === 404) return true;
  if (res.status !== 400) return false;
  const text = await res.text().catch(() => '');
  return /not found/i.test(text);
}

export async function sweep(call: Fetch, families: Family[], credentialVariable: string, log: (line: string) => void): Promise<CleanupResult> {
  const result: CleanupResult = { removed: 0, failed: 0 };
  const listAll = async (path: string, quiet = false): Promise<Item[] | undefined> => {
    const res = await call(path);
    if (res.status === 401 || res.status === 403) throw new CleanupTargetError(`the tenant refused the credentials (${res.status} on GET ${path}): check ${credentialVariable}`);
    if (!res.ok) {
      if (!quiet) log(`skip ${path}: ${res.status}`);
      return undefined;
    }
    return itemsOf(await res.json());
  };
  /** every item of a family, with the values of its list path's parameters */
  const itemsOfFamily = async (family: Family): Promise<Array<{ item: Item; params: Record<string, string> }>> => {
    let bindings: Array<Record<string, string>> = [{}];
    for (const parent of family.parents) {
      const next: Array<Record<string, string>> = [];
      for (const binding of bindings) {
        for (const owner of parent.from) {
          for (const item of (await listAll(fill(owner.list.path, binding))) ?? []) next.push({ ...binding, [parent.param]: String(item.id) });
        }
      }
      bindings = next;
    }
    const out: Array<{ item: Item; params: Record<string, string> }> = [];
    for (const params of bindings) {
      // a parameter no family names is filled from every owner, not all of them this family's: a 4xx is expected
      const quiet = family.parents.some((p) => !p.byName);
      for (const item of (await listAll(fill(family.list.path, params), quiet)) ?? []) out.push({ item, params });
    }
    return out;
  };
  let refused: Array<{ label: string; name: string; status: number }> = [];
  for (let round = 0; ; round++) {
    const removedBefore = result.removed;
    refused = [];
    for (const family of families) {
      for (const { item, params } of await itemsOfFamily(family)) {
        const name = leftover(item);
        if (!name) continue;
        const del = await call(fill(family.remove.path, { ...params, [family.idParam]: String(item.id) }), { method: 'DELETE' });
        if (await gone(del)) {
          result.removed++;
          log(`deleted ${family.label} ${name}`);
        } else {
          refused.push({ label: family.label, name, status: del.status });
        }
      }
    }
    if (refused.length === 0 || result.removed === removedBefore || round >= families.length) break;
  }
  for (const r of refused) {
    result.failed++;
    log(`could not delete ${r.label} ${r.name}: ${r.status}`);
  }
  return result;
}

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
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
    add(await sweep(call, cleanupFamilies(await loadSpec(specPath('synqly-management.yaml'))), `${prefix}SYNQLY_TOKEN`, log));
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
    add(await sweep(call, cleanupFamilies(await loadSpec(specPath('connxio.yaml'))), `${prefix}CONNXIO_API_KEY`, log));
  }
  return total;
}
