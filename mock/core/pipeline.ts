import { STATUS_CODES, validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import sjson from 'secure-json-parse';
import type { Logger } from 'pino';
import { readBody } from './body.ts';
import { ApiError, errors, kindForStatus } from './errors.ts';
import type { Clock } from './clock.ts';
import type { Random } from './random.ts';
import type { Store } from './store/store.ts';
import { StoreUnavailableError } from './store/postgres.ts';
import { delayFor, type FaultRules, type FaultVendor } from './faults.ts';
import type { RateLimits } from './rate-limits.ts';
import type { SharedClock, SharedFaultRules } from './shared-settings.ts';
import type { MessageJournal } from './message-journal.ts';
import { redactBody, redactHeaders, redactQuery, type RequestJournal } from './request-journal.ts';
import { createRouter, type Router } from './router.ts';
import { hasStubs, stubAnswer, takeStub } from './stub-answers.ts';
import type { NearMiss, Stub, StubPhase } from './stubs.ts';
import type { ApiSpec, OperationSpec } from './spec.ts';
import type { ValidatedRequest, Validator } from './validation.ts';

/**
 * The operation pipeline, keyed by operationId:
 *   route (spec paths) → faults → auth → body (size, media type, JSON) → ajv validation
 *   → handler(ctx) → response, every error rendered in the vendor's own envelope.
 * Handlers never see req/res; they get a HandlerContext and return a HandlerResult.
 */

export interface TwinEnv {
  store: Store;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** in memory, or in a shared store (then changes and `times` are transactions: see shared-settings.ts) */
  faults: FaultRules | SharedFaultRules;
  /** set on a shared store: clock moves go through it, so every replica applies them */
  sharedClock?: SharedClock;
  /** per-credential rate limits set through the control API (none when omitted) */
  rateLimits?: RateLimits;
  requests: RequestJournal;
  /** messages accepted for delivery to integrations (Connxio) */
  messages: MessageJournal;
  validator: Validator;
  limits: { bodyBytes: number };
}

export interface RequestInfo {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** the header lines as sent, names in their own case (Node's `req.rawHeaders`: name, value, name, value, …) */
  rawHeaders?: readonly string[];
  listener: string;
  /** set once the route is known */
  operationId?: string;
  /** raw (unvalidated) path parameters, set once the route is known */
  params?: Record<string, string>;
  /** the peer address */
  remoteAddress?: string;
  /** the local port the request arrived on */
  localPort?: number;
}

/** What an API's observer learns after each routed call (for audit logs and the like). */
export interface CallRecord<P> {
  operation: OperationSpec;
  request: RequestInfo;
  /** undefined when the caller was not authenticated */
  principal: P | undefined;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
}

export interface HandlerContext<P> {
  operation: OperationSpec;
  /** path parameters, validated */
  params: Record<string, unknown>;
  /** query parameters, validated and coerced */
  query: Record<string, unknown>;
  /** header parameters declared by the spec, validated, lower-cased names */
  headers: Record<string, unknown>;
  /** parsed and validated body (undefined when none was sent) */
  body: unknown;
  principal: P;
  env: TwinEnv;
  request: RequestInfo & { rawBody?: Buffer };
}

export interface HandlerResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export type Handler<P> = (ctx: HandlerContext<P>) => HandlerResult | Promise<HandlerResult>;
export type OperationTable<P> = Record<string, Handler<P>>;

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface VendorApi<P> {
  /** vendor name used by faults and the journal */
  name: FaultVendor | 'admin';
  spec: ApiSpec;
  handlers: OperationTable<P>;
  /** resolves the caller, or throws 401/403/402 ApiErrors */
  authenticate(request: RequestInfo, op: OperationSpec): P | Promise<P>;
  renderError(err: ApiError, request: RequestInfo): RenderedError;
  /** the spec media type that a request's Content-Type maps to, or undefined (→ 415) */
  mediaTypeFor?(contentType: string, op: OperationSpec): string | undefined;
  /**
   * How the vendor's framework binds query parameters, applied before validation (Connxio: ASP.NET,
   * which matches names ignoring case and reads `True`/`FALSE` as booleans); omitted = as sent.
   */
  bindQuery?(query: Record<string, unknown>, op: OperationSpec): Record<string, unknown>;
  /** path prefixes every spec path is also served under (Connxio: '/api') */
  extraPrefixes?: string[];
  caseSensitive?: boolean;
  ignoreTrailingSlash?: boolean;
  /** headers added to every response of this API (CORS, for instance) */
  responseHeaders?: Record<string, string>;
  /**
   * The CORS grant of a preflight (OPTIONS on a known path, answered 204 with Allow); omitted =
   * none, so a browser on another origin is refused as by a server without CORS.
   */
  preflightHeaders?(request: RequestInfo, allow: readonly string[]): Record<string, string>;
  /** the vendor's success envelope for a stub marked `envelope` (Synqly: `{"result": …}`); omitted = none */
  successEnvelope?(body: unknown): unknown;
  /** the tenant (Synqly organization, Connxio company) of an authenticated caller, for stubs that name one */
  tenantOf?(principal: P): string | undefined;
  /** the credential a rate limit counts calls of (a token, an API key), once authenticated */
  rateLimitKey?(principal: P): string | undefined;
  /** called after every routed call has been answered; must not throw */
  observe?(call: CallRecord<P>): void;
}

interface MountedApi {
  prefix: string;
  api: VendorApi<unknown>;
  router: Router<OperationSpec>;
}

/** Builds the listener's request handler over its APIs; `prefix` '' is the fallback. */
export function createDispatcher(
  listener: string,
  apis: Array<{ prefix: string; api: VendorApi<unknown> }>,
  env: TwinEnv,
): (req: IncomingMessage, res: ServerResponse) => void {
  const unknownOps = new Set<string>();
  const mounted: MountedApi[] = apis.map(({ prefix, api }) => {
    for (const id of Object.keys(api.handlers)) {
      if (!api.spec.byId.has(id)) unknownOps.add(`${api.name}:${id}`);
    }
    return { prefix, api, router: routerFor(api) };
  });
  if (unknownOps.size > 0) throw new Error(`handlers name operations their spec lacks: ${[...unknownOps].join(', ')}`);
  // longest prefix first so '/__admin' wins over the '' fallback
  mounted.sort((a, b) => b.prefix.length - a.prefix.length);

  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://twin.local');
    const pathname = url.pathname;
    const mount = mounted.find((m) => pathname === m.prefix || pathname.startsWith(m.prefix + '/') || m.prefix === '')!;
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path: pathname,
      query: queryObject(url.searchParams),
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      listener,
      remoteAddress: req.socket.remoteAddress,
      localPort: req.socket.localPort,
    };
    let operationId: string | undefined;
    let operation: OperationSpec | undefined;
    let principal: unknown;
    let requestBody: unknown;
    let rateHeaders: Record<string, string> | undefined;
    let answeredBy: Stub | undefined;
    let nearMisses: NearMiss[] = [];
    const finish = (status: number, headers: Record<string, string>, body: unknown, serialized?: string) => {
      if (!res.headersSent && !res.destroyed) {
        const allHeaders: Record<string, string> = { ...mount.api.responseHeaders, ...rateHeaders, ...headers };
        if (serialized !== undefined) allHeaders['content-length'] = String(Buffer.byteLength(serialized));
        try {
          res.writeHead(status, allHeaders);
        } catch (err) {
          // a header value the HTTP layer refuses (an echoed request value, say): send the response without it
          env.logger.warn({ err, path: pathname }, 'dropped a response header the HTTP layer refused');
          res.writeHead(status, validHeaders(allHeaders));
        }
        res.end(serialized);
      }
      if (env.logger.isLevelEnabled('debug')) {
        // the access log (--log-level debug): no headers or bodies, the query with secrets redacted
        env.logger.debug(
          { listener, method: info.method, path: pathname, query: redactQuery(info.query), operationId, status, ms: Math.round((performance.now() - started) * 100) / 100 },
          'request',
        );
      }
      // reads of the journal itself are not journaled: a dashboard polling it would fill it with copies of itself
      if (mount.api.name !== 'admin' || operationId !== 'admin_requests_list') env.requests.record({
        at: env.clock.nowIso(),
        listener,
        vendor: mount.api.name,
        method: info.method,
        path: pathname,
        query: redactQuery(info.query),
        operationId,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        requestHeaders: redactHeaders(req.headers),
        requestBody: redactBody(requestBody),
        responseHeaders: redactHeaders(headers),
        responseBody: redactBody(body),
        ...(answeredBy ? { stub: { id: answeredBy.id, ...(answeredBy.name ? { name: answeredBy.name } : {}) } } : nearMisses.length ? { nearMisses } : {}),
      });
      // a stub changes no state: its answer is not observed (no audit event, no status counter)
      if (operation && mount.api.observe && !answeredBy) {
        try {
          mount.api.observe({ operation, request: info, principal, status, requestBody, responseBody: body });
        } catch (err) {
          env.logger.error({ err }, 'an API observer failed');
        }
      }
    };
    const fail = (err: unknown) => {
      const apiError = toApiError(err, env.logger, info);
      const rendered = mount.api.renderError(apiError, info);
      const contentType = rendered.headers['content-type'] ?? 'application/json; charset=utf-8';
      finish(rendered.status, { ...rendered.headers, 'content-type': contentType }, rendered.body, JSON.stringify(rendered.body));
    };

    const run = async () => {
      const match = mount.router.match(info.method, pathname);
      if (info.method === 'OPTIONS' && match.kind === 'method-not-allowed') {
        // a CORS preflight or a plain OPTIONS: what the path allows, and the API's CORS grant if it has one
        const allow = [...match.allow, 'OPTIONS'];
        finish(204, { Allow: allow.join(', '), ...mount.api.preflightHeaders?.(info, allow) }, undefined, undefined);
        return;
      }
      if (match.kind === 'not-found') throw errors.notFound(`no route for ${info.method} ${pathname}`);
      if (match.kind === 'bad-path') throw errors.badRequest(`malformed path: ${match.message}`);
      if (match.kind === 'method-not-allowed') throw errors.methodNotAllowed(info.method, match.allow);
      const op = match.route;
      operationId = op.operationId;
      operation = op;
      info.operationId = op.operationId;
      info.params = match.params;
      // a shared store: first apply what other replicas committed before this request arrived
      const synced = env.store.sync();
      if (synced) await synced;

      if (mount.api.name !== 'admin') {
        const taken = env.faults.take(mount.api.name, op.operationId);
        const fault = taken instanceof Promise ? await taken : taken;
        if (fault) {
          const a = fault.action;
          if (a.type === 'delay' || a.type === 'uniform-delay') await sleep(delayFor(a, env.random));
          else if (a.type === 'status')
            throw new ApiError(kindForStatus(a.status), a.message ?? `injected fault: status ${a.status}`, { status: a.status });
          else if (a.type === 'throttle') throw errors.tooManyRequests(a.retryAfterSeconds, 'rate limit exceeded (injected fault)');
          else if (a.type === 'connection-reset') {
            req.socket.resetAndDestroy();
            recordDropped(env, info, listener, mount.api.name, op.operationId, started);
            return;
          } else if (a.type === 'empty-response') {
            req.socket.destroy();
            recordDropped(env, info, listener, mount.api.name, op.operationId, started);
            return;
          }
        }
      }

      /** a stub of this phase answers instead of the handler: true when it did */
      const answerFromStub = async (phase: StubPhase, body: unknown): Promise<boolean> => {
        const tenant = phase === 'after-auth' && mount.api.tenantOf ? mount.api.tenantOf(principal) : undefined;
        const found = await takeStub(env, phase, {
          vendor: mount.api.name,
          operationId: op.operationId,
          method: info.method,
          pathTemplate: op.path,
          tenant,
          params: match.params,
          query: info.query,
          headers: req.headers,
          body,
        });
        nearMisses = [...nearMisses, ...found.nearMisses];
        if (!found.stub) return false;
        answeredBy = found.stub;
        if (found.stub.response.delayMs) await sleep(found.stub.response.delayMs);
        const answer = stubAnswer(found.stub, mount.api, info);
        finish(answer.status, answer.headers, answer.body, answer.serialized);
        return true;
      };

      let raw: Buffer | undefined;
      let rawRead = false;
      if (mount.api.name !== 'admin' && hasStubs(env, 'before-auth', mount.api.name)) {
        // a stub matched before auth may look at the body: read it now (the body step reuses it)
        raw = await readBody(req, env.limits.bodyBytes);
        rawRead = true;
        if (await answerFromStub('before-auth', lenientJson(raw))) return;
      }

      principal = await mount.api.authenticate(info, op);
      if (env.rateLimits && mount.api.rateLimitKey) {
        const credential = mount.api.rateLimitKey(principal);
        const verdict = credential === undefined ? undefined : env.rateLimits.check(mount.api.name, op.operationId, credential, env.clock.now());
        if (verdict) {
          rateHeaders = verdict.headers;
          if (verdict.retryAfterSeconds !== undefined) throw errors.tooManyRequests(verdict.retryAfterSeconds, 'rate limit exceeded for this credential; retry after the window ends');
        }
      }

      if (!rawRead) raw = await readBody(req, env.limits.bodyBytes);
      const hasBody = raw !== undefined && raw.length > 0;
      let body: unknown;
      let mediaType: string | undefined;
      if (op.requestBody && hasBody) {
        const contentType = (req.headers['content-type'] ?? '').toString();
        mediaType = (mount.api.mediaTypeFor ?? defaultMediaTypeFor)(contentType, op);
        if (!mediaType) throw errors.unsupportedMediaType(contentType.split(';')[0] ?? '', Object.keys(op.requestBody.content));
        body = parseBody(raw!, mediaType);
        requestBody = body;
      }

      let validated: ValidatedRequest;
      try {
        validated = env.validator.validateRequest(
          op,
          { params: match.params, query: mount.api.bindQuery ? mount.api.bindQuery(info.query, op) : info.query, headers: req.headers as Record<string, unknown>, body, hasBody: op.requestBody ? hasBody : false },
          mediaType,
        );
      } catch (err) {
        // a required body that was not sent: marked for renderers that word it their own way
        if (err instanceof ApiError && op.requestBody?.required && !hasBody) throw withBodyMarker(err, { missingBody: true });
        throw err;
      }
      if (mount.api.name !== 'admin' && (await answerFromStub('after-auth', body))) return;
      const handler = mount.api.handlers[op.operationId];
      if (!handler) throw errors.notImplemented(op.operationId);
      const result = await handler({
        operation: op,
        params: validated.params,
        query: validated.query,
        headers: validated.headers,
        body: validated.body,
        principal,
        env,
        request: { ...info, rawBody: raw },
      });
      const status = result.status ?? 200;
      if (result.body === undefined) {
        finish(status, result.headers ?? {}, undefined, status === 204 ? undefined : '');
      } else {
        const contentType = result.contentType ?? 'application/json; charset=utf-8';
        const serialized = typeof result.body === 'string' && !contentType.includes('json') ? result.body : JSON.stringify(result.body);
        finish(status, { ...result.headers, 'content-type': contentType }, result.body, serialized);
      }
    };
    run().catch(fail);
  };
}

