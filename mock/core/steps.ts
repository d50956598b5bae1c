import sjson from 'secure-json-parse';
import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Handler, HandlerResult, RequestInfo, TwinEnv, VendorApi } from './api.ts';
import { bodyAnnounced, defaultMediaTypeFor, parseBody, readBody, withBodyMarker } from './body.ts';
import { ApiError, errors, kindForStatus } from './errors.ts';
import { delayFor, type FaultRule } from './faults.ts';
import { answerJson } from './kept-json.ts';
import type { RateLimitVerdict } from './rate-limits.ts';
import { redactBody, redactHeaders, redactQuery, type JournalRecord } from './request-journal.ts';
import { hasStubs, stubAnswer, takeStub } from './stub-answers.ts';
import type { NearMiss, Stub, StubPhase } from './stubs.ts';
import type { RouteMatch, Router } from './router.ts';
import type { OperationSpec } from './spec.ts';
import { StoreUnavailableError } from './store/postgres.ts';
import type { ValidatedRequest, Validator } from './validation.ts';

/**
 * The steps of the operation pipeline, in the order a request meets them:
 *   route → store sync → faults → (stubs matched before auth) → auth → rate limit → body → validate
 *   → stubs → handler → render → send, then the access log, the request journal and the API's observer.
 * Each is a small function over what it needs; `createDispatcher` (pipeline.ts) runs them in order.
 * A step that refuses the request throws an ApiError, rendered in the API's envelope by `renderFailure`.
 */

/** One request on its way through the steps: what later steps, the journal and the observer need. */
export interface Call {
  readonly listener: string;
  readonly api: VendorApi<unknown>;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  /** performance.now() when the request arrived */
  readonly started: number;
  /** set by the route step */
  operation?: OperationSpec;
  /** set by the auth step */
  principal?: unknown;
  /** the parsed request body, set by the body step */
  requestBody?: unknown;
  /** the request body's size in bytes as received, set by the body step (the journal's byte bound) */
  requestBytes?: number;
  /** rate-limit headers every response of this call carries, set by the rate-limit step */
  rateHeaders?: Record<string, string>;
  /** the stub that answered instead of the handler, set by the stub step */
  answeredBy?: Stub;
  /** the fault rule that applied to this call, set by the fault step */
  fault?: FaultRule;
  /** stubs of this operation that did not match, and why (for the journal) */
  nearMisses?: NearMiss[];
}

/** What goes back to the client: its headers (without the API's and the rate limit's), the body, and its bytes. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** the body as sent; undefined = no body at all (204, a preflight) */
  serialized?: string;
}

// ---- route

export type Routed = Extract<RouteMatch<OperationSpec>, { kind: 'found' }> | { kind: 'preflight'; allow: string[] };

/**
 * The operation of the method and path (spec routes). OPTIONS on a known path is a preflight
 * (answered with Allow); an unknown path is 404, a malformed one 400, another method 405 with Allow.
 */
export function route(router: Router<OperationSpec>, method: string, path: string): Routed {
  const match = router.match(method, path);
  if (match.kind === 'found') return match;
  if (match.kind === 'method-not-allowed') {
    if (method === 'OPTIONS') return { kind: 'preflight', allow: [...match.allow, 'OPTIONS'] };
    throw errors.methodNotAllowed(method, match.allow);
  }
  if (match.kind === 'bad-path') throw errors.badRequest(`malformed path: ${match.message}`);
  throw errors.notFound(`no route for ${method} ${path}`);
}

/** The answer to a preflight (or a plain OPTIONS): what the path allows, and the API's CORS grant if it has one. */
export function preflightAnswer(api: VendorApi<unknown>, info: RequestInfo, allow: readonly string[]): Answer {
  return { status: 204, headers: { Allow: allow.join(', '), ...api.preflightHeaders?.(info, allow) }, body: undefined };
}

// ---- store sync

/**
 * On a shared store, what other replicas committed before this request arrived, to be applied
 * first (a promise to await); undefined on other stores, so the hot path awaits nothing.
 */
export function syncStore(env: TwinEnv): Promise<void> | undefined {
  return env.store.sync();
}

// ---- faults

