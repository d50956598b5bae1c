import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestInfo, TwinEnv, VendorApi } from './api.ts';
import { createClock } from './clock.ts';
import { ApiError, errors } from './errors.ts';
import { createFaultRules, type FaultRules } from './faults.ts';
import { createMessageJournal } from './message-journal.ts';
import { createRandom } from './random.ts';
import { createRateLimits } from './rate-limits.ts';
import { createRequestJournal } from './request-journal.ts';
import { createRouter } from './router.ts';
import { loadSpec, type OperationSpec } from './spec.ts';
import {
  answerFromStub,
  applyFault,
  authenticate,
  checkRateLimit,
  handlerFor,
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
  type Call,
} from './steps.ts';
import { StoreUnavailableError } from './store/postgres.ts';
import { Store } from './store/store.ts';
import { STUBS, type Stub } from './stubs.ts';
import { createValidator } from './validation.ts';

/** Each pipeline step on its own, over the tiny spec; pipeline.test.ts runs them together over HTTP. */

const spec = await loadSpec(fileURLToPath(new URL('./testing/tiny.yaml', import.meta.url)));
const op = (id: string): OperationSpec => spec.byId.get(id)!;
const router = createRouter<OperationSpec>();
for (const o of spec.operations) router.add(o.method, o.path, o);

let env: TwinEnv;
/** the in-memory rules (env.faults may also be a shared store's) */
let faults: FaultRules;
beforeEach(async () => {
  const random = createRandom(1);
  faults = createFaultRules(random);
  env = {
    store: await Store.open(),
    clock: createClock(),
    random,
    logger: pino({ level: 'silent' }),
    faults,
    rateLimits: createRateLimits(random),
    requests: createRequestJournal(50),
    messages: createMessageJournal(),
    validator: createValidator(),
    limits: { bodyBytes: 64 },
  };
});

function api(extra: Partial<VendorApi<unknown>> = {}): VendorApi<unknown> {
  return {
    name: 'testapi',
    spec,
    handlers: { things_list: () => ({ body: [] }) },
    authenticate: (request) => {
      if (request.headers.authorization !== 'Bearer good') throw errors.unauthorized('no');
      return 'caller';
    },
    renderError: (err: ApiError, request) => ({ status: err.status, headers: { ...err.details.headers }, body: { envelope: 'test', message: err.message, path: request.path } }),
    ...extra,
  };
}

function info(method: string, path: string, headers: Record<string, string> = {}, query: Record<string, unknown> = {}): RequestInfo {
  return { method, path, query, headers, listener: 'test' };
}

/** a response that records what was written */
function fakeResponse() {
  const written: { status?: number; headers?: Record<string, string>; body?: string; ended: boolean } = { ended: false };
  let refuseFirst = false;
  const res = {
    headersSent: false,
    destroyed: false,
    writeHead(status: number, headers: Record<string, string>) {
      if (refuseFirst) {
        refuseFirst = false;
        throw new TypeError('invalid header value');
      }
      written.status = status;
      written.headers = headers;
    },
    end(body?: string) {
      written.body = body;
      written.ended = true;
    },
  };
  return { res, written, refuseOnce: () => (refuseFirst = true) };
}

function call(theApi: VendorApi<unknown>, request: RequestInfo, res: object = fakeResponse().res, req: object = {}): Call {
  // the steps read only the fields a test sets up; the rest of req/res is Node's
  return { listener: 'test', api: theApi, req: req as IncomingMessage, res: res as ServerResponse, info: request, started: 0 };
}

function bodyRequest(body: string | Buffer | undefined, headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from(body === undefined ? [] : [Buffer.from(body)]) as Readable & { headers: Record<string, string> };
  stream.headers = body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers };
  return stream as unknown as IncomingMessage; // a readable with headers is all readBody uses of a request
}