function validHeaders(headers: Record<string, string>): Record<string, string> {
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

/** an API's routes; every listener that mounts the API (the control API is on all three) shares them */
const routers = new WeakMap<VendorApi<unknown>, Router<OperationSpec>>();
function routerFor(api: VendorApi<unknown>): Router<OperationSpec> {
  let router = routers.get(api);
  if (!router) {
    router = createRouter<OperationSpec>({ caseSensitive: api.caseSensitive, ignoreTrailingSlash: api.ignoreTrailingSlash });
    for (const op of api.spec.operations) {
      router.add(op.method, op.path, op);
      for (const extra of api.extraPrefixes ?? []) router.add(op.method, extra + op.path, op);
    }
    routers.set(api, router);
  }
  return router;
}

function recordDropped(env: TwinEnv, info: RequestInfo, listener: string, vendor: string, operationId: string, started: number) {
  env.requests.record({
    at: env.clock.nowIso(),
    listener,
    vendor,
    method: info.method,
    path: info.path,
    query: redactQuery(info.query),
    operationId,
    status: 0,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    requestHeaders: redactHeaders(info.headers as Record<string, unknown>),
  });
}

function toApiError(err: unknown, logger: Logger, info: RequestInfo): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number; limit?: number; message?: string };
  // errors raised by the body reader (raw-body / body-parser)
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