/** the socket operations a connection-dropping fault needs */
export interface DroppableSocket {
  resetAndDestroy(): unknown;
  destroy(): unknown;
}

/**
 * The fault rule that applies to this call, consumed (one of its `times`); none for an API that
 * takes no faults (no `vendor`: the control API). A promise on a shared store (taking is a
 * transaction there), the rule itself otherwise, so the hot path awaits nothing.
 */
export function takeFault(api: VendorApi<unknown>, env: TwinEnv, operationId: string): FaultRule | undefined | Promise<FaultRule | undefined> {
  return api.vendor === undefined ? undefined : env.faults.take(api.vendor, operationId);
}

/**
 * Applies a fault rule: a delay waits and lets the call proceed; an injected status or throttle
 * throws its ApiError; a dropped connection resets or closes the socket and returns 'dropped'
 * (nothing is answered).
 */
export async function applyFault(fault: FaultRule, env: TwinEnv, socket: DroppableSocket): Promise<'proceed' | 'dropped'> {
  const a = fault.action;
  switch (a.type) {
    case 'delay':
    case 'uniform-delay':
      await sleep(delayFor(a, env.random));
      return 'proceed';
    case 'status':
      throw new ApiError(kindForStatus(a.status), a.message ?? `injected fault: status ${a.status}`, { status: a.status });
    case 'throttle':
      throw errors.tooManyRequests(a.retryAfterSeconds, 'rate limit exceeded (injected fault)');
    case 'connection-reset':
      socket.resetAndDestroy();
      return 'dropped';
    case 'empty-response':
      socket.destroy();
      return 'dropped';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- stubs

/** Whether the API takes stubs matched before auth, and one exists (the body is then read early for their predicates). */
export function hasStubsBeforeAuth(api: VendorApi<unknown>, env: TwinEnv): boolean {
  return api.vendor !== undefined && hasStubs(env, 'before-auth', api.vendor);
}

/** Whether the API takes stubs matched after auth, and one exists (else the stub step is skipped). */
export function hasStubsAfterAuth(api: VendorApi<unknown>, env: TwinEnv): boolean {
  return api.vendor !== undefined && hasStubs(env, 'after-auth', api.vendor);
}

/**
 * The answer of the stub of this phase that matches the call (after its delay), instead of the
 * handler's; undefined when none does (or the API takes no stubs). Records the stub and the near
 * misses on the call, for the journal.
 */
export async function answerFromStub(call: Call, env: TwinEnv, phase: StubPhase, params: Record<string, string>, body: unknown): Promise<Answer | undefined> {
  const { api, info, operation } = call;
  if (api.vendor === undefined || !operation) return undefined;
  const tenant = phase === 'after-auth' && api.tenantOf ? api.tenantOf(call.principal) : undefined;
  const found = await takeStub(env, phase, {
    vendor: api.vendor,
    operationId: operation.operationId,
    method: info.method,
    pathTemplate: operation.path,
    tenant,
    params,
    query: info.query,
    headers: info.headers,
    body,
  });
  if (found.nearMisses.length > 0) call.nearMisses = [...(call.nearMisses ?? []), ...found.nearMisses];
  if (!found.stub) return undefined;
  call.answeredBy = found.stub;
  if (found.stub.response.delayMs) await sleep(found.stub.response.delayMs);
  return stubAnswer(found.stub, api, info);
}

/** a body as a stub predicate sees it before the body step: JSON when it parses, else its text */
export function lenientJson(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch {
    return text;
  }
}

// ---- auth

/** The caller, as the API resolves it from the request's credentials; its 401/402/403 ApiErrors pass through. */
export function authenticate(api: VendorApi<unknown>, info: RequestInfo, operation: OperationSpec): unknown {
  return api.authenticate(info, operation);
}

// ---- rate limit

/**
 * Counts the call against the rate limits of its credential (the API's `rateLimitKey` of the
 * principal). When a rule applies, its headers go on every response of the call
 * (`call.rateHeaders`); over the limit throws 429 with Retry-After.
 */
export function checkRateLimit(call: Call, env: TwinEnv): void | Promise<void> {
  const { api, operation } = call;
  if (!env.rateLimits || !api.rateLimitKey || !operation) return;
  const credential = api.rateLimitKey(call.principal);
  if (credential === undefined) return;
  const verdict = env.rateLimits.check(api.name, operation.operationId, credential, env.clock.now());
  // a promise on a shared store (counting is a transaction there, see shared-settings.ts)
  if (verdict instanceof Promise) return verdict.then((v) => applyRateVerdict(call, v));
  applyRateVerdict(call, verdict);
}

function applyRateVerdict(call: Call, verdict: RateLimitVerdict | undefined): void {
  if (!verdict) return;
  call.rateHeaders = verdict.headers;
  if (verdict.retryAfterSeconds !== undefined) throw errors.tooManyRequests(verdict.retryAfterSeconds, 'rate limit exceeded for this credential; retry after the window ends');
}

// ---- body

export interface ReadRequestBody {
  /** the bytes as sent (undefined: no body) */
  raw: Buffer | undefined;
  /** a non-empty body was sent */
  hasBody: boolean;
  /** the parsed body; undefined when the operation takes none or none was sent */
  body: unknown;
  /** the spec media type the body was read as */
  mediaType: string | undefined;
}

/**
 * Reads the body (size limit, content encoding) and, when the operation takes one, maps its
 * Content-Type to a spec media type (415 otherwise) and parses it (400 for bytes that are not
 * valid UTF-8 or JSON), then lets the API decode what it reads its own way (`decodeBody`). A body sent to an operation that takes none is read and ignored.
 * The bytes are read once: a stub matched before auth may have read them already (`preread`).
 */
export function readRequestBody(
  req: IncomingMessage,
  api: VendorApi<unknown>,
  operation: OperationSpec,
  limitBytes: number,
  /** the bytes, when an earlier step read them already */
  preread?: { raw: Buffer | undefined },
): ReadRequestBody | Promise<ReadRequestBody> {
  // no body announced (no Content-Length, no Transfer-Encoding): nothing to wait for
  if (!preread && !bodyAnnounced(req)) return { raw: undefined, hasBody: false, body: undefined, mediaType: undefined };
  if (preread) return interpretBody(req, api, operation, preread.raw);
  return readBody(req, limitBytes).then((raw) => interpretBody(req, api, operation, raw));
}

function interpretBody(req: IncomingMessage, api: VendorApi<unknown>, operation: OperationSpec, raw: Buffer | undefined): ReadRequestBody {
  const hasBody = raw !== undefined && raw.length > 0;
  if (!operation.requestBody || !hasBody) return { raw, hasBody, body: undefined, mediaType: undefined };
  const contentType = (req.headers['content-type'] ?? '').toString();
  const mediaType = (api.mediaTypeFor ?? defaultMediaTypeFor)(contentType, operation);
  if (!mediaType) throw errors.unsupportedMediaType(contentType.split(';')[0] ?? '', Object.keys(operation.requestBody.content));
  const parsed = parseBody(raw, mediaType);
  const decoded = api.decodeBody?.(parsed, mediaType, operation);
  if (decoded) return { raw, hasBody, body: decoded.body, mediaType: decoded.mediaType };
  return { raw, hasBody, body: parsed, mediaType };
}

// ---- validate

/**
 * Validates path parameters, the query (bound as the vendor's framework binds it), the spec's
 * header parameters and the body against the operation's schemas (ajv): 400 with the issues. A
 * required body that was not sent is marked `missingBody` for renderers that word it their own way.
 */
export function validate(
  validator: Validator,
  api: VendorApi<unknown>,
  operation: OperationSpec,
  info: RequestInfo,
  params: Record<string, string>,
  read: ReadRequestBody,
): ValidatedRequest {
  const query = api.bindQuery ? api.bindQuery(info.query, operation) : info.query;
  const hasBody = operation.requestBody ? read.hasBody : false;
  try {
    return validator.validateRequest(operation, { params, query, headers: info.headers, body: read.body, hasBody }, read.mediaType);
  } catch (err) {
    if (err instanceof ApiError && operation.requestBody?.required && !read.hasBody) throw withBodyMarker(err, { missingBody: true });
    throw err;
  }
}

// ---- handler

/** The operation's handler; an operation of the spec that no handler implements answers 501, naming it. */
export function handlerFor(api: VendorApi<unknown>, operation: OperationSpec): Handler<unknown> {
  const handler = api.handlers[operation.operationId];
  if (!handler) throw errors.notImplemented(operation.operationId);
  return handler;
}

// ---- render

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': JSON_CONTENT_TYPE });

/** A handler's result as sent: 200 by default, JSON unless the handler says otherwise; no body → empty (204: none at all). */
export function renderResult(result: HandlerResult): Answer {
  const status = result.status ?? 200;
  if (result.body === undefined) return { status, headers: result.headers ?? {}, body: undefined, serialized: status === 204 ? undefined : '' };
  const contentType = result.contentType ?? JSON_CONTENT_TYPE;
  const serialized = typeof result.body === 'string' && !contentType.includes('json') ? result.body : answerJson(result.body);
  // most results set no headers: a literal then, not a spread (a spread of the many shapes handlers return defines its key slowly),
  // and for JSON one frozen object shared by every answer (nothing changes an answer's headers; the journal redacts it once)
  const headers = result.headers ? { ...result.headers, 'content-type': contentType } : contentType === JSON_CONTENT_TYPE ? JSON_HEADERS : { 'content-type': contentType };
  return { status, headers, body: result.body, serialized };
}

/** Any failure in the API's own envelope; an error that is not an ApiError is logged and answered 500 (or the body reader's 4xx). */
export function renderFailure(api: VendorApi<unknown>, err: unknown, info: RequestInfo, logger: Logger): Answer {
  const rendered = api.renderError(toApiError(err, logger, info), info);
  const contentType = rendered.headers['content-type'] ?? 'application/json; charset=utf-8';
  return { status: rendered.status, headers: { ...rendered.headers, 'content-type': contentType }, body: rendered.body, serialized: JSON.stringify(rendered.body) };
}

export function toApiError(err: unknown, logger: Logger, info: RequestInfo): ApiError {
  if (err instanceof ApiError) return err;
  // errors raised by a body reader (raw-body / body-parser style); anything else is the twin's own failure
  const e = err as { type?: string; limit?: number; message?: string } | undefined;
  if (e?.type === 'entity.too.large') return errors.payloadTooLarge(e.limit ?? 0);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new ApiError('unsupported_media_type', e.message ?? 'unsupported encoding');
  if (e?.type === 'request.aborted' || e?.type === 'request.size.invalid') return errors.badRequest(e.message ?? 'request body could not be read');
  if (err instanceof StoreUnavailableError) {
    logger.warn({ method: info.method, path: info.path, reason: err.message }, 'answered 503: the shared store is unavailable');
    return new ApiError('service_unavailable', 'the twin\'s database is unavailable; retry shortly', { headers: { 'Retry-After': '1' } });
  }
  logger.error({ err, method: info.method, path: info.path }, 'unexpected error while handling a request');
  return errors.internal('the twin failed unexpectedly while handling this request; see its log');
}

// ---- send

/** Writes the answer with the API's response headers and the call's rate-limit headers (once; not on a closed connection). */
export function send(call: Call, answer: Answer, logger: Logger): void {
  const { res } = call;
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {};
  copyHeaders(headers, call.api.responseHeaders);
  copyHeaders(headers, call.rateHeaders);
  copyHeaders(headers, answer.headers);
  if (answer.serialized !== undefined) headers['content-length'] = String(Buffer.byteLength(answer.serialized));
  try {
    res.writeHead(answer.status, headers);
  } catch (err) {
    // a header value the HTTP layer refuses (an echoed request value, say): send the response without it
    logger.warn({ err, path: call.info.path }, 'dropped a response header the HTTP layer refused');
    res.writeHead(answer.status, validHeaders(headers));
  }
  res.end(answer.serialized);
}

/**
 * Copies `from`'s headers onto `to`, as `{ ...to, ...from }` would (a `__proto__` name stays a
 * header). Not a spread: V8 (Node 20) gives an object made by a leading spread, such as
 * `{ ...api.responseHeaders, ... }`, that then gains new properties a hidden class of its own
 * every time, several µs per response.
 */
function copyHeaders(to: Record<string, string>, from: Record<string, string> | undefined): void {
  if (!from) return;
  for (const name of Object.keys(from)) {
    if (name === '__proto__') Object.defineProperty(to, name, { value: from[name], enumerable: true, writable: true, configurable: true });
    else to[name] = from[name]!;
  }
}

export function validHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      out[name] = value;
    } catch {
      // left out
    }
  }
  return out;
}

