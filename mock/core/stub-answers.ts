import type { IncomingHttpHeaders } from 'node:http';
import { closeMatches } from './close-matches.ts';
import { ApiError, errors, kindForStatus, statusTitle, type ValidationIssue } from './errors.ts';
import type { ApiSpec, OperationSpec } from './spec.ts';
import type { Tx } from './store/store.ts';
import { assertStubShape, candidates, consume, findStub, type NearMiss, type Stub, type StubInput, type StubPhase, type StubRequest, type StubVendor } from './stubs.ts';
import type { Validator } from './validation.ts';

/**
 * What a stub answers (its body in the vendor's envelope when asked) and the checks a stub passes
 * before it is stored: a known operation, and a response the vendor's spec allows.
 */

/** The parts of a vendor API a stub needs (VendorApi has them). */
export interface StubTarget {
  spec: ApiSpec;
  renderError(err: ApiError, request: StubRequestInfo): { status: number; headers: Record<string, string>; body: unknown };
  /** the vendor's success envelope (Synqly `{"result": …}`); omitted = bodies as they are */
  successEnvelope?(body: unknown): unknown;
}

export interface StubRequestInfo {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  listener: string;
}

export interface StubAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** the bytes sent; undefined = no body */
  serialized?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function stubAnswer(stub: StubInput, target: StubTarget, info: StubRequestInfo): StubAnswer {
  const r = stub.response;
  const extra = r.headers ?? {};
  if (r.envelope && r.status >= 400) {
    const b = r.body as { message?: unknown } | string | undefined; // any JSON; an envelope reads its message if it has one
    const message = typeof b === 'string' ? b : typeof b?.message === 'string' ? b.message : statusTitle(r.status);
    const rendered = target.renderError(new ApiError(kindForStatus(r.status), message, { status: r.status }), info);
    const headers = { 'content-type': JSON_TYPE, ...rendered.headers, ...extra };
    return { status: rendered.status, headers, body: rendered.body, serialized: JSON.stringify(rendered.body) };
  }
  if (r.bodyText !== undefined) {
    const contentType = headerValue(extra, 'content-type') ?? 'text/plain; charset=utf-8';
    return { status: r.status, headers: { 'content-type': contentType, ...extra }, body: parseIfJson(r.bodyText, contentType), serialized: r.bodyText };
  }
  if (r.body === undefined) return { status: r.status, headers: { ...extra }, body: undefined, serialized: r.status === 204 || r.status === 304 ? undefined : '' };
  const body = r.envelope && target.successEnvelope ? target.successEnvelope(r.body) : r.body;
  const contentType = headerValue(extra, 'content-type') ?? JSON_TYPE;
  const serialized = typeof body === 'string' && !contentType.includes('json') ? body : JSON.stringify(body);
  return { status: r.status, headers: { 'content-type': contentType, ...withoutHeader(extra, 'content-type') }, body, serialized };
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
}

function parseIfJson(text: string, contentType: string): unknown {
  if (!/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The operation a stub targets (by operationId, or method and path template), or 400 naming close
 * matches; then its shape, and its response against the spec unless it is unchecked (400 listing
 * the violations). Returns the operation's id, which the stored stub keeps.
 */
export function checkStub(input: StubInput, targets: Record<StubVendor, StubTarget>, validator: Validator): string {
  assertStubShape(input);
  const target = targets[input.vendor];
  const op = operationOf(input, target.spec, input.vendor);
  if (input.method !== undefined && (input.method.toUpperCase() !== op.method || (input.path !== undefined && input.path !== op.path))) {
    throw errors.badRequest(`operation ${op.operationId} is ${op.method} ${op.path}, not ${input.method.toUpperCase()} ${input.path ?? op.path}`);
  }
  for (const name of Object.keys(input.request?.params ?? {})) {
    if (!op.parameters.some((p) => p.in === 'path' && p.name === name)) {
      const known = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      throw errors.badRequest(`${op.operationId} has no path parameter ${name} (it has: ${known.join(', ') || 'none'})`);
    }
  }
  if (input.unchecked) return op.operationId;
  const answer = stubAnswer(input, target, { method: op.method, path: op.path, query: {}, headers: {}, listener: input.vendor });
  const issues: ValidationIssue[] = validator.validateResponse(op, answer.status, answer.headers['content-type'], answer.serialized === '' ? undefined : answer.body);
  if (issues.length) {
    throw errors.badRequest(`the stub's response is not what ${op.operationId} answers with status ${answer.status} in the vendor's spec (mark the stub unchecked to keep it anyway)`, {
      issues: issues.map((i) => ({ ...i, pointer: i.location === 'body' ? `/response/body${i.pointer}` : i.pointer })),
    });
  }
  return op.operationId;
}

function operationOf(input: StubInput, spec: ApiSpec, vendor: string): OperationSpec {
  if (input.operationId !== undefined) {
    const op = spec.byId.get(input.operationId);
    if (op) return op;
    const close = closeMatches(input.operationId, [...spec.byId.keys()]);
    throw errors.badRequest(`unknown ${vendor} operationId ${input.operationId}${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}`);
  }
  const method = input.method!.toUpperCase();
  const op = spec.operations.find((o) => o.method === method && o.path === input.path);
  if (op) return op;
  const close = closeMatches(input.path!, [...new Set(spec.operations.map((o) => o.path))], 3);
  throw errors.badRequest(`no ${vendor} operation ${method} ${input.path}${close.length ? ` (spec paths close to it: ${close.join(', ')})` : ''}`);
}

/** The store and randomness a stub lookup needs (TwinEnv has them). */
export interface StubEnv {
  store: { reader: Tx; transact<R>(fn: (tx: Tx) => R): Promise<R> };
}

/**
 * The stub that answers this request in this phase (its use consumed and counted), and the near
 * misses: stubs of the operation whose predicates failed. Nothing is looked up when no stub exists.
 */
export async function takeStub(env: StubEnv, phase: StubPhase, request: StubRequest): Promise<{ stub?: Stub; nearMisses: NearMiss[] }> {
  const stubs = candidates(env.store.reader, phase, request.vendor);
  if (stubs.length === 0) return { nearMisses: [] };
  const found = findStub(stubs, request);
  if (!found.stub) return found;
  // found again inside the transaction that consumes it: on a shared store another replica may
  // have used the stub up meanwhile, and `times` counts once across replicas
  return env.store.transact((tx) => {
    const current = findStub(candidates(tx, phase, request.vendor), request);
    if (current.stub) consume(tx, current.stub.id);
    return current;
  });
}

/** Whether any stub of this vendor is tried in this phase (the before-auth phase reads the body early only then). */
export function hasStubs(env: StubEnv, phase: StubPhase, vendor: string): boolean {
  return candidates(env.store.reader, phase, vendor).length > 0;
}
