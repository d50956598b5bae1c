import { lazyDependency } from './lazy-dependency.ts';
import { errors } from './errors.ts';
import type { Tx } from './store/store.ts';
import { messageOf } from './error-message.ts';

const jsonPath = lazyDependency<typeof import('jsonpath-plus')>('jsonpath-plus');

/**
 * Response stubs: user-defined answers over the stateful twin (control API `/__admin/stubs`,
 * `apitwin serve --stubs DIR`). A stub is plain JSON kept in the store (`twin/stubs`). It matches
 * by vendor and operationId (or method and path template), optionally a tenant, and predicates on
 * path parameters, query, headers and the JSON body; the highest priority wins, among equals the
 * newest. It is checked after auth unless created `beforeAuth` (DECISIONS.md, "stubs"), answers
 * instead of the handler and changes no state but its own `times` and `matched` counters.
 */

export const STUBS = 'twin/stubs';

export type StubVendor = 'synqly' | 'connxio' | 'custom';

/** A predicate on one value (a path parameter, query parameter, header or body field). */
export interface ValuePredicate {
  /** equal to this JSON value (a string compares with the value as sent) */
  equals?: unknown;
  /** an object or array: every field/item given is present with that value (nested) */
  partial?: unknown;
  /** a regular expression the value (as a string) must match */
  matches?: string;
  /** true: the value must be present; false: absent */
  present?: boolean;
}

/** A predicate on the JSON body: the whole body (no `path`) or the values a JSONPath selects. */
export interface BodyPredicate extends ValuePredicate {
  /** JSONPath (e.g. `$.name`, `$.tags[0]`); the predicate holds when any selected value satisfies it */
  path?: string;
}

export interface StubRequestMatch {
  params?: Record<string, ValuePredicate>;
  query?: Record<string, ValuePredicate>;
  headers?: Record<string, ValuePredicate>;
  body?: BodyPredicate[];
}

export interface StubResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** the body's exact text (sent byte for byte with the `content-type` of `headers`); instead of `body` */
  bodyText?: string;
  /**
   * wrap the body in the vendor's envelope: a 2xx Synqly body as `{"result": body}`; an error status
   * as the vendor's own error body, `body` being its message (a string) or `{message}`
   */
  envelope?: boolean;
  delayMs?: number;
}

export interface StubInput {
  name?: string;
  vendor: StubVendor;
  operationId?: string;
  method?: string;
  /** a path template of the spec, e.g. `/v1/accounts/{accountId}` */
  path?: string;
  /** a tenant id (Synqly organization, Connxio company); omitted = any */
  tenant?: string;
  beforeAuth?: boolean;
  request?: StubRequestMatch;
  response: StubResponse;
  /** the response body is not checked against the vendor's spec */
  unchecked?: boolean;
  times?: number;
  priority?: number;
}

export interface Stub extends StubInput {
  id: string;
  created_at: string;
  /** creation order: among equal priorities the newest wins */
  seq: number;
  matched: number;
  [key: string]: unknown;
}

/** What a stub is matched against: the request as sent (parameters and headers as strings). */
export interface StubRequest {
  vendor: string;
  operationId: string;
  method: string;
  /** the operation's path template */
  pathTemplate: string;
  tenant?: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** the parsed body; undefined when none was sent or it is not read yet */
  body: unknown;
}

export interface NearMiss {
  stubId: string;
  name?: string;
  /** the predicates that failed, e.g. `query.limit matches ^5$` */
  failed: string[];
}

export type StubPhase = 'before-auth' | 'after-auth';

/** The stubs that could answer in this phase, best first (priority, then newest). */
export function candidates(tx: Tx, phase: StubPhase, vendor: string): Stub[] {
  const all = tx.values<Stub>(STUBS);
  if (all.length === 0) return [];
  return candidatesFirst(all.filter((s) => s.vendor === vendor && Boolean(s.beforeAuth) === (phase === 'before-auth')));
}

/** Stubs in the order they are tried: highest priority first, among equals the newest. */
export function candidatesFirst(stubs: Stub[]): Stub[] {
  return [...stubs].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || b.seq - a.seq);
}

/** The failed predicates of `stub` for `request` ([] = it matches); undefined when it targets another operation. */
export function mismatches(stub: Stub, request: StubRequest): string[] | undefined {
  if (stub.operationId !== undefined && stub.operationId !== request.operationId) return undefined;
  if (stub.method !== undefined && stub.method.toUpperCase() !== request.method.toUpperCase()) return undefined;
  if (stub.path !== undefined && stub.path !== request.pathTemplate) return undefined;
  const failed: string[] = [];
  if (stub.tenant !== undefined && stub.tenant !== request.tenant) failed.push(`tenant equals ${stub.tenant}`);
  const m = stub.request ?? {};
  for (const [name, p] of Object.entries(m.params ?? {})) failed.push(...check(`params.${name}`, request.params[name], p));
  for (const [name, p] of Object.entries(m.query ?? {})) failed.push(...check(`query.${name}`, single(request.query[name]), p));
  for (const [name, p] of Object.entries(m.headers ?? {})) failed.push(...check(`headers.${name}`, single(request.headers[name.toLowerCase()]), p));
  for (const p of m.body ?? []) {
    if (p.path === undefined) {
      failed.push(...check('body', request.body, p));
      continue;
    }
    // a parsed body is one of the JSON values JSONPath takes, and with wrap: true it answers an array
    const selected = request.body === undefined ? [] : (jsonPath().JSONPath({ path: p.path, json: request.body as object, wrap: true }) as unknown[]);
    const label = `body ${p.path}`;
    if (selected.length === 0) failed.push(...check(label, undefined, p));
    else if (!selected.some((v) => check(label, v, p).length === 0)) failed.push(...check(label, selected[0], p));
  }
  return failed;
}