describe('step › route', () => {
  it('finds the operation and its raw path parameters, literal segments first', () => {
    const found = route(router, 'GET', '/things/acme/7');
    expect(found).toMatchObject({ kind: 'found', params: { owner: 'acme', id: '7' } });
    expect(found.kind === 'found' && found.route.operationId).toBe('things_get');
    const lookup = route(router, 'GET', '/things/lookup/7');
    expect(lookup.kind === 'found' && lookup.route.operationId).toBe('things_lookup');
  });

  it('answers OPTIONS on a known path as a preflight listing the allowed methods', () => {
    expect(route(router, 'OPTIONS', '/things')).toEqual({ kind: 'preflight', allow: ['GET', 'POST', 'OPTIONS'] });
  });

  it('refuses unknown paths 404 and other methods 405 with Allow', () => {
    expect(() => route(router, 'GET', '/nowhere')).toThrow(expect.objectContaining({ status: 404 }));
    try {
      route(router, 'PUT', '/things');
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).status).toBe(405);
      expect((err as ApiError).details.headers).toMatchObject({ Allow: 'GET, POST' });
    }
  });

  it('builds the preflight answer with the API CORS grant', () => {
    const grant = api({ preflightHeaders: (_request, allow) => ({ 'access-control-allow-methods': allow.join(',') }) });
    expect(preflightAnswer(grant, info('OPTIONS', '/things'), ['GET', 'OPTIONS'])).toEqual({
      status: 204,
      headers: { Allow: 'GET, OPTIONS', 'access-control-allow-methods': 'GET,OPTIONS' },
      body: undefined,
    });
    expect(preflightAnswer(api(), info('OPTIONS', '/things'), ['GET']).headers).toEqual({ Allow: 'GET' });
  });
});

describe('step › faults', () => {
  const socket = () => {
    const calls: string[] = [];
    return { calls, socket: { resetAndDestroy: () => calls.push('reset'), destroy: () => calls.push('destroy') } };
  };

  it('takes the rule of the API fault vendor, consuming its times; an API without one takes none', async () => {
    faults.add({ vendor: 'synqly', operationId: 'things_list', action: { type: 'status', status: 503 }, times: 1 });
    expect(takeFault(api(), env, 'things_list')).toBeUndefined();
    expect(takeFault(api({ vendor: 'connxio' }), env, 'things_list')).toBeUndefined();
    expect((await takeFault(api({ vendor: 'synqly' }), env, 'things_list'))?.action).toEqual({ type: 'status', status: 503 });
    expect(takeFault(api({ vendor: 'synqly' }), env, 'things_list')).toBeUndefined();
  });

  it('throws the injected status and the throttle (429 with Retry-After)', async () => {
    const { socket: s } = socket();
    const status = faults.add({ vendor: 'synqly', action: { type: 'status', status: 502, message: 'gateway' } });
    await expect(applyFault(status, env, s)).rejects.toMatchObject({ status: 502, message: 'gateway' });
    const throttle = faults.add({ vendor: 'synqly', action: { type: 'throttle', retryAfterSeconds: 9 } });
    const err = await applyFault(throttle, env, s).catch((e: unknown) => e as ApiError);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).details.headers).toEqual({ 'Retry-After': '9' });
  });

  it('drops the connection (reset or plain close) and says so; a delay lets the call proceed', async () => {
    const { calls, socket: s } = socket();
    expect(await applyFault(faults.add({ vendor: 'synqly', action: { type: 'connection-reset' } }), env, s)).toBe('dropped');
    expect(await applyFault(faults.add({ vendor: 'synqly', action: { type: 'empty-response' } }), env, s)).toBe('dropped');
    expect(calls).toEqual(['reset', 'destroy']);
    expect(await applyFault(faults.add({ vendor: 'synqly', action: { type: 'delay', ms: 1 } }), env, s)).toBe('proceed');
    expect(calls).toHaveLength(2);
  });
});

describe('step › auth', () => {
  it('returns the principal the API resolves and lets its refusal through', () => {
    expect(authenticate(api(), info('GET', '/things', { authorization: 'Bearer good' }), op('things_list'))).toBe('caller');
    expect(() => authenticate(api(), info('GET', '/things'), op('things_list'))).toThrow(expect.objectContaining({ status: 401 }));
  });
});

