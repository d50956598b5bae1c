import { fileURLToPath } from 'node:url';
import express from 'express';
import fc from 'fast-check';
import { pino } from 'pino';
import supertest from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClock } from './clock.ts';
import { errors, type ApiError } from './errors.ts';
import { createFaultRules } from './faults.ts';
import { createDispatcher, defaultMediaTypeFor, plainPath, type BodyErrorMarkers, type OperationTable, type TwinEnv, type VendorApi } from './pipeline.ts';
import { createRandom } from './random.ts';
import { createMessageJournal } from './message-journal.ts';
import { createRequestJournal } from './request-journal.ts';
import { loadSpec } from './spec.ts';
import { Store } from './store/store.ts';
import { createValidator } from './validation.ts';

const spec = await loadSpec(fileURLToPath(new URL('./testing/tiny.yaml', import.meta.url)));

let env: TwinEnv;
let seen: unknown[];

function app(handlers: OperationTable<string>) {
  const api: VendorApi<string> = {
    name: 'synqly',
    vendor: 'synqly',
    spec,
    handlers,
    authenticate: (request) => {
      if (request.headers.authorization !== 'Bearer good') throw errors.unauthorized('no');
      return 'caller';
    },
    renderError: (err: ApiError, request) => ({ status: err.status, headers: { ...err.details.headers }, body: { envelope: 'test', status: err.status, message: err.message, path: request.path, issues: err.details.issues } }),
  };
  const e = express();
  e.use(createDispatcher('test', [{ prefix: '', api: api as VendorApi<unknown> }], env));
  return supertest(e);
}

beforeEach(async () => {
  const random = createRandom(1);
  seen = [];
  env = {
    store: await Store.open(),
    clock: createClock(),
    random,
    logger: pino({ level: 'silent' }),
    faults: createFaultRules(random),
    requests: createRequestJournal(50),
    messages: createMessageJournal(),
    validator: createValidator(),
    limits: { bodyBytes: 256 },
  };
});

const handlers: OperationTable<string> = {
  things_list: (ctx) => ({ body: { query: ctx.query, principal: ctx.principal } }),
  things_create: (ctx) => {
    seen.push(ctx.body);
    return { body: { created: ctx.body } };
  },
  things_lookup: (ctx) => ({ body: { op: 'lookup', id: ctx.params.id } }),
  things_get: (ctx) => ({ body: { op: 'get', ...ctx.params } }),
};
const auth = { authorization: 'Bearer good' };

describe('pipeline › routing', () => {
  it('routes by the spec, literal segments before parameters', async () => {
    const t = app(handlers);
    expect((await t.get('/things/lookup/42').set(auth)).body).toEqual({ op: 'lookup', id: '42' });
    expect((await t.get('/things/acme/42').set(auth)).body).toEqual({ op: 'get', owner: 'acme', id: '42' });
    expect((await t.get('/things/a%2Fb/42').set(auth)).body).toEqual({ op: 'get', owner: 'a/b', id: '42' });
  });

  it('answers unknown paths 404 and other methods 405 with Allow, in the vendor envelope', async () => {
    const t = app(handlers);
    const missing = await t.get('/nowhere').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ envelope: 'test', status: 404, path: '/nowhere' });
    const wrong = await t.patch('/things').set(auth);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST');
    expect(wrong.body.envelope).toBe('test');
  });

  it('answers HEAD 405 with Allow (before auth) where no route is added for HEAD, and never lists HEAD in Allow', async () => {
    const t = app(handlers);
    const head = await t.head('/things');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET, POST');
    const options = await t.options('/things');
    expect(options.headers.allow).toBe('GET, POST, OPTIONS');
  });

  it('answers 501 naming the operation when the spec has it but no handler does', async () => {
    const res = await app(handlers).delete('/things/a/b').set(auth);
    expect(res.status).toBe(501);
    expect(res.body.message).toContain('things_delete');
  });

  it('refuses handlers for operations the spec lacks, at startup', () => {
    expect(() => app({ ...handlers, things_explode: () => ({}) })).toThrow(/things_explode/);
  });
});

