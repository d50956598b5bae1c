import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { errors, type ParameterLocation, type ValidationIssue } from './errors.ts';
import type { JsonSchema, OperationSpec, ParameterSpec } from './spec.ts';
import { isPlainObject } from './store/document.ts';
import { unknownArray } from './narrow.ts';

/**
 * Request and response validation with ajv against the operation's schemas. Parameters are
 * coerced from strings (query arrays repeat their key); bodies are validated strictly, as sent.
 * Validators are compiled on first use of an operation and cached.
 */

// ajv-formats' CommonJS export is typed as its ES module namespace; at run time it is the plugin function
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface RequestInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
  hasBody: boolean;
}

export interface ValidatedRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
}

interface CompiledOperation {
  params: ValidateFunction;
  bodies: Map<string, ValidateFunction>;
}

export interface Validator {
  validateRequest(op: OperationSpec, input: RequestInput, mediaType?: string): ValidatedRequest;
  /** issues of a response against the spec ([] = conforms); a status the spec does not list is an issue too */
  validateResponse(op: OperationSpec, status: number, contentType: string | undefined, body: unknown): ValidationIssue[];
}

export function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    discriminator: false,
    validateFormats: true,
    // errors carry their schema and data: toIssues reads a union's branches to pick the one the data selects
    verbose: true,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
  return ajv;
}

export function createValidator(): Validator {
  const paramsAjv = makeAjv(true);
  const bodyAjv = makeAjv(false);
  const compiled = new WeakMap<OperationSpec, CompiledOperation>();
  const responseValidators = new WeakMap<object, ValidateFunction>();

  const compile = (op: OperationSpec): CompiledOperation => {
    let c = compiled.get(op);
    if (!c) {
      c = { params: paramsAjv.compile(paramsSchema(op.parameters)), bodies: new Map() };
      compiled.set(op, c);
    }
    return c;
  };

  return {
    validateRequest(op, input, mediaType) {
      const c = compile(op);
      const data = {
        path: { ...input.params },
        query: { ...input.query },
        header: lowerCaseKeys(input.headers),
      };
      const issues: ValidationIssue[] = [];
      if (!c.params(data)) issues.push(...toIssues(c.params.errors ?? [], 'params', data));
      const body = op.requestBody;
      if (body && input.hasBody) {
        const media = mediaType && body.content[mediaType] ? mediaType : Object.keys(body.content)[0];
        const schema = media ? body.content[media]?.schema : undefined;
        if (schema) {
          let v = c.bodies.get(media!);
          if (!v) c.bodies.set(media!, (v = bodyAjv.compile(schema)));
          if (!v(input.body)) issues.push(...toIssues(v.errors ?? [], 'body', input.body));
        }
      } else if (body?.required && !input.hasBody) {
        issues.push({ location: 'body', pointer: '', message: 'a request body is required' });
      }
      if (issues.length > 0) {
        const first = issues[0]!;
        throw errors.badRequest(`invalid ${first.location === 'body' ? 'request body' : `${first.location} parameter`}: ${describeIssue(first)}`, {
          // a JSON Pointer into the body ('' = the whole body, RFC 6901), else the parameter's name
          parameter: { id: first.pointer, location: first.location, value: first.value },
          issues,
        });
      }
      return { params: data.path, query: data.query, headers: data.header, body: input.body };
    },

    validateResponse(op, status, contentType, body) {
      const declared = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
      if (!declared) return [{ location: 'body', pointer: '', message: `status ${status} is not declared for ${op.operationId}` }];
      const content = declared.content;
      // `x-apitwin-empty-body: true` on a response: the declared content is optional (the Connxio
      // messaging 200 is empty for asynchronous integrations, the JSON array for synchronous ones)
      const emptyAllowed = (declared as Record<string, unknown>)['x-apitwin-empty-body'] === true;
      if (emptyAllowed && (body === undefined || body === '')) return [];
      if (!content || Object.keys(content).length === 0) {
        return body === undefined || body === '' ? [] : [{ location: 'body', pointer: '', message: `status ${status} declares no body, got one` }];
      }
      const media = contentType?.split(';')[0]?.trim().toLowerCase();
      const entry = (media && content[media]) ?? (media?.endsWith('json') ? Object.entries(content).find(([k]) => k.endsWith('json'))?.[1] : undefined);
      if (!entry) return [{ location: 'header', pointer: 'content-type', message: `content type ${contentType ?? '(none)'} is not declared for status ${status}` }];
      if (!entry.schema) return [];
      let v = responseValidators.get(entry.schema);
      if (!v) responseValidators.set(entry.schema, (v = bodyAjv.compile(entry.schema)));
      return v(body) ? [] : toIssues(v.errors ?? [], 'body', body);
    },
  };
}

function paramsSchema(parameters: ParameterSpec[]): JsonSchema {
  const group = (location: ParameterSpec['in']) => {
    const ps = parameters.filter((p) => p.in === location);
    const properties: Record<string, JsonSchema> = {};
    for (const p of ps) properties[location === 'header' ? p.name.toLowerCase() : p.name] = p.schema;
    const required = ps.filter((p) => p.required).map((p) => (location === 'header' ? p.name.toLowerCase() : p.name));
    return { type: 'object', properties, ...(required.length ? { required } : {}) };
  };
  return {
    type: 'object',
    properties: { path: group('path'), query: group('query'), header: group('header') },
  };
}

function lowerCaseKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.toLowerCase()] = v;
  return out;
}

