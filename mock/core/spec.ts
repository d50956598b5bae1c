import { readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loads the OpenAPI documents in specs/ and flattens them into operations keyed by operationId:
 * the single source of the twin's routes, parameters, request and response schemas.
 */

export type JsonSchema = Record<string, unknown>;
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
const METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface MediaSpec {
  schema?: JsonSchema;
}

export interface OperationSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. /v1/accounts/{accountId} */
  path: string;
  tags: string[];
  parameters: ParameterSpec[];
  requestBody?: { required: boolean; content: Record<string, MediaSpec> };
  responses: Record<string, { content?: Record<string, MediaSpec>; headers?: Record<string, unknown> }>;
  /** effective security requirements (operation level, else document level) */
  security: Array<Record<string, string[]>>;
  /** the operation's x-* extensions */
  extensions: Record<string, unknown>;
}

export interface ApiSpec {
  file: string;
  /** the document as written (with $refs), for serving and for tools */
  document: Record<string, unknown>;
  operations: OperationSpec[];
  byId: Map<string, OperationSpec>;
}

/** The package root: the nearest folder above this module holding specs/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'specs')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the apitwin package root (a folder with specs/ and package.json)');
    dir = parent;
  }
}

export function specPath(name: string): string {
  return join(packageRoot(), 'specs', name);
}

const cache = new Map<string, Promise<ApiSpec>>();

/** Parsed specs are immutable, so each file is loaded once per process. */
export function loadSpec(file: string): Promise<ApiSpec> {
  const key = resolve(file);
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = readSpec(key);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

/** the build's pre-parsed, pre-dereferenced copy of a spec (dist/specs/<name>.json) */
export function compiledSpecPath(file: string): string {
  return join(dirname(dirname(file)), 'dist', 'specs', basename(file).replace(/\.ya?ml$/, '.json'));
}

/**
 * The index of the build's precompiled request checks of a spec (ajv standalone code, one module
 * per operation and kind, see standalone-validators.ts): dist/validators/<name>/checks.json.
 */
export function precompiledChecksPath(file: string): string {
  return join(dirname(dirname(file)), 'dist', 'validators', basename(file).replace(/\.ya?ml$/, ''), 'checks.json');
}

/**
 * Operations read from a fresh build, with the index of their spec's precompiled checks: only
 * these objects (not copies, not operations parsed from the YAML) may use them.
 */
const precompiledChecks = new WeakMap<OperationSpec, string>();

/** the build's precompiled checks index for this operation object, if it has one that matches it */
export function precompiledChecksOf(op: OperationSpec): string | undefined {
  return precompiledChecks.get(op);
}

/** the build's parsed copy of the spec as written (dist/specs/<name>.document.json), read when something serves it */
function compiledDocumentPath(file: string): string {
  return compiledSpecPath(file).replace(/\.json$/, '.document.json');
}

/**
 * What the build stores for a spec: the resolved operations in dist/specs/<name>.json, read at
 * every start, and the document as written beside it, read only when the document is served.
 */
export async function writeCompiledSpec(file: string): Promise<void> {
  const { document, resolved } = await compileSpec(file);
  writeFileSync(compiledSpecPath(file), JSON.stringify({ resolved }));
  writeFileSync(compiledDocumentPath(file), JSON.stringify(document));
}

/**
 * Parses and dereferences a spec file (what the build stores in dist/specs/). The resolved copy is
 * packed (see packGraph): a schema referenced from many places is stored once, not once per use.
 */
export async function compileSpec(file: string): Promise<{ document: Record<string, unknown>; resolved: PackedGraph }> {
  // loaded here, not at the top: a built twin reads dist/specs/ and never needs them to start
  const [refParser, yaml] = await Promise.all([import('@apidevtools/json-schema-ref-parser'), import('yaml')]);
  // a bundled CommonJS module may come back with its exports under `default`
  const dereference = refParser.dereference ?? (refParser as unknown as { default: typeof refParser }).default.dereference;
  const parseYaml = yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse; // the same for yaml
  const text = readFileSync(file, 'utf8');
  // a spec file holds one OpenAPI object (checked where the operations are read)
  const document = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
  // the ref parser types its answer as a JSON Schema; it is the same document, dereferenced
  const resolved = (await dereference(structuredClone(document), { dereference: { circular: false } })) as Record<string, unknown>;
  return { document, resolved: packGraph(withoutDocumentation(resolved, '', new Map())) };
}

/** members whose keys are names (a property, a schema, a status code…), never keywords */
const NAMED_MEMBERS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'schemas', 'responses', 'parameters', 'headers', 'content', 'encoding', 'requestBodies', 'securitySchemes', 'links', 'callbacks', 'variables', 'mapping', 'paths']);