describe('pipeline › order of checks', () => {
  it('authenticates before it validates', async () => {
    const res = await app(handlers).post('/things').send({ size: 'big' });
    expect(res.status).toBe(401);
  });

  it('coerces parameters (repeated query keys become arrays) and rejects bad ones', async () => {
    const t = app(handlers);
    const ok = await t.get('/things?limit=5&tag=a&tag=b').set(auth);
    expect(ok.body).toEqual({ query: { limit: 5, tag: ['a', 'b'] }, principal: 'caller' });
    const one = await t.get('/things?tag=a').set(auth);
    expect(one.body.query.tag).toEqual(['a']);
    const bad = await t.get('/things?limit=0').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ location: 'query', pointer: 'limit' });
  });

  it('validates bodies strictly (no coercion) and never calls the handler on a bad one', async () => {
    const t = app(handlers);
    const bad = await t.post('/things').set(auth).send({ name: 'x', size: '3' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ location: 'body', pointer: '/size' });
    const missing = await t.post('/things').set(auth).send({});
    expect(missing.body.issues[0]).toMatchObject({ location: 'body', pointer: '/name', message: 'is required' });
    const none = await t.post('/things').set(auth);
    expect(none.status).toBe(400);
    expect(seen).toEqual([]);
  });
});

describe('pipeline › opaque bodies, raw header names and body error markers', () => {
  /** an API that answers what the handler saw, and renders the markers of its errors */
  function opaqueApp() {
    const api: VendorApi<string> = {
      name: 'connxio',
      vendor: 'connxio',
      spec,
      handlers: {
        ...handlers,
        blobs_put: (ctx) => ({ body: { body: ctx.body, rawBase64: ctx.request.rawBody?.toString('base64'), rawHeaders: ctx.request.rawHeaders } }),
      },
      authenticate: () => 'caller',
      // the any-type range takes every content type (as the Connxio raw message does)
      mediaTypeFor: (contentType, op) => (op.requestBody?.content['*/*'] ? '*/*' : defaultMediaTypeFor(contentType, op)),
      renderError: (err: ApiError) => ({ status: err.status, headers: {}, body: { message: err.message, markers: (err.details.extra ?? {}) as BodyErrorMarkers } }),
    };
    const e = express();
    e.use(createDispatcher('test', [{ prefix: '', api: api as VendorApi<unknown> }], env));
    return supertest(e);
  }

  it('hands any bytes under any content type (or none) to the handler as sent, never parsed, and the header names as written', async () => {
    const t = opaqueApp();
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff]);
    const asBytes = (b: unknown) => b as string;
    for (const contentType of ['text/csv', 'application/json', 'application/octet-stream', undefined]) {
      let req = t.post('/blobs').set('CX-Order', '42');
      req = contentType ? req.set('content-type', contentType) : req.unset('Content-Type');
      const res = await req.serialize(asBytes).send(bytes as unknown as string);
      expect(res.status, `${contentType}: ${res.text}`).toBe(200);
      expect(res.body.rawBase64).toBe(bytes.toString('base64'));
      expect(res.body.body).toBe(bytes.toString('utf8'));
      expect(res.body.rawHeaders).toEqual(expect.arrayContaining(['CX-Order', '42']));
    }
  });

  it('marks a body it cannot read (unreadableBody: the parser message) and a required body not sent (missingBody)', async () => {
    const t = opaqueApp();
    const malformed = await t.post('/things').set('content-type', 'application/json').send('{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^request body is not valid JSON: /);
    expect(malformed.body.markers.unreadableBody).toBe(malformed.body.message.replace('request body is not valid JSON: ', ''));
    const proto = await t.post('/things').set('content-type', 'application/json').send('{"__proto__":{"a":1}}');
    expect(proto.body.markers.unreadableBody).toMatch(/forbidden key/);
    const empty = await t.post('/things').set('content-type', 'application/json');
    expect(empty.status).toBe(400);
    expect(empty.body.markers).toEqual({ missingBody: true });
    const emptyBlob = await t.post('/blobs').set('content-type', 'text/plain');
    expect(emptyBlob.body.markers).toEqual({ missingBody: true });
    // a schema violation is neither
    const invalid = await t.post('/things').send({ name: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.markers).toEqual({});
  });
});

describe('pipeline › bad input', () => {
  it('answers 400 for malformed JSON, forbidden prototype keys and invalid UTF-8', async () => {
    const t = app(handlers);
    const malformed = await t.post('/things').set(auth).set('content-type', 'application/json').send('{"name":');
    expect(malformed.status).toBe(400);
    const proto = await t.post('/things').set(auth).set('content-type', 'application/json').send('{"name":"x","__proto__":{"admin":true}}');
    expect(proto.status).toBe(400);
    expect(proto.body.message).toMatch(/forbidden key/);
    // {"name":"<0xc3 0x28>"}: an invalid two-byte sequence, sent as raw bytes
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const utf8 = await t
      .post('/things')
      .set(auth)
      .set('content-type', 'application/json')
      .serialize((b: unknown) => b as string)
      .send(bytes as unknown as string);
    expect(utf8.status).toBe(400);
    expect(utf8.body.message).toMatch(/UTF-8/);
    expect(seen).toEqual([]);
  });

  it('answers 415 for a content type the operation does not take, 413 over the body limit', async () => {
    const t = app(handlers);
    const xml = await t.post('/things').set(auth).set('content-type', 'application/xml').send('<name>x</name>');
    expect(xml.status).toBe(415);
    const big = await t.post('/things').set(auth).send({ name: 'x'.repeat(1000) });
    expect(big.status).toBe(413);
    expect(big.body.envelope).toBe('test');
    expect(seen).toEqual([]);
  });

  it('ignores a content type on a request without a body operation (the Go SDK sends one on GET)', async () => {
    const res = await app(handlers).get('/things').set(auth).set('content-type', 'application/json');
    expect(res.status).toBe(200);
  });
});