function single(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function check(label: string, value: unknown, p: ValuePredicate): string[] {
  const failed: string[] = [];
  if (p.present !== undefined && (value !== undefined) !== p.present) failed.push(`${label} ${p.present ? 'is present' : 'is absent'}`);
  if ('equals' in p && !equalsAsSent(value, p.equals)) failed.push(`${label} equals ${JSON.stringify(p.equals)}`);
  if (p.partial !== undefined && !isSubset(p.partial, value)) failed.push(`${label} contains ${JSON.stringify(p.partial)}`);
  if (p.matches !== undefined && (value === undefined || !new RegExp(p.matches).test(typeof value === 'string' ? value : JSON.stringify(value)))) failed.push(`${label} matches ${p.matches}`);
  return failed;
}

/** deep equality; a string as sent equals the number or boolean it spells (`?limit=5` equals 5) */
function equalsAsSent(value: unknown, expected: unknown): boolean {
  if (typeof value === 'string' && (typeof expected === 'number' || typeof expected === 'boolean')) return value === String(expected);
  return deepEqual(value, expected);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(Reflect.get(a, k), Reflect.get(b, k)));
}

/** every field of `part` is in `whole` with a value that contains it; arrays: every item of `part` is contained by some item of `whole` */
export function isSubset(part: unknown, whole: unknown): boolean {
  if (typeof part !== 'object' || part === null) return equalsAsSent(whole, part);
  if (typeof whole !== 'object' || whole === null) return false;
  if (Array.isArray(part)) return Array.isArray(whole) && part.every((p) => whole.some((w) => isSubset(p, w)));
  if (Array.isArray(whole)) return false;
  return Object.entries(part).every(([k, v]) => Object.hasOwn(whole, k) && isSubset(v, Reflect.get(whole, k)));
}

/** The first matching stub, and the near misses (stubs of this operation whose predicates failed). */
export function findStub(stubs: Stub[], request: StubRequest): { stub?: Stub; nearMisses: NearMiss[] } {
  const nearMisses: NearMiss[] = [];
  for (const stub of stubs) {
    const failed = mismatches(stub, request);
    if (failed === undefined) continue;
    if (failed.length === 0) return { stub, nearMisses };
    nearMisses.push({ stubId: stub.id, ...(stub.name ? { name: stub.name } : {}), failed });
  }
  return { nearMisses };
}

/** Consumes one use of a stub that answered (`times`), counting it; a used-up stub is removed. */
export function consume(tx: Tx, stubId: string): void {
  const stub = tx.get<Stub>(STUBS, stubId);
  if (!stub) return;
  const times = stub.times === undefined ? undefined : stub.times - 1;
  if (times !== undefined && times <= 0) tx.del(STUBS, stubId);
  else tx.put(STUBS, stubId, { ...stub, matched: stub.matched + 1, ...(times === undefined ? {} : { times }) });
}

/** The checks a stub needs beyond its JSON schema (admin.yaml StubInput). */
export function assertStubShape(input: StubInput): void {
  if (input.operationId === undefined && (input.method === undefined || input.path === undefined)) {
    throw errors.badRequest('a stub names an operationId, or a method and a path template');
  }
  if (input.beforeAuth && input.tenant !== undefined) throw errors.badRequest('a stub matched before auth cannot name a tenant: the tenant is known only once the caller is');
  const regexes = [
    ...Object.entries(input.request?.params ?? {}),
    ...Object.entries(input.request?.query ?? {}),
    ...Object.entries(input.request?.headers ?? {}),
    ...(input.request?.body ?? []).map((p) => [p.path ?? 'body', p] as const),
  ];
  for (const [name, p] of regexes) {
    if (p.matches === undefined) continue;
    try {
      new RegExp(p.matches);
    } catch (err) {
      throw errors.badRequest(`${name}: matches is not a valid regular expression (${messageOf(err)})`);
    }
  }
  for (const p of input.request?.body ?? []) {
    if (p.path !== undefined && !p.path.startsWith('$')) throw errors.badRequest(`body path ${p.path}: a JSONPath starts with $`);
  }
}

/** Stubs of a tenant removed (its reset or deletion). */
export function deleteTenantStubs(tx: Tx, tenantId: string): void {
  for (const stub of tx.values<Stub>(STUBS)) if (stub.tenant === tenantId) tx.del(STUBS, stub.id);
}