/**
 * Examples, descriptions and summaries matter to readers and tools, not to routing or validation:
 * the resolved copy drops them (`x-` extensions are kept whole). Shared parts stay shared.
 */
function withoutDocumentation(value: unknown, parentKey: string, done: Map<object, unknown>): unknown {
  if (!value || typeof value !== 'object') return value;
  const seen = done.get(value);
  if (seen !== undefined) return seen;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    done.set(value, out);
    for (const v of value) out.push(withoutDocumentation(v, '', done));
    return out;
  }
  const out: Record<string, unknown> = {};
  done.set(value, out);
  const keywords = !NAMED_MEMBERS.has(parentKey);
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('x-')) out[k] = v;
    else if (keywords && (k === 'example' || k === 'examples' || ((k === 'description' || k === 'summary') && typeof v === 'string'))) continue;
    else out[k] = withoutDocumentation(v, k, done);
  }
  return out;
}

/**
 * A JSON form of an acyclic object graph that keeps its sharing: every object or array reached
 * more than once is stored once in `shared` and replaced by `{"$apitwinShared": index}` wherever
 * it occurs. The dereferenced Synqly spec shrinks about tenfold, loads that much faster, and
 * ajv compiles a shared schema once.
 */
export interface PackedGraph {
  $apitwinPacked: 1;
  shared: unknown[];
  root: unknown;
}

const SHARED = '$apitwinShared';

export function packGraph(root: unknown): PackedGraph {
  const uses = new Map<object, number>();
  const count = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const n = (uses.get(v) ?? 0) + 1;
    uses.set(v, n);
    if (n > 1) return; // its children were counted on the first visit
    for (const child of Array.isArray(v) ? v : Object.values(v)) count(child);
  };
  count(root);
  const indexOf = new Map<object, number>();
  const shared: unknown[] = [];
  const pack = (v: unknown, top = false): unknown => {
    if (!v || typeof v !== 'object') return v;
    if (!top && (uses.get(v) ?? 0) > 1) {
      let i = indexOf.get(v);
      if (i === undefined) {
        i = shared.length;
        indexOf.set(v, i);
        shared.push(undefined);
        shared[i] = pack(v, true);
      }
      return { [SHARED]: i };
    }
    if (Array.isArray(v)) return v.map((c) => pack(c));
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) out[k] = pack(c);
    return out;
  };
  return { $apitwinPacked: 1, shared, root: pack(root) };
}

export function unpackGraph(packed: PackedGraph | Record<string, unknown>): Record<string, unknown> {
  if ((packed as PackedGraph).$apitwinPacked !== 1) return packed as Record<string, unknown>; // an older build's plain copy
  const { shared, root } = packed as PackedGraph;
  const resolvedShared: unknown[] = new Array(shared.length);
  // runs at every start: only objects are visited, and only a reference is written back
  const visit = (v: object): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (child !== null && typeof child === 'object') {
          const resolved = visit(child);
          if (resolved !== child) v[i] = resolved;
        }
      }
      return v;
    }
    const ref: unknown = Reflect.get(v, SHARED);
    if (typeof ref === 'number' && Object.keys(v).length === 1) {
      const target = shared[ref];
      if (resolvedShared[ref] === undefined) resolvedShared[ref] = target !== null && typeof target === 'object' ? visit(target) : target;
      return resolvedShared[ref];
    }
    for (const k in v) {
      const child: unknown = Reflect.get(v, k);
      if (child !== null && typeof child === 'object') {
        const resolved = visit(child);
        if (resolved !== child) Reflect.set(v, k, resolved);
      }
    }
    return v;
  };
  return visit(root as object) as Record<string, unknown>; // root is packed from a document object
}