describe('pipeline › faults and journal', () => {
  it('applies a fault before auth, in the vendor envelope, for `times` requests', async () => {
    const t = app(handlers);
    env.faults.add({ vendor: 'synqly', operationId: 'things_list', action: { type: 'throttle', retryAfterSeconds: 7 }, times: 1 });
    const throttled = await t.get('/things');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.body.envelope).toBe('test');
    expect((await t.get('/things').set(auth)).status).toBe(200);
  });

  it('answers an injected status with the vendor body, and drops connections on request', async () => {
    const t = app(handlers);
    env.faults.add({ vendor: 'synqly', action: { type: 'status', status: 503, message: 'maintenance' }, times: 1 });
    const res = await t.get('/things').set(auth);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ envelope: 'test', message: 'maintenance' });
    env.faults.add({ vendor: 'synqly', operationId: 'things_list', action: { type: 'connection-reset' }, times: 1 });
    await expect(t.get('/things').set(auth)).rejects.toThrow(/ECONNRESET|socket hang up/);
    env.faults.add({ vendor: 'synqly', operationId: 'things_list', action: { type: 'empty-response' }, times: 1 });
    await expect(t.get('/things').set(auth)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await t.get('/things').set(auth)).status).toBe(200);
  });

  it('delays by the rule, then proceeds', async () => {
    const t = app(handlers);
    env.faults.add({ vendor: 'synqly', operationId: 'things_list', action: { type: 'delay', ms: 120 }, times: 1 });
    const started = Date.now();
    const res = await t.get('/things').set(auth);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('journals every request with its operationId and redacts secrets', async () => {
    const t = app(handlers);
    await t.post('/things').set(auth).send({ name: 'x', secret: 'hunter2', nested: { client_secret: 'c', keep: 'k' } });
    const [entry] = env.requests.query({ operationId: 'things_create' });
    expect(entry).toMatchObject({ method: 'POST', path: '/things', status: 200 });
    expect(entry!.requestHeaders.authorization).toBe('[redacted]');
    expect(entry!.requestBody).toEqual({ name: 'x', secret: '[redacted]', nested: { client_secret: '[redacted]', keep: 'k' } });
    expect(JSON.stringify(env.requests.query())).not.toContain('hunter2');
  });
});

describe('pipeline › prototype-named query parameters', () => {
  it('keeps ?__proto__= as a plain parameter and never as the query object’s prototype', async () => {
    const res = await app(handlers).get('/things?__proto__=a&__proto__=b&constructor=c').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.query).toEqual(JSON.parse('{"__proto__":["a","b"],"constructor":"c"}'));
    expect(Object.keys(res.body.query)).toEqual(['__proto__', 'constructor']);
    expect(Array.isArray(Object.getPrototypeOf(res.body.query))).toBe(false);
  });
});

describe('pipeline › request targets read without a URL object', () => {
  it('takes a plain target as its own pathname exactly when the URL parser would return it unchanged', () => {
    const samples = ['/v1/accounts/abc-123', '/v1/accounts/acme.prod', '/a//b', '/', '/a/', '/a/./b', '/a/../b', '/..', '/.', '//evil/x', '/a%2e%2e/b', '/a/%2e%2e/b', '/a b', '/a\\b', '/é', '/a?x=1', '/a#f', "/a!$&'()*+,;=:@~_-", '/a..b/c.', '/a/...'];
    for (const target of samples) {
      const plain = plainPath(target);
      if (plain !== undefined) expect(plain, target).toBe(new URL(target, 'http://twin.local').pathname);
    }
    expect(plainPath('/v1/accounts/abc-123')).toBe('/v1/accounts/abc-123');
    expect(plainPath('/a/../b')).toBeUndefined();
    expect(plainPath('//evil/x')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'/.%2eE?#\\ aZ9-_~:@!$&\'()*+,;=é'.split('')), maxLength: 24 }), (rest) => {
        const target = `/${rest}`;
        const plain = plainPath(target);
        return plain === undefined || plain === new URL(target, 'http://twin.local').pathname;
      }),
      { numRuns: 2000 },
    );
  });
});
