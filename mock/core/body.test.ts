import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from './body.ts';
import { ApiError } from './errors.ts';

/** a server answering what readBody made of the request: `ok <bytes>` or `<status> <message>` */
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readBody(req, 64).then(
      (body) => res.end(body === undefined ? 'none' : `ok ${body.toString('latin1')}`),
      (err: unknown) => res.end(err instanceof ApiError ? `${err.status} ${err.message}` : `error ${(err as Error).message}`),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function post(body: Buffer | undefined, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    r.on('error', reject);
    r.end(body);
  });
}

function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve(text));
    socket.write(bytes);
    setTimeout(() => socket.end(), 300);
  });
}

describe('readBody', () => {
  it('reads identity and chunked bodies; no body is undefined', async () => {
    expect(await post(Buffer.from('{"a":1}'))).toBe('ok {"a":1}');
    expect(await raw('POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toContain('none');
    expect(await post(Buffer.alloc(0))).toBe('ok ');
    expect(await raw('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')).toContain('ok abcde');
  });

  it('inflates gzip, deflate and br, and refuses other encodings with 415', async () => {
    const text = Buffer.from('hello compressed world');
    expect(await post(gzipSync(text), { 'content-encoding': 'gzip' })).toBe('ok hello compressed world');
    expect(await post(deflateSync(text), { 'content-encoding': 'deflate' })).toBe('ok hello compressed world');
    expect(await post(brotliCompressSync(text), { 'content-encoding': 'br' })).toBe('ok hello compressed world');
    expect(await post(text, { 'content-encoding': 'compress' })).toMatch(/^415 /);
    expect(await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).toMatch(/^400 .*inflated/);
  });

  it('refuses more than the limit with 413: declared, streamed, or after inflation', async () => {
    expect(await post(Buffer.alloc(65, 'a'))).toMatch(/^413 /);
    expect(await post(gzipSync(Buffer.alloc(10_000, 'a')), { 'content-encoding': 'gzip' })).toMatch(/^413 /);
    const chunk = 'b'.repeat(40);
    expect(await raw(`POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n28\r\n${chunk}\r\n28\r\n${chunk}\r\n0\r\n\r\n`)).toContain('413 ');
  });

  it('refuses a body shorter than its Content-Length when the client gives up', async () => {
    const answer = await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    expect(answer === '' || /400|aborted/.test(answer)).toBe(true);
    // and the server is fine afterwards
    expect(await post(Buffer.from('ok'))).toBe('ok ok');
  });
});
