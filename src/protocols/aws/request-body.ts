import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface RequestBody {
  bytes: Buffer;
  /** Lowercase hex SHA-256 of the bytes, which the request's signature covers. */
  sha256: string;
}

/**
 * A request body read into memory and hashed on the way, or 'too-large' as soon as it passes `limit`
 * bytes (declared or sent). The rest of an oversized body is drained, not buffered, so the connection
 * stays readable while the answer goes out.
 */
export function readRequestBody(request: IncomingMessage, limit: number): Promise<RequestBody | 'too-large'> {
  if (Number(request.headers['content-length']) > limit) {
    request.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        request.resume();
        resolve('too-large');
        return;
      }
      hash.update(chunk);
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') });
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    const onClose = () => onError(new Error('the client closed the connection before sending the whole body'));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** A request target split as received (still percent-encoded): the path, and the query without its '?'. */
export function splitRawUrl(url: string | undefined): { rawPath: string; rawQuery: string } {
  const target = url ?? '/';
  const queryAt = target.indexOf('?');
  return queryAt < 0 ? { rawPath: target, rawQuery: '' } : { rawPath: target.slice(0, queryAt), rawQuery: target.slice(queryAt + 1) };
}

/** Headers with a repeated header's values joined with ', ', as node joins all but a few. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
