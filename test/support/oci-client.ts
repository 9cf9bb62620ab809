/** A small OCI Distribution client over fetch, for driving the server the way registry clients do. */
import { createHash } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  [key: string]: unknown;
}

export class OciClient {
  /** `authorization` goes with every request that sets none of its own. */
  constructor(
    readonly baseUrl: string,
    readonly authorization?: string,
  ) {}

  request(method: string, path: string, init: { headers?: Record<string, string>; body?: RequestInit['body']; duplex?: 'half' } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const headers = { ...(this.authorization && { authorization: this.authorization }), ...init.headers };
    return fetch(url, { method, redirect: 'manual', ...init, headers, ...(init.body instanceof ReadableStream && { duplex: 'half' }) } as RequestInit);
  }

  /** One POST with ?digest= and the whole body. */
  async pushBlob(name: string, data: Uint8Array | string, mediaType = 'application/octet-stream'): Promise<Descriptor> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = sha256(bytes);
    const res = await this.request('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    if (res.status !== 201) throw new Error(`blob push failed: ${res.status} ${await res.text()}`);
    return { mediaType, digest, size: bytes.byteLength };
  }

  async pushManifest(name: string, reference: string, manifest: object | string, mediaType = OCI_MANIFEST): Promise<{ digest: string; bytes: Buffer; response: Response }> {
    const bytes = Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    const response = await this.request('PUT', `/v2/${name}/manifests/${reference}`, { headers: { 'content-type': mediaType }, body: bytes });
    if (response.status !== 201) throw new Error(`manifest push failed: ${response.status} ${await response.text()}`);
    return { digest: sha256(bytes), bytes, response };
  }

  /** Pushes a small image: a config and `layers` layer blobs, then its manifest under `reference`. */
  async pushImage(name: string, reference: string, options: { layers?: number; seed?: string; subject?: Descriptor; artifactType?: string } = {}) {
    const seed = options.seed ?? reference;
    const config = await this.pushBlob(name, JSON.stringify({ architecture: 'amd64', os: 'linux', seed }), OCI_CONFIG);
    const layers: Descriptor[] = [];
    for (let i = 0; i < (options.layers ?? 2); i++) layers.push(await this.pushBlob(name, `layer ${i} of ${seed}`, OCI_LAYER));
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(options.artifactType && { artifactType: options.artifactType }),
      config,
      layers,
      ...(options.subject && { subject: options.subject }),
    };
    const pushed = await this.pushManifest(name, reference, manifest);
    return { ...pushed, config, layers, descriptor: { mediaType: OCI_MANIFEST, digest: pushed.digest, size: pushed.bytes.byteLength } };
  }
}

export async function ociErrorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: Array<{ code: string }> };
  return body.errors?.[0]?.code;
}
