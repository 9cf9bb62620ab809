/**
 * Small OCI images built in memory (deterministic tar + gzip layers, configs, manifests, indexes),
 * written as OCI layout folders, and pushed or read with raw HTTP per the OCI Distribution spec.
 * Black-box: nothing here imports Berth's code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeResponse, httpHash, httpRequest, sha256, type HttpResponse } from '../support/tools.js';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const MANIFEST_ACCEPT = [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Blob {
  descriptor: Descriptor;
  data: Buffer;
}

/** A ustar archive of regular files (mode 0644, owner 0, mtime 0): enough for a layer. */
export function tar(files: ReadonlyArray<{ name: string; content: Buffer | string }>): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const content = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content);
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write('00000000000\0', 136, 'ascii');
    header.write('        ', 148, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    parts.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function blobOf(data: Buffer, mediaType: string, extra: Partial<Descriptor> = {}): Blob {
  return { data, descriptor: { mediaType, digest: sha256(data), size: data.length, ...extra } };
}

export function jsonBlob(value: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Blob {
  return blobOf(Buffer.from(JSON.stringify(value)), mediaType, extra);
}

export interface Image {
  config: Blob;
  layers: Blob[];
  manifest: Blob;
  /** Every blob the manifest references (config first). */
  blobs: Blob[];
}

/** A single-layer OCI image for a platform, its layer holding `files`. */
export function makeImage(opts: { architecture: string; os?: string; files: ReadonlyArray<{ name: string; content: Buffer | string }> }): Image {
  const os = opts.os ?? 'linux';
  const layerTar = tar(opts.files);
  const layer = blobOf(gzipSync(layerTar), MT.ociLayerGzip);
  const config = jsonBlob(
    {
      architecture: opts.architecture,
      os,
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created_by: 'berth e2e fixture' }],
    },
    MT.ociConfig,
  );
  const manifest = jsonBlob(
    { schemaVersion: 2, mediaType: MT.ociManifest, config: config.descriptor, layers: [layer.descriptor] },
    MT.ociManifest,
    { platform: { architecture: opts.architecture, os } },
  );
  return { config, layers: [layer], manifest, blobs: [config, layer] };
}

export function makeIndex(images: readonly Image[], annotations?: Record<string, string>): Blob {
  return jsonBlob(
    { schemaVersion: 2, mediaType: MT.ociIndex, manifests: images.map((i) => i.manifest.descriptor), ...(annotations ? { annotations } : {}) },
    MT.ociIndex,
  );
}

/** An OCI image layout folder holding `blobs`, whose index.json lists `refs` by name. */
export function writeOciLayout(dir: string, blobs: readonly Blob[], refs: ReadonlyArray<{ name: string; blob: Blob }>): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const blob of [...blobs, ...refs.map((r) => r.blob)]) {
    writeFileSync(path.join(dir, 'blobs', 'sha256', blob.descriptor.digest.slice('sha256:'.length)), blob.data);
  }
  const manifests = refs.map((r) => {
    const { platform: _platform, ...descriptor } = r.blob.descriptor;
    return { ...descriptor, annotations: { 'org.opencontainers.image.ref.name': r.name } };
  });
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
}

/**
 * Raw OCI Distribution client over node:http(s); every failure message carries the response.
 * `authorization` (e.g. `Basic base64(AWS:<token>)`) goes with every request that sets none.
 */
export class OciClient {
  readonly ca: string | Buffer | undefined;
  /** The headers that authenticate a request, for requests made without this client. */
  readonly authHeaders: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    options: { ca?: string | Buffer; authorization?: string } = {},
  ) {
    this.ca = options.ca;
    this.authHeaders = options.authorization ? { Authorization: options.authorization } : {};
  }

  url(pathAndQuery: string): string {
    return new URL(pathAndQuery, this.baseUrl).href;
  }

  request(method: string, pathOrUrl: string, init: { headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<HttpResponse> {
    return httpRequest(this.url(pathOrUrl), { method, ca: this.ca, ...init, headers: { ...this.authHeaders, ...init.headers } });
  }

  /** GET with the body hashed as it streams (see httpHash). */
  hash(pathOrUrl: string): ReturnType<typeof httpHash> {
    return httpHash(this.url(pathOrUrl), { ca: this.ca, headers: this.authHeaders });
  }

  /** Expects one of `statuses`, else throws with the whole exchange. */
  async expect(method: string, pathOrUrl: string, statuses: number[], init: { headers?: Record<string, string | number>; body?: Buffer | string } = {}): Promise<HttpResponse> {
    const res = await this.request(method, pathOrUrl, init);
    if (!statuses.includes(res.status)) {
      throw new Error(`expected ${statuses.join(' or ')}:\n${describeResponse(method, this.url(pathOrUrl), res)}`);
    }
    return res;
  }

  /** Monolithic upload: POST to open a session, PUT the bytes with ?digest=. */
  async pushBlob(repo: string, data: Buffer, digest = sha256(data)): Promise<string> {
    const start = await this.expect('POST', `/v2/${repo}/blobs/uploads/`, [202]);
    const location = start.header('location');
    if (!location) throw new Error(`POST upload: no Location\n${describeResponse('POST', `/v2/${repo}/blobs/uploads/`, start)}`);
    const put = await this.expect('PUT', withQuery(this.url(location), { digest }), [201], {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    });
    return put.header('docker-content-digest') ?? digest;
  }

  async pushManifest(repo: string, reference: string, manifest: Blob): Promise<HttpResponse> {
    return this.expect('PUT', `/v2/${repo}/manifests/${reference}`, [201], {
      headers: { 'Content-Type': manifest.descriptor.mediaType },
      body: manifest.data,
    });
  }

  /** Pushes every blob and the manifest under `tag`. */
  async pushImage(repo: string, tag: string, image: Image): Promise<void> {
    for (const blob of image.blobs) await this.pushBlob(repo, blob.data);
    await this.pushManifest(repo, tag, image.manifest);
  }

  getManifest(repo: string, reference: string): Promise<HttpResponse> {
    return this.request('GET', `/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  }
}

/** Adds query parameters to a URL that may already have some (upload Locations often do). */
export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}
