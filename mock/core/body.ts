import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import sjson from 'secure-json-parse';
import { ApiError, errors } from './errors.ts';
import type { OperationSpec } from './spec.ts';
import { messageOf } from './error-message.ts';

/** whether the request announces a body (Transfer-Encoding, or a Content-Length that is a number); readBody reads none otherwise */
export function bodyAnnounced(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const declared = req.headers['content-length'];
  return declared !== undefined && !Number.isNaN(Number.parseInt(declared, 10));
}

/**
 * Reads a request body as raw bytes, as body-parser's `raw()` does, without its dependency tree
 * (which was most of the twin's start-up time): no body (no Content-Length, no Transfer-Encoding)
 * → undefined; gzip, deflate and br are inflated; more than `limit` bytes (declared or streamed,
 * after inflation) → 413; a body shorter or longer than its Content-Length → 400; another content
 * encoding → 415.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (!bodyAnnounced(req)) return Promise.resolve(undefined);
  const declared = req.headers['content-length'];
  const encoding = (req.headers['content-encoding'] ?? 'identity').toString().toLowerCase();
  let stream: Readable = req;
  let inflating: Transform | undefined;
  let length: number | undefined;
  if (encoding === 'identity') {
    length = declared === undefined ? undefined : Number.parseInt(declared, 10);
    if (length !== undefined && length > limit) return Promise.reject(errors.payloadTooLarge(limit));
  } else {
    const inflate = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
    if (!inflate) return Promise.reject(new ApiError('unsupported_media_type', `content encoding ${encoding} is not supported; send identity, gzip, deflate or br`));
    req.pipe(inflate);
    stream = inflate;
    inflating = inflate;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err?: ApiError) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      req.off('aborted', onAborted);
      if (inflating) {
        req.unpipe(inflating);
        inflating.on('error', () => undefined);
        inflating.destroy();
        req.resume();
      }
      if (err) {
        // whatever is left of the body is read and dropped by the HTTP server once the response is out
        reject(err);
      } else resolve(Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return finish(errors.payloadTooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (length !== undefined && received !== length) return finish(errors.badRequest(`request body is ${received} bytes, its Content-Length says ${length}`));
      finish();
    };
    const onError = (err: Error) => finish(stream === req ? errors.badRequest(`request body could not be read: ${err.message}`) : errors.badRequest(`request body could not be inflated (${encoding}): ${err.message}`));
    const onAborted = () => finish(errors.badRequest('the request was aborted while its body was being read'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** the spec media type a request's Content-Type maps to (`+json` and text/json count as JSON), or undefined (→ 415) */
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

export function withBodyMarker(err: ApiError, marker: BodyErrorMarkers): ApiError {
  return new ApiError(err.kind, err.message, { ...err.details, extra: { ...err.details.extra, ...marker } });
}

/**
 * Media types that stand for any bytes (an operation that declares the media range "any type"
 * takes every content type as an opaque payload): never decoded strictly or parsed. The handler reads the bytes as sent
 * from `ctx.request.rawBody`; `ctx.body` is a readable rendering (invalid UTF-8 as U+FFFD).
 */
export const OPAQUE_MEDIA_TYPES: ReadonlySet<string> = new Set(['*/*', 'application/octet-stream']);

export function parseBody(raw: Buffer, mediaType: string): unknown {
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
      const message = messageOf(err);
      const forbidden = /prototype/i.test(message);
      throw errors.badRequest(forbidden ? 'request body contains a forbidden key (__proto__ or constructor.prototype)' : `request body is not valid JSON: ${message}`, {
        parameter: { id: '', location: 'body' },
        extra: { unreadableBody: forbidden ? 'The JSON object contains a forbidden key (__proto__ or constructor.prototype).' : message },
      });
    }
  }
  return text;
}
