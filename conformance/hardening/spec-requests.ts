import fc from 'fast-check';
import { loadSpec, specPath, type JsonSchema, type OperationSpec, type ParameterSpec } from '../../mock/core/spec.ts';
import type { ListenerName } from './http.ts';

/**
 * Requests generated from the specs, for the bad-input suite (a wrong value for each parameter
 * and body field) and the property-based fuzzer (fast-check arbitraries for whole requests).
 * Every URL a generated body carries is pointed at a closed loopback port: a stored webhook or
 * endpoint never makes the twin call anything but this machine.
 */

export interface SpecOperation {
  listener: ListenerName;
  op: OperationSpec;
}

export async function specOperations(): Promise<SpecOperation[]> {
  const [synqly, connxio, custom] = await Promise.all(['synqly-management.yaml', 'connxio.yaml', 'connxio-custom-api.yaml'].map((f) => loadSpec(specPath(f))));
  return [
    ...synqly!.operations.map((op) => ({ listener: 'synqly' as const, op })),
    ...connxio!.operations.map((op) => ({ listener: 'connxio' as const, op })),
    ...custom!.operations.map((op) => ({ listener: 'custom' as const, op })),
  ];
}

// ------------------------------------------------------------------------------------ schemas

const typeOf = (schema: JsonSchema): string | undefined => {
  const t = schema.type;
  return Array.isArray(t) ? (t.find((x) => x !== 'null') as string | undefined) : (t as string | undefined);
};

const SAMPLE_STRINGS = ['x', 'abc', 'a-b_c.d', 'Order 1', 'demo', '0', 'A'];

/** a value the schema accepts, as a query/path/header string (undefined when none is found cheaply) */
export function validText(schema: JsonSchema): string | string[] | undefined {
  const t = typeOf(schema);
  if (schema.default !== undefined && typeof schema.default !== 'object') return String(schema.default);
  if (Array.isArray(schema.enum)) return String(schema.enum[0]);
  if (t === 'integer' || t === 'number') return String(typeof schema.minimum === 'number' ? schema.minimum : 1);
  if (t === 'boolean') return 'true';
  if (t === 'array') {
    const item = validText((schema.items ?? {}) as JsonSchema);
    return item === undefined ? undefined : [Array.isArray(item) ? item[0]! : item];
  }
  if (schema.format === 'uuid') return '3f1c2a9e-4b7d-4e3a-9c58-2d0e7b41f903';
  if (schema.format === 'date-time') return '2026-01-15T09:30:00Z';
  if (schema.format === 'date') return '2026-01-15';
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern);
    return SAMPLE_STRINGS.find((s) => re.test(s));
  }
  return 'x';
}

export interface WrongValue {
  value: string | string[];
  why: string;
}

/** values of the wrong type or out of range for a parameter (none for an unconstrained string path segment) */
export function wrongTexts(p: ParameterSpec, asItem = false): WrongValue[] {
  const schema = p.schema;
  const t = typeOf(schema);
  const out: WrongValue[] = [];
  if (t === 'integer' || t === 'number') {
    out.push({ value: 'not-a-number', why: 'a word for a number' });
    if (t === 'integer') out.push({ value: '1.5', why: 'a fraction for an integer' });
    if (typeof schema.minimum === 'number') out.push({ value: String(schema.minimum - 1), why: 'below the minimum' });
    if (typeof schema.maximum === 'number') out.push({ value: String(schema.maximum + 1), why: 'above the maximum' });
  }
  if (t === 'boolean') out.push({ value: 'maybe', why: 'a word for a boolean' });
  if (Array.isArray(schema.enum)) out.push({ value: 'definitely-not-listed', why: 'outside the enum' });
  if (t === 'array') {
    const items = (schema.items ?? {}) as JsonSchema;
    for (const wrong of wrongTexts({ ...p, schema: items }, true)) out.push({ value: [typeof wrong.value === 'string' ? wrong.value : wrong.value[0]!], why: `an item ${wrong.why}` });
  }
  if (t === 'string' || t === undefined) {
    if (schema.format === 'uuid') out.push({ value: 'not-a-uuid', why: 'not a uuid' });
    if (schema.format === 'date-time') out.push({ value: 'yesterday', why: 'not a date-time' });
    if (typeof schema.pattern === 'string') {
      const re = new RegExp(schema.pattern);
      const bad = ['!!', '<script>', '', '\u0000'].find((s) => !re.test(s));
      if (bad !== undefined) out.push({ value: bad, why: 'not matching the pattern' });
    }
    if (typeof schema.maxLength === 'number') out.push({ value: 'x'.repeat(schema.maxLength + 1), why: 'longer than maxLength' });
    // a repeated query key is an array where a single string is expected
    if (p.in === 'query' && !asItem && !Array.isArray(schema.enum)) out.push({ value: ['a', 'b'], why: 'repeated where one value is expected' });
  }
  return out;
}

