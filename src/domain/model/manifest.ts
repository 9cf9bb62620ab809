import { DomainError } from '../errors.js';
import { type Descriptor, isObject, isStringMap, parseDescriptor } from './descriptor.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, MediaTypes } from './media-types.js';

/** What the registry needs to know about a manifest, parsed once from its exact bytes. */
export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** The manifest's own artifactType field. */
  artifactType?: string;
  subject?: Descriptor;
  config?: Descriptor;
  /** Blobs the manifest references (config and layers). */
  blobs: Descriptor[];
  /** Child manifests (index entries). */
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/**
 * Parses manifest bytes. The media type comes from the payload's `mediaType` field when present,
 * and must then agree with the Content-Type the client sent; otherwise from the Content-Type.
 */
export function parseManifest(payload: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    throw invalid(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw invalid('the document must be a JSON object');

  const declared = doc.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  const headerType = normaliseContentType(contentType);
  if (declared && headerType && declared !== headerType && headerType !== 'application/json') {
    throw invalid(`mediaType "${declared}" in the manifest does not match Content-Type "${headerType}"`);
  }
  const mediaType = declared || headerType || guessMediaType(doc);
  if (mediaType === MediaTypes.dockerSchema1 || mediaType === MediaTypes.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw invalid('Docker schema 1 manifests are not supported; push with schema 2 or OCI');
  }
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');

  if (IMAGE_MANIFEST_TYPES.has(mediaType)) return parseImage(doc, mediaType);
  if (INDEX_TYPES.has(mediaType)) return parseIndex(doc, mediaType);
  throw invalid(`unsupported manifest media type "${mediaType.slice(0, 200)}"`);
}

function parseImage(doc: Record<string, unknown>, mediaType: string): ParsedManifest {
  if (doc.manifests !== undefined) throw invalid('an image manifest must not have "manifests"');
  const config = parseDescriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw invalid('layers must be an array');
  const layers = doc.layers.map((layer, i) => parseDescriptor(layer, `layers[${i}]`));
  const artifactType = optionalString(doc, 'artifactType');
  if (artifactType !== undefined && mediaType !== MediaTypes.ociManifest) throw invalid('artifactType is only allowed in OCI manifests');
  return {
    mediaType,
    kind: 'image',
    ...(artifactType !== undefined && { artifactType }),
    config,
    blobs: [config, ...layers],
    manifests: [],
    ...optionalSubject(doc),
    ...optionalAnnotations(doc),
  };
}

function parseIndex(doc: Record<string, unknown>, mediaType: string): ParsedManifest {
  if (!Array.isArray(doc.manifests)) throw invalid('manifests must be an array');
  const manifests = doc.manifests.map((entry, i) => parseDescriptor(entry, `manifests[${i}]`));
  const artifactType = optionalString(doc, 'artifactType');
  return {
    mediaType,
    kind: 'index',
    ...(artifactType !== undefined && { artifactType }),
    blobs: [],
    manifests,
    ...optionalSubject(doc),
    ...optionalAnnotations(doc),
  };
}

function optionalString(doc: Record<string, unknown>, field: string): string | undefined {
  const value = doc[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  return value;
}

function optionalSubject(doc: Record<string, unknown>): { subject?: Descriptor } {
  return doc.subject === undefined ? {} : { subject: parseDescriptor(doc.subject, 'subject') };
}

function optionalAnnotations(doc: Record<string, unknown>): { annotations?: Record<string, string> } {
  if (doc.annotations === undefined) return {};
  if (!isStringMap(doc.annotations)) throw invalid('annotations must map strings to strings');
  return { annotations: doc.annotations as Record<string, string> };
}

function guessMediaType(doc: Record<string, unknown>): string {
  if (Array.isArray(doc.manifests)) return MediaTypes.ociIndex;
  if (isObject(doc.config)) return MediaTypes.ociManifest;
  throw invalid('cannot tell the manifest type: no mediaType field, no Content-Type, and neither config nor manifests');
}

export function normaliseContentType(value: string | undefined): string | undefined {
  const type = value?.split(';', 1)[0]?.trim().toLowerCase();
  return type || undefined;
}

function invalid(message: string): DomainError {
  return new DomainError('MANIFEST_INVALID', `manifest invalid: ${message}`);
}
