// Minimal HTTP/1.1 client for the benchmark, on node:http with a keep-alive agent.
// Used identically against both registries, so its own cost is the same for both.
import http from 'node:http';
import { once } from 'node:events';

export interface SendOptions {
  method: string;
  headers?: Record<string, string | number>;
  /** Body chunks, written in order with backpressure (the same Buffer may repeat). */
  body?: Buffer | readonly Buffer[];
  /** Collect the response body (default); when false only count its bytes. */
  collect?: boolean;
  /** Inactivity timeout of the socket. */
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  bytes: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function send(agent: http.Agent, url: URL, opts: SendOptions): Promise<Reply> {
  const chunks = opts.body === undefined ? [] : Buffer.isBuffer(opts.body) ? [opts.body] : opts.body;
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.body !== undefined && headers['Content-Length'] === undefined) {
    headers['Content-Length'] = chunks.reduce((n, c) => n + c.length, 0);
  }
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers, agent });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`${opts.method} ${url.pathname}: timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      const collect = opts.collect ?? true;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (collect) parts.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), bytes }));
    });
    writeAll(req, chunks).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
  });
}

async function writeAll(req: http.ClientRequest, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (req.destroyed) return;
    if (!req.write(chunk)) await once(req, 'drain');
  }
  req.end();
}

/** Throws an HttpError unless the status is one of `expected`. */
export function expectStatus(reply: Reply, expected: readonly number[], what: string): Reply {
  if (!expected.includes(reply.status)) {
    const text = reply.body.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ');
    throw new HttpError(`${what}: HTTP ${reply.status} (expected ${expected.join('/')}) ${text}`, reply.status);
  }
  return reply;
}

export function header(reply: Reply, name: string): string | undefined {
  const v = reply.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