function toIssues(errs: ErrorObject[], kind: 'params' | 'body', data: unknown): ValidationIssue[] {
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of preferSelectedBranches(errs)) {
    if (e.keyword === 'if') continue;
    let pointer = e.instancePath;
    if (e.keyword === 'required') pointer += `/${escapePointer(String(e.params.missingProperty))}`;
    if (e.keyword === 'additionalProperties') pointer += `/${escapePointer(String(e.params.additionalProperty))}`;
    let location: ParameterLocation = 'body';
    if (kind === 'params') {
      // `/query/expand/0` → the parameter `expand` (a parameter is named, not pointed into)
      const [, group = '', name = ''] = pointer.split('/');
      location = group === 'header' ? 'header' : group === 'path' ? 'path' : 'query';
      pointer = unescapePointer(name);
    }
    const message = describeAjvError(e);
    const key = `${location}:${pointer}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ location, pointer, message, value: valueAt(data, e.instancePath), rule: { keyword: e.keyword, params: e.params, schema: e.parentSchema, dataKind: kindOf(e.data) } });
  }
  return out;
}

/**
 * ajv reports a failed oneOf/anyOf with the errors of every branch, and the first of those is
 * rarely the one that matters. When the union is discriminated (an OpenAPI `discriminator`, or a
 * property every branch requires as a distinct constant, like `type`), only the errors of the
 * branch the data's discriminator selects are kept; an unknown or missing discriminator becomes
 * one error about that property. Other unions are reported as ajv gives them.
 */
function preferSelectedBranches(errs: ErrorObject[]): ErrorObject[] {
  let out = errs;
  for (const union of errs) {
    if ((union.keyword !== 'oneOf' && union.keyword !== 'anyOf') || !out.includes(union)) continue;
    const branches: unknown[] = Array.isArray(union.schema) ? union.schema : [];
    const selector = discriminatorOf(union.parentSchema, branches);
    if (!selector || !isPlainObject(union.data)) continue;
    const value = union.data[selector.property];
    const inUnion = (e: ErrorObject) =>
      e !== union &&
      (e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`)) &&
      e.schemaPath.startsWith(`${union.schemaPath}/`);
    const chosen = selector.values.findIndex((vs) => vs.some((v) => v === value));
    if (chosen >= 0) {
      const branch = `${union.schemaPath}/${chosen}/`;
      const explained = out.some((e) => inUnion(e) && e.schemaPath.startsWith(branch));
      out = out.filter((e) => (e === union ? !explained : !inUnion(e) || e.schemaPath.startsWith(branch)));
      continue;
    }
    const about: ErrorObject =
      value === undefined
        ? { ...union, keyword: 'required', params: { missingProperty: selector.property }, message: `must have required property '${selector.property}'` }
        : {
            ...union,
            keyword: 'enum',
            instancePath: `${union.instancePath}/${escapePointer(selector.property)}`,
            params: { allowedValues: selector.values.flat() },
            message: 'must be equal to one of the allowed values',
            data: value,
          };
    out = out.flatMap((e) => (e === union ? [about] : inUnion(e) ? [] : [e]));
  }
  return out;
}


/** the property a union's branches are told apart by, with each branch's allowed values of it */
function discriminatorOf(parent: unknown, branches: unknown[]): { property: string; values: unknown[][] } | undefined {
  if (branches.length === 0 || !branches.every(isPlainObject)) return undefined;
  const valuesOf = (property: string) =>
    branches.map((b) => {
      const p = isPlainObject(b.properties) ? b.properties[property] : undefined;
      if (!isPlainObject(p)) return undefined;
      if (p.const !== undefined) return [p.const];
      return unknownArray(p.enum);
    });
  const complete = (vs: Array<unknown[] | undefined>): vs is unknown[][] => vs.every((v) => v !== undefined && v.length > 0);
  const declared = isPlainObject(parent) && isPlainObject(parent.discriminator) ? parent.discriminator.propertyName : undefined;
  if (typeof declared === 'string') {
    const values = valuesOf(declared);
    return complete(values) ? { property: declared, values } : undefined;
  }
  // no declaration: a property every branch requires, each as its own constant(s)
  const first = branches[0] as Record<string, unknown>;
  for (const property of isPlainObject(first.properties) ? Object.keys(first.properties) : []) {
    const required = branches.every((b) => Array.isArray(b.required) && b.required.includes(property));
    const values = valuesOf(property);
    if (!required || !complete(values)) continue;
    const all = values.flat();
    if (new Set(all).size === all.length) return { property, values };
  }
  return undefined;
}

function describeAjvError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${unknownArray(e.params.allowedValues)?.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return 'is not an allowed field';
    default:
      return e.message ?? 'is invalid';
  }
}

export function describeIssue(issue: ValidationIssue): string {
  const where = issue.location === 'body' ? issue.pointer || 'body' : issue.pointer;
  return `${where} ${issue.message}`;
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}
function unescapePointer(s: string): string {
  return s.replaceAll('~1', '/').replaceAll('~0', '~');
}

function kindOf(data: unknown): 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | undefined {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'array';
  const kind = typeof data;
  return kind === 'object' || kind === 'string' || kind === 'number' || kind === 'boolean' ? kind : undefined;
}

function valueAt(data: unknown, pointer: string): unknown {
  if (!pointer) return undefined;
  let cur: unknown = data;
  for (const part of pointer.split('/').slice(1).map(unescapePointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Reflect.get(cur, part);
  }
  return typeof cur === 'object' ? undefined : cur;
}
