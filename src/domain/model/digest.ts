import { createHash, type Hash } from 'node:crypto';
import { DomainError } from '../errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_PATTERN = /^(sha256|sha512):([a-f0-9]+)$/;

/** A content digest, parsed once: only sha256 and sha512 with lowercase hex of the exact length. */
export class Digest {
  private constructor(
    readonly algorithm: DigestAlgorithm,
    readonly hex: string,
  ) {}

  static parse(value: string): Digest {
    const match = DIGEST_PATTERN.exec(value);
    const algorithm = match?.[1] as DigestAlgorithm | undefined;
    const hex = match?.[2];
    if (!algorithm || !hex) {
      throw new DomainError('DIGEST_INVALID', `invalid digest "${truncate(value)}": expected sha256:<64 hex> or sha512:<128 hex>`);
    }
    if (hex.length !== HEX_LENGTH[algorithm]) {
      throw new DomainError('DIGEST_INVALID', `invalid digest "${truncate(value)}": ${algorithm} needs ${HEX_LENGTH[algorithm]} hex characters, got ${hex.length}`);
    }
    return new Digest(algorithm, hex);
  }

  static isValid(value: string): boolean {
    const match = DIGEST_PATTERN.exec(value);
    return !!match && match[2]!.length === HEX_LENGTH[match[1] as DigestAlgorithm];
  }

  static of(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
    return new Digest(algorithm, createHash(algorithm).update(data).digest('hex'));
  }

  static fromHash(algorithm: DigestAlgorithm, hash: Hash): Digest {
    return new Digest(algorithm, hash.digest('hex'));
  }

  equals(other: Digest): boolean {
    return this.algorithm === other.algorithm && this.hex === other.hex;
  }

  toString(): string {
    return `${this.algorithm}:${this.hex}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
