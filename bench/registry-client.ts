// The OCI Distribution calls the benchmark makes, as docker/containerd make them.
import http from 'node:http';
import { expectStatus, header, send, type Reply, type SendOptions } from './http-client.js';

/** The Accept list docker sends when it pulls a manifest (sent comma-joined). */
export const DOCKER_MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCTET = 'application/octet-stream';

export class RegistryClient {
  readonly agent: http.Agent;

  /** `headers` go with every request (the registry's Authorization, when it wants one). */
  constructor(
    readonly base: URL,
    readonly headers: Readonly<Record<string, string>> = {},
    maxSockets = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(target: URL, opts: SendOptions): Promise<Reply> {
    return send(this.agent, target, { ...opts, headers: { ...this.headers, ...opts.headers } });
  }

  private location(reply: Reply, what: string): URL {
    const loc = header(reply, 'location');
    if (!loc) throw new Error(`${what}: no Location header`);
    return new URL(loc, this.base);
  }

  async startUpload(repo: string): Promise<URL> {
    const reply = await this.send(this.url(`/v2/${repo}/blobs/uploads/`), { method: 'POST', headers: { 'Content-Length': 0 } });
    return this.location(expectStatus(reply, [202], `POST upload ${repo}`), 'POST upload');
  }

  private async finish(upload: URL, digest: string, body: readonly Buffer[], size: number): Promise<void> {
    const target = new URL(upload);
    target.searchParams.set('digest', digest);
    const reply = await this.send(target, {
      method: 'PUT',
      headers: { 'Content-Type': OCTET, 'Content-Length': size },
      body,
      timeoutMs: 300_000,
    });
    expectStatus(reply, [201], `PUT upload ${digest.slice(0, 19)}`);
  }

  /** POST, then PUT ?digest= with the whole body streamed. */
  async pushMonolithic(repo: string, digest: string, chunks: readonly Buffer[], size: number): Promise<void> {
    await this.finish(await this.startUpload(repo), digest, chunks, size);
  }

  /** POST, one PATCH per chunk with Content-Range, then PUT ?digest= with no body. */
  async pushChunked(repo: string, digest: string, chunks: readonly Buffer[]): Promise<void> {
    let upload = await this.startUpload(repo);
    let offset = 0;
    for (const chunk of chunks) {
      const reply = await this.send(upload, {
        method: 'PATCH',
        headers: {
          'Content-Type': OCTET,
          'Content-Length': chunk.length,
          'Content-Range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: chunk,
        timeoutMs: 300_000,
      });
      upload = this.location(expectStatus(reply, [202], `PATCH upload at ${offset}`), 'PATCH upload');
      offset += chunk.length;
    }
    await this.finish(upload, digest, [], 0);
  }

  async putManifest(repo: string, reference: string, body: Buffer, mediaType = OCI_MANIFEST): Promise<void> {
    const reply = await this.send(this.url(`/v2/${repo}/manifests/${reference}`), {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
    });
    expectStatus(reply, [201], `PUT manifest ${repo}:${reference}`);
  }

  async get(pathOrUrl: string | URL, headers: Record<string, string> = {}): Promise<Reply> {
    const target = typeof pathOrUrl === 'string' ? this.url(pathOrUrl) : pathOrUrl;
    return this.send(target, { method: 'GET', headers });
  }
}
