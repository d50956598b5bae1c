import { readFileSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { parse as parseYaml } from 'yaml';

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

/** Parses and dereferences a spec file (what the build stores in dist/specs/). */
export async function compileSpec(file: string): Promise<{ document: Record<string, unknown>; resolved: Record<string, unknown> }> {
  const text = readFileSync(file, 'utf8');
  const document = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
  const resolved = (await dereference(structuredClone(document), { dereference: { circular: false } })) as Record<string, unknown>;
  return { document, resolved: withoutExamples(resolved) as Record<string, unknown> };
}

/** Examples matter to readers and tools, not to routing or validation: the resolved copy drops them. */
function withoutExamples(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutExamples(v));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'example' || k === 'examples') && parentKey !== 'properties') continue;
    out[k] = withoutExamples(v, k);
  }
  return out;
}

async function readSpec(file: string): Promise<ApiSpec> {
  const compiled = compiledSpecPath(file);
  const fresh = existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(file).mtimeMs;
  const { document, resolved } = fresh
    ? (JSON.parse(readFileSync(compiled, 'utf8')) as { document: Record<string, unknown>; resolved: Record<string, unknown> })
    : await compileSpec(file);
  const operations = collectOperations(resolved);
  const byId = new Map<string, OperationSpec>();
  for (const op of operations) {
    if (byId.has(op.operationId)) throw new Error(`${file}: operationId ${op.operationId} appears twice`);
    byId.set(op.operationId, op);
  }
  return { file, document, operations, byId };
}

function collectOperations(doc: Record<string, unknown>): OperationSpec[] {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  const docSecurity = (doc.security ?? []) as Array<Record<string, string[]>>;
  const out: OperationSpec[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as ParameterSpec[];
    for (const method of METHODS) {
      const raw = item[method.toLowerCase()] as Record<string, unknown> | undefined;
      if (!raw) continue;
      const operationId = raw.operationId as string | undefined;
      if (!operationId) throw new Error(`${method} ${path} has no operationId`);
      const own = (raw.parameters ?? []) as ParameterSpec[];
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own].map((p) => ({
        name: p.name,
        in: p.in,
        required: p.in === 'path' ? true : Boolean(p.required),
        schema: (p.schema ?? {}) as JsonSchema,
      }));
      const extensions: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) if (k.startsWith('x-')) extensions[k] = v;
      const body = raw.requestBody as { required?: boolean; content?: Record<string, MediaSpec> } | undefined;
      out.push({
        operationId,
        method,
        path,
        tags: (raw.tags ?? []) as string[],
        parameters,
        requestBody: body ? { required: Boolean(body.required), content: body.content ?? {} } : undefined,
        responses: (raw.responses ?? {}) as OperationSpec['responses'],
        security: (raw.security ?? docSecurity) as Array<Record<string, string[]>>,
        extensions,
      });
    }
  }
  return out;
}