// ---- after the answer: access log, journal, observer

function elapsedMs(call: Call): number {
  return Math.round((performance.now() - call.started) * 100) / 100;
}

/**
 * The access log, one line per request at level info: no headers or bodies, the query with secrets
 * redacted, and the stub or fault that answered.
 */
export function logAccess(call: Call, status: number, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  const { info } = call;
  accessLoggerOf(logger).info(
    {
      listener: call.listener,
      method: info.method,
      path: info.path,
      query: redactQuery(info.query),
      operationId: info.operationId,
      status,
      ms: elapsedMs(call),
      ...(call.answeredBy ? { stub: call.answeredBy.id } : {}),
      ...(call.fault ? { fault: call.fault.id } : {}),
    },
    'request',
  );
}

/**
 * Per logger, the child the access log writes through: the same log without pino's redaction.
 * An access line carries no headers or bodies, and its query is redacted by the journal's rule,
 * which covers every name the CLI's redaction paths name, so the line is the same either way;
 * the CLI's wildcard paths cost some 60 µs a line, most of a request's time at level info.
 * Everything else the twin logs goes through the redaction as before.
 */
const accessLoggers = new WeakMap<Logger, Logger>();
function accessLoggerOf(logger: Logger): Logger {
  let access = accessLoggers.get(logger);
  if (!access) {
    access = logger.child({}, { redact: { paths: [] } });
    accessLoggers.set(logger, access);
  }
  if (access.level !== logger.level) access.level = logger.level; // a child keeps the level it was made with
  return access;
}

