import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createValidator } from '../../mock/core/validation.ts';
import type { OperationSpec } from '../../mock/core/spec.ts';
import { useTarget } from '../target.ts';
import { hardeningTenants, listenersOf, send, type HardeningTenants, type ListenerName, type Listeners, type RawResponse } from './http.ts';
import { jsonArbitrary, jsonBodySchema, sanitizeUrls, specOperations, textArbitrary, type SpecOperation } from './spec-requests.ts';

/**
 * Spec-driven property-based fuzzing (fast-check) over every operation of both vendors and the
 * Custom API listener: requests whose path, query, headers and body are drawn from the operation's
 * schemas, mostly well-formed, sometimes junk, with valid credentials most of the time. Every
 * response must be a non-5xx that the spec declares for the operation, with a body that conforms
 * (mock/core/validation.ts validateResponse). 10,000 requests per target (APITWIN_FUZZ_RUNS
 * overrides); the seed of each run is printed, and APITWIN_FUZZ_SEED replays one.
 */

const target = await useTarget();
const run = target.capabilities.admin;
const TOTAL = Number(process.env.APITWIN_FUZZ_RUNS ?? 10_000);
/** a fresh seed per local run explores new inputs; CI (CI=true) replays a fixed one so a run is reproducible */
const SEED = process.env.APITWIN_FUZZ_SEED
  ? Number(process.env.APITWIN_FUZZ_SEED)
  : process.env.CI
    ? 20_261_123
    : Date.now() % 2 ** 31;
const validator = createValidator();

interface Draw {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: { contentType: string; text: string };
  credentials: 'valid' | 'none' | 'wrong';
}

let listeners: Listeners;
let operations: SpecOperation[];
let sent = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  if (!run) return;
  listeners = await listenersOf(target);
  operations = await specOperations();
});

afterAll(() => {
  if (!run) return;
  const summary = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ');
  process.stdout.write(`fuzz (${target.kind}): ${sent} requests over ${operations?.length ?? 0} operations, seed ${SEED}; statuses ${summary}\n`);
});

const PATH_EXCLUDED = new Set(['', '.', '..']);

function drawArbitrary(s: SpecOperation, hints: Record<string, string[]>): fc.Arbitrary<Draw> {
  const op = s.op;
  const path: Record<string, fc.Arbitrary<string>> = {};
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    path[p.name] = textArbitrary(p.schema, hints[p.name] ?? [])
      .map((v) => (Array.isArray(v) ? (v[0] ?? 'x') : v))
      .filter((v) => !PATH_EXCLUDED.has(v));
  }
  const query: Record<string, fc.Arbitrary<string | string[]>> = {};
  const queryRequired: string[] = [];
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    query[p.name] = textArbitrary(p.schema, hints[p.name] ?? []);
    if (p.required) queryRequired.push(p.name);
  }
  const headers: Record<string, fc.Arbitrary<string>> = {};
  for (const p of op.parameters.filter((x) => x.in === 'header')) {
    headers[p.name.toLowerCase()] = textArbitrary(p.schema).map((v) => (Array.isArray(v) ? v.join(',') : v)).map(headerSafe);
  }
  const schema = jsonBodySchema(op);
  const declared = Object.keys(op.requestBody?.content ?? {});
  const bodies: fc.Arbitrary<Draw['body']>[] = [fc.constant(undefined)];
  if (op.requestBody) {
    if (schema) {
      const json = (strict: boolean) => jsonArbitrary(schema, 0, strict).map((v) => ({ contentType: 'application/json', text: JSON.stringify(sanitizeUrls(v)) ?? 'null' }));
      bodies.push(
        json(true),
        json(true),
        json(true),
        json(false),
        fc.string({ maxLength: 40 }).map((t) => ({ contentType: 'application/json', text: t })),
      );
    }
    for (const media of declared.filter((m) => !m.includes('json'))) {
      bodies.push(fc.string({ maxLength: 60 }).map((t) => ({ contentType: media, text: media.includes('urlencoded') ? t.replace(/[^\w=&%-]/g, '') : t })));
    }
    bodies.push(fc.string({ maxLength: 20 }).map((t) => ({ contentType: 'text/x-apitwin-fuzz', text: t })));
  }
  return fc.record({
    path: fc.record(path),
    query: fc.record(query, { requiredKeys: queryRequired }),
    headers: fc.record(headers, { requiredKeys: [] }),
    body: fc.oneof(...bodies),
    credentials: fc.constantFrom<Draw['credentials']>('valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'none', 'wrong'),
  }) as unknown as fc.Arbitrary<Draw>;
}

/** percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD, as a client would send them) */
function percentEncode(v: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(v)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** header values must be sendable: printable ASCII, no CR/LF */
function headerSafe(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, '');
}

function credentialHeaders(listener: ListenerName, tenants: HardeningTenants, kind: Draw['credentials']): Record<string, string> {
  if (kind === 'none') return {};
  const cx = tenants.connxio;
  if (listener === 'synqly') return { authorization: `Bearer ${kind === 'valid' ? tenants.synqlyToken : 'x'.repeat(43)}` };
  const key = listener === 'custom' ? cx.customApiKey : cx.apiKey;
  return { 'connxio-api-key': kind === 'valid' ? key : Buffer.alloc(32, 1).toString('base64'), authorization: `Bearer ${cx.bearer}` };
}

function requestOf(s: SpecOperation, d: Draw, tenants: HardeningTenants) {
  const op = s.op;
  let path: string;
  if (s.listener === 'custom') path = `/fuzz/${percentEncode(d.path.route ?? 'x')}`;
  else path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => percentEncode(sanitizeUrls(d.path[name] ?? 'x') as string));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(d.query)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, sanitizeUrls(one) as string);
  const qs = search.toString();
  const headers: Record<string, string> = { ...d.headers, ...credentialHeaders(s.listener, tenants, d.credentials) };
  if (d.body) headers['content-type'] = d.body.contentType;
  return { method: op.method, path: qs ? `${path}?${qs}` : path, headers, body: d.body?.text };
}

function bodyOf(res: RawResponse): unknown {
  if (res.text === '') return undefined;
  return res.json !== undefined ? res.json : res.text;
}

function violations(op: OperationSpec, res: RawResponse): string[] {
  const issues = validator.validateResponse(op, res.status, res.headers['content-type'], bodyOf(res));
  return issues.map((i) => `${i.location} ${i.pointer}: ${i.message}`);
}

describe.runIf(run)('fuzz: every operation, requests generated from the specs', () => {
  it(`${TOTAL} requests: never a 5xx, every response declared by the spec and conforming to it`, { timeout: 600_000 }, async () => {
    const perOperation = Math.max(10, Math.ceil(TOTAL / operations.length));
    const failures: string[] = [];
    for (const [index, s] of operations.entries()) {
      const tenants = await hardeningTenants(target, listeners, '/fuzz/{route}');
      try {
        // ids that exist, so some draws reach the handlers' success paths
        const hints: Record<string, string[]> = {
          integrationId: [tenants.connxio.integrationId],
          configCorrelationId: [tenants.connxio.integrationId],
          ConfigCorrelationId: [tenants.connxio.integrationId],
          route: ['a', 'b'],
        };
        if (s.listener === 'synqly') {
          const account = await send(listeners.synqly, {
            method: 'POST',
            path: '/v1/accounts',
            headers: { authorization: `Bearer ${tenants.synqlyToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: `fuzz-${index}` }),
          });
          const id = (account.json as { result?: { account?: { id: string } } }).result?.account?.id;
          if (id) hints.accountId = [id, `fuzz-${index}`];
        }
        await fc.assert(
          fc.asyncProperty(drawArbitrary(s, hints), async (draw) => {
            const res = await send(listeners[s.listener], requestOf(s, draw, tenants));
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const request = requestOf(s, draw, tenants);
            const where = `${request.method} ${request.path.slice(0, 120)} ${request.headers['content-type'] ?? ''} ${(request.body ?? '').slice(0, 300)}`;
            if (res.status >= 500) throw new Error(`${s.op.operationId}: ${where} → ${res.status} ${res.text.slice(0, 300)}`);
            const issues = violations(s.op, res);
            if (issues.length > 0) throw new Error(`${s.op.operationId}: ${where} → ${res.status} violates the spec: ${issues.slice(0, 3).join('; ')} — ${res.text.slice(0, 200)}`);
          }),
          { numRuns: perOperation, seed: SEED + index, endOnFailure: true },
        );
      } catch (err) {
        const message = (err as Error).message;
        const cause = (err as Error & { cause?: unknown }).cause;
        const reason = cause instanceof Error ? cause.message : (/Got error: (.*)/.exec(message)?.[1] ?? message.split('\n')[0]);
        const seed = /\{ seed: [^}]*\}/.exec(message)?.[0] ?? '';
        failures.push(`${reason} ${seed}`);
      } finally {
        await tenants.remove();
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
  });
});