describe('step › rate limit', () => {
  const limited = () => api({ rateLimitKey: (p) => (p === 'anonymous' ? undefined : String(p)) });

  it('puts the rule headers on the call and refuses the call over the limit with 429', () => {
    env.rateLimits!.add({ vendor: 'synqly', limit: 1, windowSeconds: 60 });
    const theApi = { ...limited(), name: 'synqly' };
    const first = call(theApi, info('GET', '/things'));
    first.operation = op('things_list');
    first.principal = 'caller';
    checkRateLimit(first, env);
    expect(first.rateHeaders).toMatchObject({ 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0' });
    const second = { ...first, rateHeaders: undefined };
    expect(() => checkRateLimit(second, env)).toThrow(expect.objectContaining({ status: 429 }));
    // the refused call still carries the headers
    expect(second.rateHeaders).toMatchObject({ 'X-RateLimit-Limit': '1' });
  });

  it('counts nothing without a rule, a credential or a rate-limit key', () => {
    const theApi = { ...limited(), name: 'synqly' };
    const c = call(theApi, info('GET', '/things'));
    c.operation = op('things_list');
    c.principal = 'caller';
    checkRateLimit(c, env);
    expect(c.rateHeaders).toBeUndefined();
    env.rateLimits!.add({ vendor: 'synqly', limit: 1, windowSeconds: 60 });
    c.principal = 'anonymous';
    checkRateLimit(c, env);
    checkRateLimit(c, env);
    expect(c.rateHeaders).toBeUndefined();
    const keyless = call({ ...api(), name: 'synqly' }, info('GET', '/things'));
    keyless.operation = op('things_list');
    keyless.principal = 'caller';
    checkRateLimit(keyless, env);
    expect(keyless.rateHeaders).toBeUndefined();
  });
});

describe('step › body', () => {
  it('reads and parses a JSON body of an operation that takes one', async () => {
    const read = await readRequestBody(bodyRequest('{"name":"x"}', { 'content-type': 'application/json' }), api(), op('things_create'), 64);
    expect(read).toMatchObject({ hasBody: true, body: { name: 'x' }, mediaType: 'application/json' });
    expect(read.raw?.toString()).toBe('{"name":"x"}');
  });

  it('reads but ignores a body sent to an operation that takes none; no body at all is undefined', async () => {
    const ignored = await readRequestBody(bodyRequest('{"a":1}', { 'content-type': 'application/json' }), api(), op('things_list'), 64);
    expect(ignored).toMatchObject({ hasBody: true, body: undefined, mediaType: undefined });
    const none = await readRequestBody(bodyRequest(undefined), api(), op('things_create'), 64);
    expect(none).toEqual({ raw: undefined, hasBody: false, body: undefined, mediaType: undefined });
  });

  it('refuses an unknown content type (415), malformed JSON (400) and an oversized body (413)', async () => {
    await expect(readRequestBody(bodyRequest('<a/>', { 'content-type': 'application/xml' }), api(), op('things_create'), 64)).rejects.toMatchObject({ status: 415 });
    await expect(readRequestBody(bodyRequest('{"name":', { 'content-type': 'application/json' }), api(), op('things_create'), 64)).rejects.toMatchObject({
      status: 400,
      details: { extra: { unreadableBody: expect.any(String) } },
    });
    await expect(readRequestBody(bodyRequest(`{"name":"${'x'.repeat(100)}"}`, { 'content-type': 'application/json' }), api(), op('things_create'), 64)).rejects.toMatchObject({ status: 413 });
  });

  it('maps the content type with the API own mediaTypeFor', async () => {
    const anyType = api({ mediaTypeFor: () => '*/*' });
    const read = await readRequestBody(bodyRequest('a,b', { 'content-type': 'text/csv' }), anyType, op('blobs_put'), 64);
    expect(read).toMatchObject({ body: 'a,b', mediaType: '*/*' });
  });

  it('lets the API read a parsed body its own way (decodeBody), naming the media type it is validated as', async () => {
    const decoding = api({
      mediaTypeFor: () => 'text/plain',
      decodeBody: (parsed, mediaType) => (typeof parsed === 'string' && mediaType === 'text/plain' ? { body: { name: parsed.trim() }, mediaType: 'application/json' } : undefined),
    });
    const read = await readRequestBody(bodyRequest(' x ', { 'content-type': 'text/plain' }), decoding, op('things_create'), 64);
    expect(read).toMatchObject({ hasBody: true, body: { name: 'x' }, mediaType: 'application/json' });
    expect(read.raw?.toString()).toBe(' x ');
    // undefined: the body as parsed
    const asParsed = await readRequestBody(bodyRequest('{"name":"y"}', { 'content-type': 'application/json' }), api({ decodeBody: () => undefined }), op('things_create'), 64);
    expect(asParsed).toMatchObject({ body: { name: 'y' }, mediaType: 'application/json' });
    // a decoder's refusal is the request's
    const refusing = api({ mediaTypeFor: () => 'text/plain', decodeBody: () => { throw errors.badRequest('unreadable'); } });
    await expect(readRequestBody(bodyRequest('z', { 'content-type': 'text/plain' }), refusing, op('things_create'), 64)).rejects.toMatchObject({ status: 400 });
  });
});

describe('step › validate', () => {
  const noBody = { raw: undefined, hasBody: false, body: undefined, mediaType: undefined };

  it('coerces parameters, binding the query as the API binds it', () => {
    const lowerCased = api({ bindQuery: (q) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k.toLowerCase(), v])) });
    const v = validate(env.validator, lowerCased, op('things_list'), info('GET', '/things', {}, { LIMIT: '5' }), {}, noBody);
    expect(v.query).toEqual({ limit: 5 });
    expect(() => validate(env.validator, api(), op('things_list'), info('GET', '/things', {}, { limit: '0' }), {}, noBody)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('validates the body strictly and marks a required body that was not sent', () => {
    const bad = { raw: Buffer.from('{}'), hasBody: true, body: { name: 'x', size: '3' }, mediaType: 'application/json' };
    try {
      validate(env.validator, api(), op('things_create'), info('POST', '/things'), {}, bad);
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).details.issues?.[0]).toMatchObject({ location: 'body', pointer: '/size' });
      expect((err as ApiError).details.extra?.missingBody).toBeUndefined();
    }
    try {
      validate(env.validator, api(), op('things_create'), info('POST', '/things'), {}, noBody);
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).details.extra).toEqual({ missingBody: true });
    }
  });
});

