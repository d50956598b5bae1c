import { beforeAll, describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { uniqueName } from '../support/resources.ts';
import { dataDigest, expectEnvelope, hardeningTenants, listenersOf, parseRawResponse, send, sendBytes, type HardeningTenants, type ListenerName, type Listeners, type RawResponse } from './http.ts';
import { fillPath, jsonBodySchema, queryString, requiredParams, specOperations, wrongBodies, wrongTexts, type SpecOperation } from './spec-requests.ts';

/**
 * Bad input, on every listener and (where it applies) every operation of both vendors: malformed
 * JSON, wrong content types, oversized bodies, huge arrays, deep nesting, prototype keys, invalid
 * UTF-8, path traversal and encoded slashes, header injection, and a wrong value for every
 * parameter and body field the specs declare. The promises: never a 5xx, the twin keeps
 * answering, every rejection in the vendor's envelope, and nothing stored on rejection (the
 * store's data digest is unchanged; audit events, which Synqly appends for every call, aside).
 */

const target = await useTarget();
const run = target.capabilities.admin;

/** operations whose auth comes before validation and refuses the suite's caller (an administrator token, a Management+Messaging key) */
const AUTH_FIRST: Record<string, string> = {
  tokens_refresh: 'takes only a refresh secret as its bearer',
};

interface Callers {
  listeners: Listeners;
  tenants: HardeningTenants;
  headers: Record<ListenerName, Record<string, string>>;
}

let callers: Callers;
let operations: SpecOperation[];

beforeAll(async () => {
  if (!run) return;
  const listeners = await listenersOf(target);
  const tenants = await hardeningTenants(target, listeners, '/bad/{id}');
  operations = await specOperations();
  const cx = tenants.connxio;
  callers = {
    listeners,
    tenants,
    headers: {
      synqly: { authorization: `Bearer ${tenants.synqlyToken}` },
      connxio: { 'connxio-api-key': cx.apiKey, authorization: `Bearer ${cx.bearer}` },
      custom: { 'connxio-api-key': cx.customApiKey, authorization: `Bearer ${cx.bearer}` },
    },
  };
  return () => tenants.remove();
});

function call(listener: ListenerName, req: { method: string; path: string; headers?: Record<string, string | string[]>; body?: string | Buffer }): Promise<RawResponse> {
  return send(callers.listeners[listener], { ...req, headers: { ...callers.headers[listener], ...req.headers } });
}

/** a path for the operation: custom-API operations get the suite's custom route */
function pathOf(s: SpecOperation, values: Record<string, string> = {}): string {
  return s.listener === 'custom' ? `/bad/${encodeURIComponent(values.route ?? 'x')}` : fillPath(s.op, values);
}

function rejected(s: SpecOperation, res: RawResponse, what: string, expected: number): void {
  expectEnvelope(s.listener, res, `${s.op.operationId} ${what}`);
  if (AUTH_FIRST[s.op.operationId] && (res.status === 401 || res.status === 403)) return;
  expect(res.status, `${s.op.operationId} ${what}: ${res.text.slice(0, 300)}`).toBe(expected);
}

async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
  const before = await dataDigest(target);
  const result = await fn();
  expect(await dataDigest(target), 'the store changed on rejected input').toBe(before);
  return result;
}

/**
 * operations that read a JSON body; the raw-message operations (messages, custom API routes)
 * declare the any-type media range too: they take JSON as one opaque payload among others and
 * never parse it (messaging.test.ts and custom-apis.test.ts check that)
 */
const jsonOps = () => operations.filter((s) => jsonBodySchema(s.op) !== undefined && !Object.hasOwn(s.op.requestBody!.content, '*/*'));

