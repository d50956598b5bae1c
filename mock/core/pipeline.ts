import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { RequestInfo, TwinEnv, VendorApi } from './api.ts';
import { ApiError, kindForStatus } from './errors.ts';
import type { Router } from './router.ts';
import type { OperationSpec } from './spec.ts';
import { readBody } from './body.ts';
import {
  answerFromStub,
  applyFault,
  authenticate,
  checkRateLimit,
  handlerFor,
  hasStubsAfterAuth,
  hasStubsBeforeAuth,
  journal,
  lenientJson,
  logAccess,
  observe,
  preflightAnswer,
  readRequestBody,
  renderFailure,
  renderResult,
  route,
  send,
  syncStore,
  takeFault,
  validate,
  type Answer,
  type Call,
} from './steps.ts';

export type { CallRecord, Handler, HandlerContext, HandlerResult, OperationTable, RenderedError, RequestInfo, TwinEnv, TypedHandler, TypedHandlerContext, TypedOperationTable, VendorApi } from './api.ts';
export { operationTable } from './api.ts';
export { defaultMediaTypeFor, OPAQUE_MEDIA_TYPES, type BodyErrorMarkers } from './body.ts';

/**
 * The operation pipeline, keyed by operationId. A request meets the steps of steps.ts in this order:
 *   route (spec paths; OPTIONS preflight) → store sync (a shared store) → faults → stubs matched
 *   before auth → auth → rate limit → body (size, media type, JSON) → validate (ajv) → stubs →
 *   handler(ctx) → render → send → access log, journal, observer.
 * Every refusal is an ApiError rendered in the API's own envelope. Handlers never see req/res;
 * they get a HandlerContext and return a HandlerResult.
 */

interface MountedApi {
  prefix: string;
  api: VendorApi<unknown>;
  /** built on the API's first request: a twin whose custom APIs or control API nobody calls never builds theirs */
  router?: Router<OperationSpec>;
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
    return { prefix, api };
  });
  if (unknownOps.size > 0) throw new Error(`handlers name operations their spec lacks: ${[...unknownOps].join(', ')}`);
  // longest prefix first so '/__admin' wins over the '' fallback
  mounted.sort((a, b) => b.prefix.length - a.prefix.length);
  // The latest response stays referenced until the next request comes. Node builds a
  // ServerResponse with some 40 properties, most of them keyed by symbols, and V8 keeps the hidden
  // classes that path creates only while an object still uses them. Once the twin had sat idle
  // long enough for a full collection to find no response left, the next one was built by V8's
  // slow path, which made it a dictionary object, and every response after it took the same
  // path: +10–15 µs of CPU per GET in Node's HTTP code from then on (README "Performance").
  let latestResponse: ServerResponse | undefined;

  return (req, res) => {
    latestResponse = res;
    const started = performance.now();
    const target = req.url ?? '/';
    let pathname = plainPath(target);
    let query: Record<string, unknown>;
    if (pathname !== undefined) query = {};
    else {
      const url = new URL(target, 'http://twin.local');
      pathname = url.pathname;
      query = queryObject(url.searchParams);
    }
    const mount = mountFor(mounted, pathname);
    // every field the steps set later is declared here, so the objects keep one shape (no
    // property added later, which would grow a separate property store per request)
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path: pathname,
      query,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      listener,
      operationId: undefined,
      params: undefined,
      remoteAddress: req.socket.remoteAddress,
      localPort: req.socket.localPort,
      noted: undefined,
      rawBody: undefined,
    };
    const call: Call = {
      listener,
      api: mount.api,
      req,
      res,
      info,
      started,
      operation: undefined,
      principal: undefined,
      requestBody: undefined,
      requestBytes: undefined,
      rateHeaders: undefined,
      answeredBy: undefined,
      fault: undefined,
      nearMisses: undefined,
    };
    const waiting = env.prepare?.() ?? (routing ? undefined : loadRouting());
    (waiting ? waiting.then(() => runSteps(call, routerOf(mount), env)) : runSteps(call, routerOf(mount), env))
      .then((answer) => answer && finish(call, answer, env))
      .catch((err: unknown) => finish(call, renderFailure(call.api, err, info, env.logger), env));
  };
}

/** the API mounted at the longest prefix of `pathname` (mounts are sorted longest first; '' takes the rest) */
function mountFor(mounted: readonly MountedApi[], pathname: string): MountedApi {
  for (const m of mounted) {
    if (m.prefix === '' || pathname === m.prefix || (pathname.startsWith(m.prefix) && pathname.charCodeAt(m.prefix.length) === 47 /* '/' */)) return m;
  }
  return mounted[mounted.length - 1]!;
}

