import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError, errors } from './errors.ts';

/**
 * Reads a request body as raw bytes, as body-parser's `raw()` does, without its dependency tree
 * (which was most of the twin's start-up time): no body (no Content-Length, no Transfer-Encoding)
 * → undefined; gzip, deflate and br are inflated; more than `limit` bytes (declared or streamed,
 * after inflation) → 413; a body shorter or longer than its Content-Length → 400; another content
 * encoding → 415.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || Number.isNaN(Number.parseInt(declared, 10)))) return Promise.resolve(undefined);
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