describe.runIf(run)('bad input › bodies', () => {
  it('malformed JSON on every operation that takes JSON: 400', async () => {
    await unchanged(async () => {
      for (const s of jsonOps()) {
        for (const text of ['{"name":', '{name: "x"}', "{'a':1}", '[1,2,', 'undefined', '{"a":1}}', '\u0000']) {
          const res = await call(s.listener, { method: s.op.method, path: pathOf(s), headers: { 'content-type': 'application/json' }, body: text });
          rejected(s, res, `malformed JSON ${JSON.stringify(text)}`, 400);
        }
      }
    });
  });

  it('a content type the operation does not take: 415; no content type on a body: 415', async () => {
    await unchanged(async () => {
      for (const s of jsonOps()) {
        const declared = Object.keys(s.op.requestBody!.content);
        for (const type of ['application/x-apitwin-unknown', 'multipart/form-data; boundary=x', 'image/png']) {
          if (declared.some((d) => type.startsWith(d))) continue;
          const res = await call(s.listener, { method: s.op.method, path: pathOf(s), headers: { 'content-type': type }, body: '{"name":"x"}' });
          rejected(s, res, `content type ${type}`, 415);
        }
      }
    });
  });

  it('bodies over the limit: 413 in the envelope, on every listener and the control API', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 'a');
    const wrapped = Buffer.concat([Buffer.from('{"name":"'), big, Buffer.from('"}')]);
    await unchanged(async () => {
      const synqly = await call('synqly', { method: 'POST', path: '/v1/accounts', headers: { 'content-type': 'application/json' }, body: wrapped });
      expectEnvelope('synqly', synqly, 'oversized');
      expect(synqly.status).toBe(413);
      const connxio = await call('connxio', { method: 'POST', path: '/v2/integrations', headers: { 'content-type': 'application/json' }, body: wrapped });
      expectEnvelope('connxio', connxio, 'oversized');
      expect(connxio.status).toBe(413);
      const custom = await call('custom', { method: 'POST', path: '/bad/1', headers: { 'content-type': 'application/json' }, body: wrapped });
      expectEnvelope('custom', custom, 'oversized');
      expect(custom.status).toBe(413);
      const adminRes = await send(callers.listeners.synqly, { method: 'POST', path: '/__admin/tenants', headers: { 'content-type': 'application/json' }, body: wrapped });
      expectEnvelope('admin', adminRes, 'oversized');
      expect(adminRes.status).toBe(413);
      // chunked, without a Content-Length: the limit holds while streaming
      const chunked = await sendBytes(
        callers.listeners.synqly,
        Buffer.concat([
          Buffer.from(`POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${callers.tenants.synqlyToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`),
          Buffer.from(`${wrapped.length.toString(16)}\r\n`),
          wrapped,
          Buffer.from('\r\n0\r\n\r\n'),
        ]),
        5000,
      );
      expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    });
  });

  it('huge arrays and deep nesting: an answer for each, never a 5xx', async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const hugeArray = JSON.stringify({ name: uniqueName('huge'), labels: Array.from({ length: 60_000 }, (_, i) => `l${i}`) });
    const cases: Array<{ s: SpecOperation; body: string; what: string }> = [];
    for (const s of jsonOps()) {
      cases.push({ s, body: deep(20_000), what: 'objects nested 20,000 deep' }, { s, body: deepArray(100_000), what: 'arrays nested 100,000 deep' });
    }
    const accountsCreate = operations.find((s) => s.op.operationId === 'accounts_create')!;
    const batch = operations.find((s) => s.op.operationId === 'send_message_batch')!;
    cases.push({ s: accountsCreate, body: hugeArray, what: '60,000 labels' });
    cases.push({ s: batch, body: JSON.stringify(Array.from({ length: 20_000 }, () => ({ body: 'e30=' }))), what: 'a batch of 20,000' });
    for (const { s, body, what } of cases) {
      const res = await call(s.listener, { method: s.op.method, path: pathOf(s), headers: { 'content-type': 'application/json' }, body });
      expect(res.status, `${s.op.operationId} ${what}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
      if (res.status >= 400) expectEnvelope(s.listener, res, `${s.op.operationId} ${what}`);
    }
    // and it still answers
    expect((await call('synqly', { method: 'GET', path: '/v1/accounts' })).status).toBe(200);
  });

  it('__proto__ and constructor.prototype keys: 400, and no prototype is polluted', async () => {
    await unchanged(async () => {
      for (const s of jsonOps()) {
        for (const body of ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"a":[{"__proto__":{"polluted":true}}]}']) {
          const res = await call(s.listener, { method: s.op.method, path: pathOf(s), headers: { 'content-type': 'application/json' }, body });
          rejected(s, res, `prototype key ${body}`, 400);
        }
      }
      // in query strings and form bodies they are plain names
      const q = await call('synqly', { method: 'GET', path: '/v1/accounts?__proto__=x&__proto__=y&constructor=z&__proto__[polluted]=1' });
      expect(q.status).toBeLessThan(500);
      const form = await send(callers.listeners.connxio, {
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '__proto__=x&constructor[prototype][polluted]=1&grant_type=client_credentials',
      });
      expectEnvelope('connxio', form, 'prototype keys in a form');
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const listed = await call('synqly', { method: 'GET', path: '/v1/accounts' });
    expect(listed.text).not.toContain('polluted');
  });

  it('invalid UTF-8 in bodies (400), paths and queries (never a 5xx)', async () => {
    const invalid = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
    await unchanged(async () => {
      for (const s of jsonOps()) {
        const res = await call(s.listener, { method: s.op.method, path: pathOf(s), headers: { 'content-type': 'application/json' }, body: invalid });
        rejected(s, res, 'invalid UTF-8 body', 400);
      }
      for (const [listener, path] of [
        ['synqly', '/v1/accounts/%C3%28'],
        ['synqly', '/v1/accounts/%FF%FE'],
        ['synqly', '/v1/accounts?filter=name[eq]%FF'],
        ['connxio', '/v2/integrations/%C3%28'],
        ['connxio', '/v2/integrations?x=%E2%82'],
        ['custom', '/bad/%C3%28'],
      ] as Array<[ListenerName, string]>) {
        const res = await call(listener, { method: 'GET', path });
        expect(res.status, `${listener} ${path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) expectEnvelope(listener, res, `${listener} ${path}`);
      }
    });
  });
});

