import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { QueryString } from 'har-format';
import { ApiError } from '../core/errors.ts';
import { createRandom } from '../core/random.ts';
import { createRouter, type Router } from '../core/router.ts';
import { loadSpec, specPath, type ApiSpec, type OperationSpec } from '../core/spec.ts';
import { createValidator, describeIssue, type Validator } from '../core/validation.ts';
import { renderConnxioProblem } from '../connxio/errors.ts';
import { renderSynqlyProblem } from '../synqly/errors.ts';
import { createHarWriter, headerList, networkCause, type ApitwinEntry, type HarWriter } from './har.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { messageOf } from '../core/error-message.ts';
import { boundPort } from '../core/narrow.ts';

/**
 * `apitwin record`: a forwarding proxy a client points at instead of the vendor. Every exchange
 * goes to the upstream unchanged and into a HAR 1.2 file, entry by entry, with secrets redacted
 * (redact.ts), its operationId, the spec violations of the live request and response, and whether
 * the upstream accepted the credentials it carried.
 */

export type RecordVendor = 'synqly' | 'connxio';

export interface RecorderOptions {
  vendor: RecordVendor;
  /** the vendor's base URL (its path, if any, prefixes every request path) */
  upstream: string;
  out: string;
  host?: string;
  port?: number;
  version: string;
  /** told each failure to reach the upstream, one line */
  warn?: (line: string) => void;
  bodyLimitBytes?: number;
}

export interface Recorder {
  url: string;
  readonly entries: number;
  close(): Promise<void>;
}

/** headers that belong to one connection, never forwarded */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'accept-encoding']);

interface Vendor {
  spec: ApiSpec;
  router: Router<OperationSpec>;
}

/** The vendor's spec and a router of its operations (Connxio: also under /api, any case, trailing slash ignored). */
export async function loadVendor(vendor: RecordVendor): Promise<Vendor> {
  const spec = await loadSpec(specPath(vendor === 'synqly' ? 'synqly-management.yaml' : 'connxio.yaml'));
  const connxio = vendor === 'connxio';
  const router = createRouter<OperationSpec>({ caseSensitive: !connxio, ignoreTrailingSlash: connxio });
  for (const op of spec.operations) {
    router.add(op.method, op.path, op);
    if (connxio) router.add(op.method, `/api${op.path}`, op);
  }
  return { spec, router };
}