async function readSpec(file: string): Promise<ApiSpec> {
  const compiled = compiledSpecPath(file);
  const mtimeMs = statSync(file).mtimeMs;
  const isFresh = (path: string) => existsSync(path) && statSync(path).mtimeMs >= mtimeMs;
  const documentFile = compiledDocumentPath(file);
  // both written by writeCompiledSpec (the document is read when first served)
  const built = isFresh(compiled) && isFresh(documentFile) ? (JSON.parse(readFileSync(compiled, 'utf8')) as { resolved: PackedGraph }) : undefined;
  let document: Record<string, unknown> | undefined;
  let resolved: PackedGraph;
  if (built) resolved = built.resolved;
  else ({ document, resolved } = await compileSpec(file));
  const operations = collectOperations(unpackGraph(resolved));
  const byId = new Map<string, OperationSpec>();
  // written by the build after the compiled spec, from it: usable while newer than both the spec and its compiled copy
  const checks = precompiledChecksPath(file);
  const checksUsable = built !== undefined && existsSync(checks) && statSync(checks).mtimeMs >= Math.max(mtimeMs, statSync(compiled).mtimeMs);
  for (const op of operations) {
    if (checksUsable) precompiledChecks.set(op, checks);
    if (byId.has(op.operationId)) throw new Error(`${file}: operationId ${op.operationId} appears twice`);
    byId.set(op.operationId, op);
  }
  return {
    file,
    get document() {
      // the spec file's one OpenAPI object, as the build parsed it
      return (document ??= JSON.parse(readFileSync(documentFile, 'utf8')) as Record<string, unknown>);
    },
    operations,
    byId,
  };
}

/** The members of a dereferenced OpenAPI 3 document that `collectOperations` reads. */
interface OpenApiDocument {
  paths?: Record<string, OpenApiPathItem>;
  security?: Array<Record<string, string[]>>;
}
type OpenApiParameter = Omit<ParameterSpec, 'required' | 'schema'> & { required?: boolean; schema?: JsonSchema };
type OpenApiPathItem = { parameters?: OpenApiParameter[] } & { [method in Lowercase<HttpMethod>]?: OpenApiOperation };
interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaSpec> };
  tags?: string[];
  responses?: OperationSpec['responses'];
  security?: Array<Record<string, string[]>>;
  [member: string]: unknown;
}

function lowerCase<T extends string>(text: T): Lowercase<T> {
  return text.toLowerCase() as Lowercase<T>; // toLowerCase is typed string
}

function collectOperations(dereferenced: Record<string, unknown>): OperationSpec[] {
  // a dereferenced OpenAPI 3 document: the spec tests lint it, so its members have the shapes OpenAPI gives them
  const doc = dereferenced as OpenApiDocument;
  const docSecurity = doc.security ?? [];
  const out: OperationSpec[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = item.parameters ?? [];
    for (const method of METHODS) {
      const raw = item[lowerCase(method)];
      if (!raw) continue;
      const operationId = raw.operationId;
      if (!operationId) throw new Error(`${method} ${path} has no operationId`);
      const own = raw.parameters ?? [];
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own].map((p) => ({
        name: p.name,
        in: p.in,
        required: p.in === 'path' ? true : Boolean(p.required),
        schema: p.schema ?? {},
      }));
      const extensions: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) if (k.startsWith('x-')) extensions[k] = v;
      const body = raw.requestBody;
      out.push({
        operationId,
        method,
        path,
        tags: raw.tags ?? [],
        parameters,
        requestBody: body ? { required: Boolean(body.required), content: body.content ?? {} } : undefined,
        responses: raw.responses ?? {},
        security: raw.security ?? docSecurity,
        extensions,
      });
    }
  }
  return out;
}