/**
 * Characters the URL parser leaves as they are in a path (no percent-encoding, no backslash, no
 * query or fragment); a target made of them, starting with one '/', with no '.' or '..' segment,
 * is its own pathname, so the common request needs no URL object.
 */
const PLAIN_TARGET = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/** the pathname of a request target that needs no parsing (see PLAIN_TARGET); undefined for any other */
export function plainPath(target: string): string | undefined {
  return PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target) ? target : undefined;
}

/** The steps up to the answer; undefined when the connection was dropped (an injected fault). */
async function runSteps(call: Call, router: Router<OperationSpec>, env: TwinEnv): Promise<Answer | undefined> {
  const { api, info, req } = call;
  const routed = route(router, info.method, info.path);
  if (routed.kind === 'preflight') return preflightAnswer(api, info, routed.allow);
  const operation = routed.route;
  call.operation = operation;
  info.operationId = operation.operationId;
  info.params = routed.params;
  const synced = syncStore(env);
  if (synced) await synced;

  const taken = takeFault(api, env, operation.operationId);
  const fault = taken instanceof Promise ? await taken : taken;
  if (fault) call.fault = fault;
  if (fault && (await applyFault(fault, env, req.socket)) === 'dropped') {
    journal(call, env, undefined);
    return undefined;
  }

  let preread: { raw: Buffer | undefined } | undefined;
  if (hasStubsBeforeAuth(api, env)) {
    preread = { raw: await readBody(req, env.limits.bodyBytes) };
    const stubbed = await answerFromStub(call, env, 'before-auth', routed.params, lenientJson(preread.raw));
    if (stubbed) return stubbed;
  }

  // the steps that may be asynchronous are awaited only when they are (most requests await nothing)
  const principal = authenticate(api, info, operation);
  call.principal = principal instanceof Promise ? await principal : principal;
  const limited = checkRateLimit(call, env);
  if (limited) await limited;
  const reading = readRequestBody(req, api, operation, env.limits.bodyBytes, preread);
  const read = reading instanceof Promise ? await reading : reading;
  call.requestBody = read.body;
  call.requestBytes = read.raw?.length;
  // the operation's first request loads its checks (the build's, or ajv): deferred-validator.ts
  const checks = env.validator.prepare?.(operation);
  if (checks) await checks;
  const validated = validate(env.validator, api, operation, info, routed.params, read);
  if (hasStubsAfterAuth(api, env)) {
    const stubbed = await answerFromStub(call, env, 'after-auth', routed.params, read.body);
    if (stubbed) return stubbed;
  }
  const handler = handlerFor(api, operation);
  const handled = handler({
    operation,
    params: validated.params,
    query: validated.query,
    headers: validated.headers,
    body: validated.body,
    principal: call.principal,
    env,
    request: { ...info, rawBody: read.raw },
  });
  return renderResult(handled instanceof Promise ? await handled : handled);
}

/** Sends the answer, then the access log, the journal and the observer (which see the call even when the client has gone). */
function finish(call: Call, answer: Answer, env: TwinEnv): void {
  send(call, answer, env.logger);
  logAccess(call, answer.status, env.logger);
  journal(call, env, answer);
  observe(call, answer, env.logger);
}

/**
 * The router's module (find-my-way), imported by loadRouting: createTwin awaits it, `apitwin serve`
 * loads it right after its ready line (TwinEnv.prepare), and a dispatcher made without either
 * loads it on its first request.
 */
let routing: typeof import('./router.ts') | undefined;

export async function loadRouting(): Promise<void> {
  routing ??= await import('./router.ts');
}

function routerOf(mount: MountedApi): Router<OperationSpec> {
  return (mount.router ??= routerFor(mount.api));
}

/** an API's routes; every listener that mounts the API (the control API is on all three) shares them */
const routers = new WeakMap<VendorApi<unknown>, Router<OperationSpec>>();
function routerFor(api: VendorApi<unknown>): Router<OperationSpec> {
  let router = routers.get(api);
  if (!router) {
    if (!routing) throw new Error('a route table is built before loadRouting() resolved');
    router = routing.createRouter<OperationSpec>({ caseSensitive: api.caseSensitive, ignoreTrailingSlash: api.ignoreTrailingSlash });
    for (const op of api.spec.operations) {
      router.add(op.method, op.path, op);
      for (const extra of api.extraPrefixes ?? []) router.add(op.method, extra + op.path, op);
    }
    routers.set(api, router);
  }
  return router;
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