/** the operation's path with every parameter filled in (`values` first, else a valid value) */
export function fillPath(op: OperationSpec, values: Record<string, string> = {}): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (values[name] !== undefined) return encodeURIComponent(values[name]!);
    const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
    const v = p ? validText(p.schema) : 'x';
    return encodeURIComponent(Array.isArray(v) ? v[0]! : (v ?? 'x'));
  });
}

export function queryString(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** the required query and header parameters with valid values (what a request needs besides the one under test) */
export function requiredParams(op: OperationSpec, except?: ParameterSpec): { query: Record<string, string | string[]>; headers: Record<string, string> } {
  const query: Record<string, string | string[]> = {};
  const headers: Record<string, string> = {};
  for (const p of op.parameters) {
    if (!p.required || p === except || p.in === 'path' || p.in === 'cookie') continue;
    const v = validText(p.schema);
    if (v === undefined) continue;
    if (p.in === 'query') query[p.name] = v;
    if (p.in === 'header') headers[p.name.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return { query, headers };
}

export function jsonBodySchema(op: OperationSpec): JsonSchema | undefined {
  const content = op.requestBody?.content ?? {};
  const media = Object.keys(content).find((m) => m === 'application/json' || m.endsWith('+json'));
  return media ? (content[media]!.schema ?? {}) : undefined;
}

/** bodies of the wrong shape: the wrong JSON type at the root, and at each declared top-level property */
export function wrongBodies(schema: JsonSchema): Array<{ body: unknown; why: string }> {
  const t = typeOf(schema);
  const out: Array<{ body: unknown; why: string }> = [];
  const wrongFor = (s: JsonSchema): unknown[] => {
    const st = typeOf(s);
    if (Array.isArray(s.enum)) return ['definitely-not-listed'];
    if (st === 'string') return [42, { nested: true }];
    if (st === 'integer' || st === 'number') return ['seven', true];
    if (st === 'boolean') return ['yes', 1];
    if (st === 'array') return ['not-an-array', { a: 1 }];
    if (st === 'object') return ['not-an-object', [1, 2]];
    return [];
  };
  if (t === 'object' || schema.properties) {
    out.push({ body: ['an', 'array'], why: 'an array where an object is expected' }, { body: 'just a string', why: 'a string where an object is expected' });
    for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      for (const wrong of wrongFor(prop)) out.push({ body: { [name]: wrong }, why: `${name} of the wrong type` });
    }
  } else if (t === 'array') {
    out.push({ body: { not: 'an array' }, why: 'an object where an array is expected' });
  }
  return out;
}

// ------------------------------------------------------------------------------------ safety

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** port 9 (discard) on loopback: nothing listens there, so a delivery attempt fails at once */
export const SAFE_URL = 'http://127.0.0.1:9/apitwin-fuzz';

/** replaces every absolute URL whose host is not loopback with SAFE_URL, deep */
export function sanitizeUrls(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(value.trim())) return value;
    try {
      const url = new URL(value.trim());
      return url.hostname && LOOPBACK_HOSTS.has(url.hostname) ? value : SAFE_URL;
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(sanitizeUrls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: sanitizeUrls(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

// ------------------------------------------------------------------------------------ fast-check

const junkText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'null', 'true', '[]', '{}', '../..', '%2e%2e', '__proto__', 'constructor', '\u0000', '\ud800', 'é', '😀', 'x'.repeat(300)),
  fc.integer().map(String),
);

/** a schema-shaped value most of the time, anything else some of the time */
export function textArbitrary(schema: JsonSchema, hints: string[] = []): fc.Arbitrary<string | string[]> {
  const t = typeOf(schema);
  const valid: fc.Arbitrary<string | string[]>[] = [];
  if (Array.isArray(schema.enum)) valid.push(fc.constantFrom(...schema.enum.map(String)));
  else if (t === 'integer') valid.push(fc.integer({ min: typeof schema.minimum === 'number' ? schema.minimum : -5, max: typeof schema.maximum === 'number' ? schema.maximum : 1000 }).map(String));
  else if (t === 'number') valid.push(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String));
  else if (t === 'boolean') valid.push(fc.constantFrom('true', 'false'));
  else if (t === 'array') valid.push(fc.array(textArbitrary((schema.items ?? {}) as JsonSchema, hints).map((v) => (Array.isArray(v) ? v[0] ?? '' : v)), { maxLength: 3 }));
  else if (schema.format === 'uuid') valid.push(fc.uuid());
  else if (schema.format === 'date-time') valid.push(fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()));
  else if (typeof schema.pattern === 'string') valid.push(fc.stringMatching(new RegExp(schema.pattern), { size: 'xsmall' }));
  else valid.push(fc.string({ minLength: typeof schema.minLength === 'number' ? schema.minLength : 0, maxLength: 20 }));
  if (hints.length > 0) valid.push(fc.constantFrom(...hints));
  return fc.oneof({ weight: 4, arbitrary: fc.oneof(...valid) }, { weight: 1, arbitrary: junkText });
}

/** a JSON value shaped by the schema (depth-limited); unless `strict`, sometimes off by a field or a type */
export function jsonArbitrary(schema: JsonSchema, depth = 0, strict = false): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}));
  if (depth > 4) return junk;
  const choose = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (choose && choose.length > 0) return fc.oneof(...choose.map((s) => jsonArbitrary(s, depth + 1, strict)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of schema.allOf as JsonSchema[]) {
      Object.assign(merged.properties as object, part.properties ?? {});
      (merged.required as string[]).push(...((part.required as string[] | undefined) ?? []));
    }
    return jsonArbitrary(merged, depth, strict);
  }
  const t = typeOf(schema);
  let shaped: fc.Arbitrary<unknown>;
  if (schema.const !== undefined) shaped = fc.constant(schema.const);
  else if (Array.isArray(schema.enum)) shaped = fc.constantFrom(...schema.enum);
  else if (t === 'object' || schema.properties) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const entries = Object.entries(props).slice(0, 25);
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, s] of entries) record[name] = jsonArbitrary(s, depth + 1, strict);
    shaped = fc.record(record, { requiredKeys: entries.map(([n]) => n).filter((n) => required.has(n)) });
    if (entries.length === 0) shaped = fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 3 });
  } else if (t === 'array') shaped = fc.array(jsonArbitrary((schema.items ?? {}) as JsonSchema, depth + 1, strict), { maxLength: 3 });
  else if (t === 'string') {
    if (schema.format === 'uuid') shaped = fc.uuid();
    else if (schema.format === 'date-time') shaped = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    else if (schema.format === 'uri' || schema.format === 'url') shaped = fc.constant(SAFE_URL);
    else if (schema.format === 'email') shaped = fc.constantFrom('a@example.com', 'fuzz@example.org');
    else if (typeof schema.pattern === 'string') shaped = fc.stringMatching(new RegExp(schema.pattern), { size: 'xsmall' });
    else shaped = fc.string({ minLength: typeof schema.minLength === 'number' ? schema.minLength : 0, maxLength: Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 24, 24) });
  } else if (t === 'integer') shaped = fc.integer({ min: typeof schema.minimum === 'number' ? schema.minimum : -10, max: typeof schema.maximum === 'number' ? schema.maximum : 1000 });
  else if (t === 'number') shaped = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  else if (t === 'boolean') shaped = fc.boolean();
  else shaped = junk;
  return strict ? shaped : fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}
