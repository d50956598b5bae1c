import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../mock/core/spec.ts';

/**
 * The OpenAPI documents in specs/ as written and dereferenced WITH their examples (mock/core/spec.ts
 * drops examples from its resolved copy), and a walk over every place an OpenAPI 3.0 document can
 * hold an example or a default: schemas (nested too), parameters, headers and media types.
 */

export type Node = Record<string, unknown>;

export interface SpecDocument {
  /** path relative to the package root, e.g. specs/connxio.yaml */
  file: string;
  raw: Node;
  resolved: Node;
}

/** Every OpenAPI document in specs/ (YAML or JSON with a top-level `openapi`); other files there are data. */
export function openApiFiles(): string[] {
  const dir = join(packageRoot(), 'specs');
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .filter((f) => /^["']?openapi["']?\s*:/m.test(readFileSync(join(dir, f), 'utf8')))
    .sort()
    .map((f) => `specs/${f}`);
}

export async function readDocument(file: string): Promise<SpecDocument> {
  const text = readFileSync(join(packageRoot(), file), 'utf8');
  const raw = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Node;
  const resolved = (await dereference(structuredClone(raw), { dereference: { circular: false } })) as Node;
  return { file, raw, resolved };
}

/** A value the document offers as an instance of a schema: `example`, `examples[*].value` or `default`. */
export interface ExampleSite {
  /** JSON pointer of the value in the document as written */
  pointer: string;
  kind: 'example' | 'default';
  value: unknown;
  /** the schema it must satisfy, dereferenced */
  schema: Node;
}

/** A schema that should carry an example but carries none. */
export interface MissingExample {
  pointer: string;
  what: 'schema' | 'body' | 'parameter' | 'header';
}

export interface ExampleReport {
  sites: ExampleSite[];
  missing: MissingExample[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (n: unknown, key: string | number): Node => (isNode(n) || Array.isArray(n) ? ((n as Record<string, unknown>)[key] as Node) : (undefined as unknown as Node));
const esc = (s: string | number) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');
const hasOwnExample = (n: unknown) => isNode(n) && ('example' in n || (isNode(n.examples) && Object.keys(n.examples).length > 0) || (Array.isArray(n.examples) && n.examples.length > 0));

/**
 * Walks the document as written (so pointers name the place in the file) with the dereferenced
 * twin of each node alongside (so every value meets its complete schema). A `$ref` node is not
 * entered: its target is walked where it is defined.
 */
export function examplesOf(doc: SpecDocument): ExampleReport {
  const sites: ExampleSite[] = [];
  const missing: MissingExample[] = [];

  const schema = (ptr: string, raw: unknown, res: unknown): void => {
    if (!isNode(raw) || '$ref' in raw || !isNode(res)) return;
    if ('example' in raw) sites.push({ pointer: `${ptr}/example`, kind: 'example', value: raw.example, schema: res });
    if (Array.isArray(raw.examples)) raw.examples.forEach((v, i) => sites.push({ pointer: `${ptr}/examples/${i}`, kind: 'example', value: v, schema: res }));
    if ('default' in raw) sites.push({ pointer: `${ptr}/default`, kind: 'default', value: raw.default, schema: res });
    for (const key of ['properties', 'patternProperties'] as const) {
      if (isNode(raw[key])) for (const name of Object.keys(raw[key])) schema(`${ptr}/${key}/${esc(name)}`, child(raw[key], name), child(res[key], name));
    }
    for (const key of ['items', 'additionalProperties', 'not'] as const) if (isNode(raw[key])) schema(`${ptr}/${key}`, raw[key], res[key]);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      if (Array.isArray(raw[key])) raw[key].forEach((s: unknown, i: number) => schema(`${ptr}/${key}/${i}`, s, child(res[key], i)));
    }
  };

  /** example / examples of a media type, parameter or header, against its schema */
  const instanceExamples = (ptr: string, raw: Node, res: Node): void => {
    const target = res.schema;
    if (!isNode(target)) return;
    if ('example' in raw) sites.push({ pointer: `${ptr}/example`, kind: 'example', value: raw.example, schema: target });
    if (isNode(raw.examples)) {
      for (const [name, ex] of Object.entries(raw.examples)) {
        if (isNode(ex) && !('$ref' in ex) && 'value' in ex) sites.push({ pointer: `${ptr}/examples/${esc(name)}/value`, kind: 'example', value: ex.value, schema: target });
      }
    }
  };

  const content = (ptr: string, raw: unknown, res: unknown, what: 'body' | 'parameter' | 'header'): boolean => {
    let every = true;
    if (!isNode(raw)) return every;
    for (const media of Object.keys(raw)) {
      const p = `${ptr}/content/${esc(media)}`;
      const m = child(raw, media);
      const r = child(res, media);
      if (!isNode(m) || !isNode(r)) continue;
      schema(`${p}/schema`, m.schema, r.schema);
      instanceExamples(p, m, r);
      const offered = hasOwnExample(m) || hasOwnExample(r.schema);
      if (!offered && what === 'body') missing.push({ pointer: p, what });
      every &&= offered;
    }
    return every;
  };

  const parameterLike = (ptr: string, raw: unknown, res: unknown, what: 'parameter' | 'header'): void => {
    if (!isNode(raw) || '$ref' in raw || !isNode(res)) return;
    schema(`${ptr}/schema`, raw.schema, res.schema);
    instanceExamples(ptr, raw, res);
    const viaContent = isNode(raw.content) ? content(ptr, raw.content, res.content, what) : false;
    if (!hasOwnExample(raw) && !hasOwnExample(res.schema) && !viaContent) missing.push({ pointer: ptr, what });
  };

  const body = (ptr: string, raw: unknown, res: unknown): void => {
    if (!isNode(raw) || '$ref' in raw || !isNode(res)) return;
    content(ptr, raw.content, res.content, 'body');
  };

  const response = (ptr: string, raw: unknown, res: unknown): void => {
    if (!isNode(raw) || '$ref' in raw || !isNode(res)) return;
    if (isNode(raw.headers)) for (const h of Object.keys(raw.headers)) parameterLike(`${ptr}/headers/${esc(h)}`, child(raw.headers, h), child(res.headers, h), 'header');
    content(ptr, raw.content, res.content, 'body');
  };

  const { raw, resolved } = doc;
  const paths = isNode(raw.paths) ? raw.paths : {};
  for (const path of Object.keys(paths)) {
    const ptr = `#/paths/${esc(path)}`;
    const item = child(paths, path);
    const rItem = child(resolved.paths, path);
    if (!isNode(item) || '$ref' in item) continue;
    if (Array.isArray(item.parameters)) item.parameters.forEach((p: unknown, i: number) => parameterLike(`${ptr}/parameters/${i}`, p, child(rItem.parameters, i), 'parameter'));
    for (const method of METHODS) {
      const op = child(item, method);
      const rOp = child(rItem, method);
      if (!isNode(op)) continue;
      const optr = `${ptr}/${method}`;
      if (Array.isArray(op.parameters)) op.parameters.forEach((p: unknown, i: number) => parameterLike(`${optr}/parameters/${i}`, p, child(rOp.parameters, i), 'parameter'));
      body(`${optr}/requestBody`, op.requestBody, rOp.requestBody);
      if (isNode(op.responses)) for (const code of Object.keys(op.responses)) response(`${optr}/responses/${esc(code)}`, child(op.responses, code), child(rOp.responses, code));
    }
  }
  const components = isNode(raw.components) ? raw.components : {};
  const rc = child(resolved, 'components');
  const each = (key: string, fn: (ptr: string, raw: unknown, res: unknown) => void) => {
    const group = child(components, key);
    if (isNode(group)) for (const name of Object.keys(group)) fn(`#/components/${key}/${esc(name)}`, child(group, name), child(child(rc, key), name));
  };
  each('schemas', (ptr, r, res) => {
    if (isNode(r) && !('$ref' in r) && !hasOwnExample(r)) missing.push({ pointer: ptr, what: 'schema' });
    schema(ptr, r, res);
  });
  each('parameters', (ptr, r, res) => parameterLike(ptr, r, res, 'parameter'));
  each('headers', (ptr, r, res) => parameterLike(ptr, r, res, 'header'));
  each('requestBodies', body);
  each('responses', response);
  return { sites, missing };
}

export interface ExampleRequest {
  operationId: string;
  method: string;
  /** the path with every path parameter filled in from its example */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** a value for a parameter: its example, else its schema's example, default or first enum value */
function parameterValue(p: Node): unknown {
  if ('example' in p) return p.example;
  if (isNode(p.examples)) {
    const first = Object.values(p.examples).find((e) => isNode(e) && 'value' in e) as Node | undefined;
    if (first) return first.value;
  }
  const s = isNode(p.schema) ? p.schema : {};
  if ('example' in s) return s.example;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  return s.type === 'integer' || s.type === 'number' ? 1 : s.type === 'boolean' ? true : 'example';
}

/**
 * The request a client would send for an operation using only the document: path, required query
 * and header parameters from their examples, and placeholder credentials of the operation's first
 * security requirement (a stateless mock checks their presence and form, not their value).
 */
export function exampleRequest(doc: SpecDocument, path: string, method: string): ExampleRequest {
  const item = child(doc.resolved.paths, path);
  const op = child(item, method);
  const params = new Map<string, Node>();
  for (const p of [...((item.parameters as Node[] | undefined) ?? []), ...((op.parameters as Node[] | undefined) ?? [])]) params.set(`${String(p.in)}:${String(p.name)}`, p);
  const req: ExampleRequest = { operationId: String(op.operationId), method: method.toUpperCase(), path, query: {}, headers: {} };
  for (const p of params.values()) {
    const value = parameterValue(p);
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    if (p.in === 'path') req.path = req.path.replace(`{${String(p.name)}}`, encodeURIComponent(text));
    else if (p.required && p.in === 'query') req.query[String(p.name)] = text;
    else if (p.required && p.in === 'header') req.headers[String(p.name).toLowerCase()] = text;
  }
  const requirements = (op.security ?? doc.resolved.security ?? []) as Array<Record<string, string[]>>;
  const schemes = (child(child(doc.resolved, 'components'), 'securitySchemes') ?? {}) as Record<string, Node>;
  for (const name of Object.keys(requirements[0] ?? {})) {
    const scheme = schemes[name];
    if (!scheme) continue;
    if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') req.headers.authorization = 'Bearer placeholder-token';
    else if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic') req.headers.authorization = `Basic ${Buffer.from('user:password').toString('base64')}`;
    else if (scheme.type === 'apiKey' && scheme.in === 'header') req.headers[String(scheme.name).toLowerCase()] = 'cGxhY2Vob2xkZXIta2V5';
    else if (scheme.type === 'apiKey' && scheme.in === 'query') req.query[String(scheme.name)] = 'cGxhY2Vob2xkZXIta2V5';
  }
  return req;
}

/** [path, method] of every operation with this method */
export function operationsWith(doc: SpecDocument, method: string): Array<[string, string]> {
  const paths = isNode(doc.resolved.paths) ? doc.resolved.paths : {};
  return Object.keys(paths)
    .filter((p) => isNode(child(paths, p)) && isNode(child(child(paths, p), method)))
    .map((p) => [p, method]);
}
