import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm } from '../model/digest.js';

/** Passes chunks through unchanged while feeding them to a hash: digests are computed while streaming. */
export async function* hashing(source: AsyncIterable<Uint8Array>, hash: Hash): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/** Hashes a whole stream; used to rebuild a hash state that is not in memory (after a restart, on another node). */
export async function hashStream(source: AsyncIterable<Uint8Array>, algorithm: DigestAlgorithm): Promise<Hash> {
  const hash = createHash(algorithm);
  for await (const chunk of source) hash.update(chunk);
  return hash;
}
