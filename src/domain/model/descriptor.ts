import { DomainError } from '../errors.js';
import { Digest } from './digest.js';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: Record<string, unknown>;
}

/** Parses a descriptor object found inside a manifest; `where` names it in error messages. */
export function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where} must be an object`);
  const { mediaType, digest, size, artifactType, annotations, urls, platform } = value;
  if (typeof mediaType !== 'string' || mediaType.length === 0) throw invalid(`${where}.mediaType must be a non-empty string`);
  if (typeof digest !== 'string') throw invalid(`${where}.digest must be a string`);
  if (!Digest.isValid(digest)) throw invalid(`${where}.digest "${digest.slice(0, 150)}" is not a valid sha256 or sha512 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}.size must be a non-negative integer`);
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid(`${where}.artifactType must be a string`);
  if (annotations !== undefined && !isStringMap(annotations)) throw invalid(`${where}.annotations must map strings to strings`);
  if (urls !== undefined && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) throw invalid(`${where}.urls must be an array of strings`);
  if (platform !== undefined && !isObject(platform)) throw invalid(`${where}.platform must be an object`);
  return {
    mediaType,
    digest: Digest.parse(digest),
    size,
    ...(artifactType !== undefined && { artifactType }),
    ...(annotations !== undefined && { annotations: annotations as Record<string, string> }),
    ...(urls !== undefined && { urls: urls as string[] }),
    ...(platform !== undefined && { platform: platform as Record<string, unknown> }),
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function invalid(message: string): DomainError {
  return new DomainError('MANIFEST_INVALID', `manifest invalid: ${message}`);
}