describe('step › handler', () => {
  it('finds the operation handler, or answers 501 naming an operation no handler implements', () => {
    const theApi = api();
    expect(handlerFor(theApi, op('things_list'))).toBe(theApi.handlers.things_list);
    expect(() => handlerFor(api(), op('things_delete'))).toThrow(/things_delete/);
    expect(() => handlerFor(api(), op('things_delete'))).toThrow(expect.objectContaining({ status: 501 }));
  });
});

describe('step › render', () => {
  it('renders a result as JSON with status 200 by default', () => {
    expect(renderResult({ body: { a: 1 } })).toEqual({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { a: 1 }, serialized: '{"a":1}' });
  });

  it('sends a text body as is, an empty 200 as an empty string and a 204 without any body', () => {
    expect(renderResult({ body: 'a,b', contentType: 'text/csv', headers: { 'x-n': '1' } })).toEqual({ status: 200, headers: { 'x-n': '1', 'content-type': 'text/csv' }, body: 'a,b', serialized: 'a,b' });
    expect(renderResult({ body: 'quoted' }).serialized).toBe('"quoted"');
    expect(renderResult({ headers: { 'x-interchange-id': 'i' } })).toEqual({ status: 200, headers: { 'x-interchange-id': 'i' }, body: undefined, serialized: '' });
    expect(renderResult({ status: 204 })).toEqual({ status: 204, headers: {}, body: undefined, serialized: undefined });
  });

  it('renders any failure in the API envelope; an unexpected error is a 500 that hides its message', () => {
    const refused = renderFailure(api(), errors.notFound('gone'), info('GET', '/x'), env.logger);
    expect(refused).toEqual({ status: 404, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { envelope: 'test', message: 'gone', path: '/x' }, serialized: JSON.stringify(refused.body) });
    const crash = renderFailure(api(), new Error('secret internals'), info('GET', '/x'), env.logger);
    expect(crash.status).toBe(500);
    expect(crash.serialized).not.toContain('secret internals');
    expect(renderFailure(api(), { type: 'entity.too.large', limit: 10 }, info('GET', '/x'), env.logger).status).toBe(413);
    const down = renderFailure(api(), new StoreUnavailableError('connection refused'), info('GET', '/x'), env.logger);
    expect(down.status).toBe(503);
    expect(down.headers['Retry-After']).toBe('1');
  });
});

