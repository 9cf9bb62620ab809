import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` writes the console: dist/web, beside dist/src where this file runs from. */
export const BUILT_CONSOLE_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The precompressed siblings the build writes, best first. */
const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;

/** One file name, as the build names assets: no directories, nothing hidden. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Asset names carry their content's hash: a name never changes meaning, so browsers keep them for good. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/**
 * The page is the console's only HTML: scripts and styles only from here (no inline script), no
 * framing, no plugins, requests only back to here.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  // Revalidated on every load (cheaply, by ETag), so a new build's asset names are picked up at once.
  'cache-control': 'no-cache',
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const NOT_BUILT = 'The Berth console is not built: run `npm run build`, which writes it to dist/web, then reload.\n';

/** The built console's files: hashed assets, and the page every console URL loads (the app routes in the browser). */
export class ConsoleFiles {
  constructor(private readonly root: string) {}

  /** GET /console/assets/<name>: the file (precompressed when the client takes it), or 404. */
  async sendAsset(request: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> {
    if (!ASSET_NAME.test(name) || ENCODINGS.some(({ suffix }) => name.endsWith(suffix))) return notFound(reply);
    return this.sendFile(request, reply, join(this.root, 'assets', name), { 'cache-control': ASSET_CACHE, 'x-content-type-options': 'nosniff' });
  }

  /** The console's page (index.html), or 503 when the console was never built. */
  async sendPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const page = join(this.root, 'index.html');
    if (!(await fileStats(page))) return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT);
    return this.sendFile(request, reply, page, PAGE_HEADERS);
  }

  private async sendFile(request: FastifyRequest, reply: FastifyReply, path: string, headers: Record<string, string>): Promise<FastifyReply> {
    const chosen = await this.variantFor(path, request.headers['accept-encoding'] ?? '');
    if (!chosen) return notFound(reply);
    const { file, stats, coding } = chosen;
    const etag = `"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}${coding ? `-${coding}` : ''}"`;
    reply.headers({ ...headers, etag, vary: 'accept-encoding', 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
    if (coding) reply.header('content-encoding', coding);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).header('content-length', stats.size).send(createReadStream(file));
  }

  /** The precompressed sibling the client accepts, else the file itself; undefined when there is no such file. */
  private async variantFor(path: string, acceptEncoding: string): Promise<{ file: string; stats: Stats; coding?: string } | undefined> {
    for (const { coding, suffix } of ENCODINGS) {
      if (qualityOf(acceptEncoding, coding) <= 0) continue;
      const stats = await fileStats(path + suffix);
      if (stats) return { file: path + suffix, stats, coding };
    }
    const stats = await fileStats(path);
    return stats && { file: path, stats };
  }
}

/** The q-value Accept-Encoding gives a content coding (explicitly or through `*`); 0 when it is not accepted. */
function qualityOf(acceptEncoding: string, coding: string): number {
  let wildcard = 0;
  for (const entry of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2)) || 0;
    if (name === coding) return quality;
    if (name === '*') wildcard = quality;
  }
  return wildcard;
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
}