describe.runIf(run)('bad input › paths and headers', () => {
  it('path traversal and encoded slashes in ids stay inside the vendor API: 404 in its envelope', async () => {
    await unchanged(async () => {
      const ids = ['..%2F..%2F__admin%2Fhealth', '%2e%2e%2f%2e%2e%2f__admin', 'a%2Fb', '..%5C..%5Cwindows', '%2e%2e', '%00', 'x%0d%0aSet-Cookie:%20a=1'];
      for (const id of ids) {
        for (const [listener, path] of [
          ['synqly', `/v1/accounts/${id}`],
          ['synqly', `/v1/accounts/${id}/integrations/${id}`],
          ['connxio', `/v2/integrations/${id}`],
          ['connxio', `/api/v2/code-components/${id}`],
        ] as Array<[ListenerName, string]>) {
          const res = await call(listener, { method: 'GET', path });
          expectEnvelope(listener, res, `${listener} ${path}`);
          expect([400, 404], `${listener} ${path}: ${res.status}`).toContain(res.status);
          expect(res.headers['set-cookie']).toBeUndefined();
          expect(res.text).not.toContain('"uptime_seconds"');
        }
        const custom = await call('custom', { method: 'GET', path: `/bad/${id}` });
        expect(custom.status, `custom /bad/${id}`).toBeLessThan(500);
        if (custom.status >= 400) expectEnvelope('custom', custom, `custom /bad/${id}`);
        const deeper = await call('custom', { method: 'POST', path: `/bad/${id}/..%2F..%2Fother`, headers: { 'content-type': 'application/json' }, body: '{}' });
        expectEnvelope('custom', deeper, `custom /bad/${id}/..`);
        expect(deeper.status).toBe(404);
      }
      // literal dot segments are resolved as URLs are (RFC 3986 §5.2.4): the normalized path is what answers
      const dotted = await call('synqly', { method: 'GET', path: '/v1/x/../accounts' });
      expect(dotted.status).toBe(200);
    });
  });

  it('header injection: CR/LF in reflected values never splits a response header; odd bytes never crash', async () => {
    const messageOp = operations.find((s) => s.op.operationId === 'send_message')!;
    const integrationPath = pathOf(messageOp, { integrationId: callers.tenants.connxio.integrationId });
    const injected = await call('connxio', {
      method: 'POST',
      path: `${integrationPath}?InterchangeId=${encodeURIComponent('ic-1\r\nSet-Cookie: pwned=1')}&FileName=${encodeURIComponent('a\nb')}`,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(injected.status).toBeLessThan(500);
    expect(injected.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(injected.headers)).not.toContain('pwned');
    if (injected.status >= 400) expectEnvelope('connxio', injected, 'CR/LF in InterchangeId');
    // a preflight echoing non-ASCII header names
    const preflight = await send(callers.listeners.connxio, {
      method: 'OPTIONS',
      path: '/v2/integrations',
      headers: { 'access-control-request-headers': 'x-\u00e9t\u00e9', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    // a bare LF, a NUL, a header without a colon, conflicting lengths, oversized headers: refused by
    // Node's HTTP parser, answered in the listener's vendor envelope, and the twin keeps serving
    const parserRefusals: Array<[string, number]> = [
      ['GET /v1/accounts HTTP/1.1\r\nHost: x\r\nX-Evil: a\nInjected: 1\r\n\r\n', 400],
      ['GET /v1/accounts HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n', 400],
      ['GET /v1/accounts HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', 400],
      ['GET /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
      [`GET /v1/accounts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ];
    for (const listener of ['synqly', 'connxio', 'custom'] as const) {
      for (const [raw, status] of parserRefusals) {
        const answer = parseRawResponse(await sendBytes(callers.listeners[listener], Buffer.from(raw, 'latin1')));
        expect(answer, `${listener}: ${JSON.stringify(raw.slice(0, 60))}`).toBeDefined();
        expect(answer!.status).toBe(status);
        expect(answer!.headers.connection).toBe('close');
        expectEnvelope(listener, answer!, `${listener}: parser refusal ${JSON.stringify(raw.slice(0, 60))}`);
      }
    }
    expect((await call('synqly', { method: 'GET', path: '/v1/accounts' })).status).toBe(200);
    // Authorization header forms that are not a bearer
    for (const authorization of ['Bearer', 'Bearer  ', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(8000)}`, 'Bearer a b c']) {
      const res = await send(callers.listeners.synqly, { method: 'GET', path: '/v1/accounts', headers: { authorization } });
      expectEnvelope('synqly', res, `authorization ${authorization.slice(0, 20)}`);
      expect(res.status).toBe(401);
    }
  });
});

describe.runIf(run)('bad input › every parameter of every operation, from the specs', () => {
  it('a wrong value for each declared parameter: 400 in the envelope, nothing stored', async () => {
    let cases = 0;
    await unchanged(async () => {
      for (const s of operations) {
        for (const p of s.op.parameters) {
          if (p.in === 'cookie') continue;
          if (s.listener === 'custom' && p.in === 'path') continue; // the route is the custom API's, not a typed parameter
          for (const wrong of wrongTexts(p)) {
            const { query, headers } = requiredParams(s.op, p);
            let path = pathOf(s);
            if (p.in === 'path') path = fillPath(s.op, { [p.name]: Array.isArray(wrong.value) ? wrong.value[0]! : wrong.value });
            if (p.in === 'query') query[p.name] = wrong.value;
            if (p.in === 'header') headers[p.name.toLowerCase()] = Array.isArray(wrong.value) ? wrong.value.join(', ') : wrong.value;
            const res = await call(s.listener, { method: s.op.method, path: path + queryString(query), headers });
            cases++;
            const what = `${p.in} ${p.name} ${wrong.why} (${JSON.stringify(wrong.value).slice(0, 40)})`;
            if (p.in === 'path' && res.status === 404) {
              // a segment that no longer matches the route (e.g. empty) is an unknown path
              expectEnvelope(s.listener, res, `${s.op.operationId} ${what}`);
              continue;
            }
            rejected(s, res, what, 400);
          }
        }
      }
    });
    expect(cases).toBeGreaterThan(100);
  });

  it('no body where the body is optional: an answer, never a 5xx (no body may create with defaults)', async () => {
    const optional = operations.filter((s) => s.op.requestBody && !s.op.requestBody.required);
    expect(optional.length).toBeGreaterThan(0);
    for (const s of optional) {
      const { query, headers } = requiredParams(s.op);
      const res = await call(s.listener, { method: s.op.method, path: pathOf(s) + queryString(query), headers });
      expect(res.status, `${s.op.operationId} without a body: ${res.text.slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400) expectEnvelope(s.listener, res, `${s.op.operationId} without a body`);
    }
  });

  it('a body of the wrong shape for each operation that takes JSON, and each of its fields: 400, nothing stored', async () => {
    let cases = 0;
    await unchanged(async () => {
      for (const s of jsonOps()) {
        const { query, headers } = requiredParams(s.op);
        for (const { body, why } of wrongBodies(jsonBodySchema(s.op)!)) {
          const res = await call(s.listener, { method: s.op.method, path: pathOf(s) + queryString(query), headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          cases++;
          if (s.listener === 'custom' && res.status < 400) continue; // custom routes forward any JSON to the integration, by design
          if (s.op.operationId.startsWith('send_') && res.status < 400) continue; // messages are opaque payloads
          rejected(s, res, why, 400);
        }
      }
    });
    expect(cases).toBeGreaterThan(100);
  });
});