describe('step › send', () => {
  it('writes the API headers, the rate-limit headers and the answer with its length', () => {
    const { res, written } = fakeResponse();
    const c = call(api({ responseHeaders: { 'access-control-allow-origin': '*' } }), info('GET', '/things'), res);
    c.rateHeaders = { 'X-RateLimit-Limit': '5' };
    send(c, { status: 201, headers: { 'content-type': 'application/json' }, body: { é: 1 }, serialized: '{"é":1}' }, env.logger);
    expect(written).toEqual({
      status: 201,
      headers: { 'access-control-allow-origin': '*', 'X-RateLimit-Limit': '5', 'content-type': 'application/json', 'content-length': '8' },
      body: '{"é":1}',
      ended: true,
    });
  });

  it('merges as a spread would: the answer over the rate limit over the API, in first-seen order, any name an own header', () => {
    const { res, written } = fakeResponse();
    const c = call(api({ responseHeaders: { 'x-a': 'api', 'x-b': 'api' } }), info('GET', '/things'), res);
    c.rateHeaders = { 'x-b': 'rate', 'x-c': 'rate' };
    send(c, { status: 200, headers: JSON.parse('{"x-a":"answer","__proto__":"p"}') as Record<string, string>, body: undefined, serialized: '' }, env.logger);
    expect(Object.keys(written.headers!)).toEqual(['x-a', 'x-b', 'x-c', '__proto__', 'content-length']);
    expect(written.headers).toEqual({ 'x-a': 'answer', 'x-b': 'rate', 'x-c': 'rate', ['__proto__']: 'p', 'content-length': '0' });
    expect(Object.getPrototypeOf(written.headers)).toBe(Object.prototype);
  });

  it('drops a header the HTTP layer refuses and still answers; writes nothing once headers are sent', () => {
    const first = fakeResponse();
    first.refuseOnce();
    send(call(api(), info('GET', '/'), first.res), { status: 200, headers: { good: 'yes', bad: 'a\nb' }, body: undefined, serialized: '' }, env.logger);
    expect(first.written.headers).toEqual({ good: 'yes', 'content-length': '0' });
    const sent = fakeResponse();
    sent.res.headersSent = true;
    send(call(api(), info('GET', '/'), sent.res), { status: 200, headers: {}, body: undefined, serialized: '' }, env.logger);
    expect(sent.written.ended).toBe(false);
  });
});

describe('step › journal, access log, observer', () => {
  it('journals the call with secrets redacted, and a dropped one with status 0', () => {
    const c = call(api(), info('POST', '/things', { authorization: 'Bearer good' }, { token: 'abc' }));
    c.info.operationId = 'things_create';
    c.requestBody = { name: 'x', secret: 's3' };
    journal(c, env, { status: 200, headers: { 'content-type': 'application/json' }, body: { token: 't0' } });
    journal(c, env, undefined);
    const [dropped, answered] = env.requests.query({ operationId: 'things_create' });
    expect(answered).toMatchObject({ vendor: 'testapi', status: 200, requestBody: { name: 'x', secret: '[redacted]' }, responseBody: { token: '[redacted]' } });
    expect(answered!.requestHeaders.authorization).toBe('[redacted]');
    expect(dropped).toMatchObject({ status: 0 });
    expect(dropped).not.toHaveProperty('responseBody');
  });

  it('leaves out the operations the API marks unjournaled', () => {
    const c = call(api({ unjournaled: new Set(['things_list']) }), info('GET', '/things'));
    c.info.operationId = 'things_list';
    journal(c, env, { status: 200, headers: {}, body: [] });
    c.info.operationId = 'things_create';
    journal(c, env, { status: 200, headers: {}, body: [] });
    expect(env.requests.query().map((e) => e.operationId)).toEqual(['things_create']);
  });

  it('tells the observer about a routed call only, and survives an observer that throws', () => {
    const seen: unknown[] = [];
    const watched = api({ observe: (record) => seen.push({ op: record.operation.operationId, status: record.status, principal: record.principal }) });
    const unrouted = call(watched, info('GET', '/nowhere'));
    observe(unrouted, { status: 404, headers: {}, body: {} }, env.logger);
    const routed = call(watched, info('GET', '/things'));
    routed.operation = op('things_list');
    routed.principal = 'caller';
    observe(routed, { status: 200, headers: {}, body: [] }, env.logger);
    expect(seen).toEqual([{ op: 'things_list', status: 200, principal: 'caller' }]);
    const throwing = call(api({ observe: () => { throw new Error('observer bug'); } }), info('GET', '/things'));
    throwing.operation = op('things_list');
    expect(() => observe(throwing, { status: 200, headers: {}, body: [] }, env.logger)).not.toThrow();
  });

  it('logs the access line at info level (not at warn), without headers', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const c = call(api(), info('GET', '/things', { authorization: 'Bearer good' }, { secret: 'x' }));
    c.info.operationId = 'things_list';
    logAccess(c, 200, logger);
    logAccess(c, 200, pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'GET', path: '/things', operationId: 'things_list', status: 200, query: { secret: '[redacted]' } });
    expect(JSON.stringify(lines[0])).not.toContain('Bearer good');
  });

  it('writes the same access line as a redacting logger would, follows its level, and leaves its other lines redacted', () => {
    const lines: string[] = [];
    const redacting = pino({ level: 'warn', base: undefined, timestamp: false, redact: { paths: ['token', '*.token', '*.*.token'], censor: '[redacted]' } }, { write: (line: string) => lines.push(line) });
    const c = call(api(), info('GET', '/things', {}, { token: 'q-secret', limit: '5' }));
    c.info.operationId = 'things_list';
    logAccess(c, 200, redacting); // at warn: nothing, but its access child exists now
    redacting.level = 'info';
    logAccess(c, 200, redacting);
    redacting.info({ token: 'other-secret' }, 'other');
    expect(lines).toHaveLength(2);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'request', query: { token: '[redacted]', limit: '5' } });
    expect(lines.join('')).not.toContain('secret"');
    expect(lines[1]).toContain('"token":"[redacted]"');
  });
});