export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error(`--upstream must be an http(s) URL, got ${options.upstream}`);
  const vendor = await loadVendor(options.vendor);
  const validator = createValidator();
  const redactor = createRedactor();
  const writer = createHarWriter(options.out, { name: 'apitwin record', version: options.version, comment: `${options.vendor} via ${upstream.origin}` });
  const limit = options.bodyLimitBytes ?? 16 * 1024 * 1024;
  const random = createRandom();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      options.warn?.(`apitwin record: ${messageOf(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = new Date();
    const t0 = performance.now();
    const body = await readAll(req, limit);
    const incoming = new URL(req.url ?? '/', 'http://recorder.local');
    const target = new URL(upstream.pathname.replace(/\/$/, '') + incoming.pathname + incoming.search, upstream.origin);
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1]!);
    }
    headers.set('accept-encoding', 'identity');
    let upstreamRes: Response;
    try {
      upstreamRes = await fetch(target, { method: req.method, headers, body: body.length && req.method !== 'GET' && req.method !== 'HEAD' ? body : undefined, redirect: 'manual' });
    } catch (err) {
      const cause = networkCause(err);
      options.warn?.(`apitwin record: upstream ${upstream.origin} did not answer ${req.method} ${incoming.pathname} (${cause}); answered 502, nothing recorded`);
      sendUnreachable(options.vendor, req, res, incoming.pathname, `apitwin record: the upstream ${upstream.origin} could not be reached (${cause})`, random);
      return;
    }
    const responseBody = Buffer.from(await upstreamRes.arrayBuffer());
    const responseHeaders: Record<string, string | string[]> = {};
    upstreamRes.headers.forEach((value, name) => {
      if (name === 'set-cookie' || HOP_BY_HOP.has(name) || name === 'content-encoding') return;
      responseHeaders[name] = value;
    });
    const cookies = upstreamRes.headers.getSetCookie();
    if (cookies.length) responseHeaders['set-cookie'] = cookies;
    res.writeHead(upstreamRes.status, { ...responseHeaders, 'content-length': String(responseBody.length) });
    res.end(responseBody);
    writer.add(entryOf({ upstream, req, incoming, body, started, ms: performance.now() - t0, status: upstreamRes.status, statusText: upstreamRes.statusText, responseHeaders, responseBody, vendor, vendorName: options.vendor, validator, redactor }));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = boundPort(server);
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get entries() {
      return writer.entries;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          writer.close();
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendUnreachable(vendor: RecordVendor, req: IncomingMessage, res: ServerResponse, path: string, message: string, random: ReturnType<typeof createRandom>) {
  const err = new ApiError('internal', message, { status: 502 });
  const info = { method: req.method ?? 'GET', path, query: {}, headers: req.headers, listener: vendor };
  const rendered = vendor === 'synqly' ? renderSynqlyProblem(err, info, new Date().toISOString()) : renderConnxioProblem(err, info, random);
  const text = JSON.stringify(rendered.body);
  res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', ...rendered.headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

interface Exchange {
  upstream: URL;
  req: IncomingMessage;
  incoming: URL;
  body: Buffer;
  started: Date;
  ms: number;
  status: number;
  statusText: string;
  responseHeaders: Record<string, string | string[]>;
  responseBody: Buffer;
  vendor: Vendor;
  vendorName: RecordVendor;
  validator: Validator;
  redactor: Redactor;
}

/** The HAR entry of one exchange, every secret replaced by its placeholder. */
function entryOf(x: Exchange): ApitwinEntry {
  const { redactor } = x;
  // credentials first: their placeholders are then known wherever the values appear again
  const requestHeaders = headerList(x.req.headers as Record<string, string | string[] | undefined>).map((h) => ({ name: h.name, value: redactor.header(h.name, h.value) }));
  const queryString: QueryString[] = [...x.incoming.searchParams].map(([name, value]) => ({ name, value: redactor.query(name, value) }));
  const requestType = String(x.req.headers['content-type'] ?? '');
  const requestText = x.body.length ? redactBody(redactor, x.body.toString('utf8'), requestType) : undefined;
  const responseType = String(x.responseHeaders['content-type'] ?? '');
  const responseText = redactBody(redactor, x.responseBody.toString('utf8'), responseType);
  const responseHeaders = headerList(x.responseHeaders).map((h) => ({ name: h.name, value: redactor.header(h.name, h.value) }));
  const redactedUrl = new URL(redactor.text(x.incoming.pathname), 'http://recorder.local');
  for (const q of queryString) redactedUrl.searchParams.append(q.name, q.value);
  const url = `${x.upstream.origin}${x.upstream.pathname.replace(/\/$/, '')}${redactedUrl.pathname}${redactedUrl.search}`;

  const match = x.vendor.router.match(x.req.method ?? 'GET', x.incoming.pathname);
  const op = match.kind === 'found' ? match.route : undefined;
  const violations = op ? violationsOf(x, op, match.kind === 'found' ? match.params : {}) : { request: [], response: [] };
  const credentials = ['authorization', 'connxio-api-key']
    .map((name) => ({ name, value: x.req.headers[name] ?? (name === 'connxio-api-key' ? caseless(x.incoming.searchParams, name) : undefined) }))
    .filter((c): c is { name: string; value: string } => typeof c.value === 'string')
    .map((c) => ({ header: c.name, placeholder: redactor.header(c.name, c.value), accepted: x.status !== 401 }));

  const entry: ApitwinEntry = {
    startedDateTime: x.started.toISOString(),
    time: Math.round(x.ms * 100) / 100,
    request: {
      method: x.req.method ?? 'GET',
      url,
      httpVersion: `HTTP/${x.req.httpVersion}`,
      cookies: [],
      headers: requestHeaders,
      queryString,
      ...(requestText !== undefined ? { postData: { mimeType: requestType || 'application/octet-stream', text: requestText } } : {}),
      headersSize: -1,
      bodySize: x.body.length,
    },
    response: {
      status: x.status,
      statusText: x.statusText || STATUS_CODES[x.status] || '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: responseHeaders,
      content: { size: x.responseBody.length, mimeType: responseType || 'application/octet-stream', text: responseText },
      redirectURL: String(x.responseHeaders.location ?? ''),
      headersSize: -1,
      bodySize: x.responseBody.length,
    },
    cache: {},
    timings: { send: 0, wait: Math.round(x.ms * 100) / 100, receive: 0 },
    _apitwin: { vendor: x.vendorName, ...(op ? { operationId: op.operationId } : {}), ...(credentials.length ? { credentials } : {}), violations },
  };
  return entry;
}

function caseless(params: URLSearchParams, name: string): string | undefined {
  for (const [k, v] of params) if (k.toLowerCase() === name) return v;
  return undefined;
}

function redactBody(redactor: Redactor, text: string, contentType: string): string {
  if (/json/i.test(contentType)) {
    try {
      return JSON.stringify(redactor.json(JSON.parse(text)));
    } catch {
      return redactor.text(text);
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) return redactor.form(text);
  return redactor.text(text);
}

function violationsOf(x: Exchange, op: OperationSpec, params: Record<string, string>): { request: string[]; response: string[] } {
  const requestType = String(x.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let body: unknown;
  const hasBody = x.body.length > 0;
  if (hasBody) body = /json/.test(requestType) ? parseOr(x.body.toString('utf8')) : /x-www-form-urlencoded/.test(requestType) ? Object.fromEntries(new URLSearchParams(x.body.toString('utf8'))) : x.body.toString('utf8');
  const request: string[] = [];
  try {
    const mediaType = op.requestBody ? (Object.keys(op.requestBody.content).find((m) => m === requestType) ?? Object.keys(op.requestBody.content)[0]) : undefined;
    x.validator.validateRequest(op, { params, query: Object.fromEntries(x.incoming.searchParams), headers: x.req.headers, body, hasBody: op.requestBody ? hasBody : false }, mediaType);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    request.push(...(err.details.issues?.length ? err.details.issues.map(describeIssue) : [err.message]));
  }
  const responseType = String(x.responseHeaders['content-type'] ?? '');
  const text = x.responseBody.toString('utf8');
  const response = x.validator.validateResponse(op, x.status, responseType || undefined, text === '' ? undefined : /json/i.test(responseType) ? parseOr(text) : text).map(describeIssue);
  // a violation may quote the offending value: never a secret
  return { request: request.map((v) => x.redactor.text(v)), response: response.map((v) => x.redactor.text(v)) };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
