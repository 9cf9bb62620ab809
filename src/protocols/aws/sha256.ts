import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** What the AWS signer hands a hash: text (UTF-8), a buffer or a view of one. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * SHA-256, or HMAC-SHA-256 when given a key, from node:crypto in the shape `@smithy/signature-v4` takes
 * as its `sha256` constructor; this spares a second, pure-JavaScript hashing dependency.
 */
export class NodeSha256 {
  readonly #hash: Hash | Hmac;

  constructor(key?: SourceData) {
    this.#hash = key === undefined ? createHash('sha256') : createHmac('sha256', bytes(key));
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}