describe('step › store sync', () => {
  it('has nothing to wait for on a store of one process', () => {
    expect(syncStore(env)).toBeUndefined();
  });
});

describe('step › stubs', () => {
  const stub = (extra: Partial<Stub>): Stub => ({
    id: `stub-${extra.name ?? 'x'}`,
    created_at: '2026-01-01T00:00:00.000Z',
    seq: 1,
    matched: 0,
    vendor: 'synqly',
    operationId: 'things_list',
    response: { status: 200, body: { stubbed: true } },
    ...extra,
  });
  const put = (s: Stub) => env.store.transact((tx) => tx.put(STUBS, s.id, s));

  it('answers with the matching stub of the phase, names it on the call and keeps the near misses', async () => {
    await put(stub({ name: 'tagged', seq: 2, request: { query: { tag: { equals: 'red' } } } }));
    await put(stub({ name: 'early', beforeAuth: true }));
    const c = call(api({ vendor: 'synqly' }), info('GET', '/things', {}, { tag: 'blue' }));
    c.operation = op('things_list');
    expect(await answerFromStub(c, env, 'after-auth', {}, undefined)).toBeUndefined();
    expect(c.nearMisses?.map((m) => m.stubId)).toEqual(['stub-tagged']);
    const answer = await answerFromStub(c, env, 'before-auth', {}, undefined);
    expect(answer).toMatchObject({ status: 200, body: { stubbed: true }, serialized: '{"stubbed":true}' });
    expect(c.answeredBy?.id).toBe('stub-early');
  });

  it('takes no stubs for an API that emulates no vendor, and says when a before-auth stub exists', async () => {
    await put(stub({ name: 'early', beforeAuth: true }));
    expect(hasStubsBeforeAuth(api({ vendor: 'synqly' }), env)).toBe(true);
    expect(hasStubsBeforeAuth(api({ vendor: 'connxio' }), env)).toBe(false);
    expect(hasStubsBeforeAuth(api(), env)).toBe(false);
    const c = call(api(), info('GET', '/things'));
    c.operation = op('things_list');
    expect(await answerFromStub(c, env, 'before-auth', {}, undefined)).toBeUndefined();
  });

  it('reads an early body leniently: JSON when it parses, else its text', () => {
    expect(lenientJson(Buffer.from('{"a":1,"__proto__":{"x":1}}'))).toEqual({ a: 1 });
    expect(lenientJson(Buffer.from('a=b'))).toBe('a=b');
    expect(lenientJson(undefined)).toBeUndefined();
  });

  it('journals the stub that answered and does not observe its answer', () => {
    const seen: unknown[] = [];
    const c = call(api({ observe: (r) => seen.push(r) }), info('GET', '/things'));
    c.operation = op('things_list');
    c.info.operationId = 'things_list';
    c.answeredBy = stub({ name: 'named' });
    observe(c, { status: 200, headers: {}, body: {} }, env.logger);
    journal(c, env, { status: 200, headers: {}, body: {} });
    expect(seen).toEqual([]);
    expect(env.requests.query()[0]?.stub).toEqual({ id: 'stub-named', name: 'named' });
  });
});