export function defaultMediaTypeFor(contentType: string, op: OperationSpec): string | undefined {
  const declared = Object.keys(op.requestBody?.content ?? {});
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (!media) return undefined;
  if (declared.includes(media)) return media;
  if ((media.endsWith('+json') || media === 'text/json') && declared.includes('application/json')) return 'application/json';
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Markers the pipeline puts in `details.extra` of its own body errors, so a renderer can word them
 * as its vendor does (Connxio: ASP.NET's model-state keys) without reading message texts:
 * `unreadableBody` (the reader's or parser's message) when the body could not be decoded or
 * parsed, `missingBody` when a required body was not sent.
 */
export interface BodyErrorMarkers {
  unreadableBody?: string;
  missingBody?: true;
}

function withBodyMarker(err: ApiError, marker: BodyErrorMarkers): ApiError {
  return new ApiError(err.kind, err.message, { ...err.details, extra: { ...err.details.extra, ...marker } });
}

/**
 * Media types that stand for any bytes (an operation that declares the media range "any type"
 * takes every content type as an opaque payload): never decoded strictly or parsed. The handler reads the bytes as sent
 * from `ctx.request.rawBody`; `ctx.body` is a readable rendering (invalid UTF-8 as U+FFFD).
 */
export const OPAQUE_MEDIA_TYPES: ReadonlySet<string> = new Set(['*/*', 'application/octet-stream']);

function parseBody(raw: Buffer, mediaType: string): unknown {
  if (OPAQUE_MEDIA_TYPES.has(mediaType)) return raw.toString('utf8');
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw errors.badRequest('request body is not valid UTF-8', { parameter: { id: '', location: 'body' }, extra: { unreadableBody: 'The request body is not valid UTF-8.' } });
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (mediaType.includes('json')) {
    try {
      return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      const message = (err as Error).message;
      const forbidden = /prototype/i.test(message);
      throw errors.badRequest(forbidden ? 'request body contains a forbidden key (__proto__ or constructor.prototype)' : `request body is not valid JSON: ${message}`, {
        parameter: { id: '', location: 'body' },
        extra: { unreadableBody: forbidden ? 'The JSON object contains a forbidden key (__proto__ or constructor.prototype).' : message },
      });
    }
  }
  return text;
}

/** a body as a stub predicate sees it before the body step: JSON when it parses, else its text */
function lenientJson(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch {
    return text;
  }
}

function queryObject(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    const value = all.length === 1 ? all[0] : all;
    // `?__proto__=…` is a parameter like any other: an own property, never the object's prototype
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** what Node's parser reports for a request it refused, and the status the twin answers it with */
const PARSER_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_REQUEST_TIMEOUT: 408 };

/**
 * A request Node's HTTP parser refuses (conflicting Content-Length and Transfer-Encoding, a bare LF,
 * oversized headers, …) never reaches a dispatcher, and Node would answer a bare `400` without a
 * body. This `clientError` listener answers in the listener's vendor envelope instead, then closes
 * the connection (the stream can no longer be trusted).
 */
export type ClientErrorHandler = (err: Error & { code?: string }, socket: Duplex) => void;

export function createClientErrorResponder(listener: string, api: VendorApi<unknown>, env: TwinEnv): ClientErrorHandler {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = PARSER_ERROR_STATUS[err.code ?? ''] ?? 400;
    const message = status === 431 ? 'the request headers are too large' : status === 408 ? 'the request was not received in time' : `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`;
    const info: RequestInfo = { method: 'UNKNOWN', path: '/', query: {}, headers: {}, listener };
    try {
      const rendered = api.renderError(new ApiError(kindForStatus(status), message, { status }), info);
      const body = JSON.stringify(rendered.body);
      const headers: Record<string, string> = { ...(api.responseHeaders ?? {}), ...rendered.headers };
      headers['content-type'] ??= 'application/json; charset=utf-8';
      const head = [`HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? 'Bad Request'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    } catch (renderErr) {
      env.logger.error({ err: renderErr }, 'could not answer a request the HTTP parser refused');
      socket.destroy();
    }
  };
}