/**
 * Records the call in the request journal, secrets redacted; a dropped connection (no answer)
 * is recorded with status 0 and no response; a stub's answer names the stub, else the near
 * misses are kept. Operations the API marks `unjournaled` are left out.
 */
export function journal(call: Call, env: TwinEnv, answer: Answer | undefined): void {
  const { info, api } = call;
  if (info.operationId !== undefined && api.unjournaled?.has(info.operationId)) return;
  // built in place, without temporary objects (this runs on every request); the keys keep their order
  const record: Omit<JournalRecord, 'id'> = {
    at: env.clock.nowIso(),
    listener: call.listener,
    vendor: api.name,
    method: info.method,
    path: info.path,
    query: redactQuery(info.query),
    operationId: info.operationId,
    status: answer?.status ?? 0,
    durationMs: elapsedMs(call),
    requestHeaders: redactHeaders(info.headers),
  };
  if (answer) {
    record.requestBody = redactBody(call.requestBody);
    record.responseHeaders = redactHeaders(answer.headers);
    record.responseBody = redactBody(answer.body);
  }
  const stub = call.answeredBy;
  if (stub) record.stub = stub.name ? { id: stub.id, name: stub.name } : { id: stub.id };
  else if (call.nearMisses?.length) record.nearMisses = call.nearMisses;
  env.requests.record(record, (answer ? (call.requestBytes ?? 0) + (answer.serialized?.length ?? 0) : 0) + JOURNAL_ENTRY_OVERHEAD_BYTES);
}

/** what an entry weighs besides its bodies (headers, path, query…), roughly, for the journal's byte bound */
const JOURNAL_ENTRY_OVERHEAD_BYTES = 1024;

/** Tells the API's observer (audit log, webhooks) about a routed call the handler answered; an observer that throws is logged, never fails the call. */
export function observe(call: Call, answer: Answer, logger: Logger): void {
  const { api, operation } = call;
  // a stub changes no state: its answer is not observed (no audit event, no status counter)
  if (!operation || !api.observe || call.answeredBy) return;
  try {
    api.observe({ operation, request: call.info, principal: call.principal, status: answer.status, requestBody: call.requestBody, responseBody: answer.body });
  } catch (err) {
    logger.error({ err }, 'an API observer failed');
  }
}
