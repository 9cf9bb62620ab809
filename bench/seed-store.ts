// Fills a Berth data directory fast for the maintenance scenarios: metadata through the metadata
// store's own methods in large transactions, bytes written straight to the fs object store's files
// at their blob keys. Nothing goes over HTTP.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { blobKey } from '../src/domain/content/layout.js';
import type { LifecycleCandidate } from '../src/domain/lifecycle/index.js';
import { Digest } from '../src/domain/model/digest.js';
import type { MetadataOps, MetadataStore, NewManifest, RepositoryRecord } from '../src/domain/ports/metadata-store.js';
import { baseChunk, prng } from './data.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const SIGNATURE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** Rows per transaction: large, yet short enough (~1 s) not to hold a running server's writes past its busy timeout. */
const IMAGES_PER_TRANSACTION = 1000;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** The repository `name`, created when it is not there. */
async function repositoryNamed(store: MetadataStore, name: string, at: Date): Promise<RepositoryRecord> {
  return (await store.getRepository(name)) ?? store.createRepository({ name, createdAt: at });
}

/** Runs `fn` over `items` in transactions of `size` items. */
async function inTransactions<T>(store: MetadataStore, items: readonly T[], size: number, fn: (tx: MetadataOps, item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await store.transaction(async (tx) => {
      for (const item of items.slice(i, i + size)) await fn(tx, item);
    });
  }
}

/** What the metadata store records of a pushed manifest; its digest is the payload's unless given. */
function newManifest(repositoryId: number, payload: Buffer, mediaType: string, createdAt: Date, fields: Partial<Pick<NewManifest, 'blobDigests' | 'childDigests' | 'subjectDigest' | 'artifactType' | 'digest'>>): NewManifest {
  return {
    repositoryId,
    digest: fields.digest ?? Digest.of(payload).toString(),
    mediaType,
    artifactType: fields.artifactType ?? null,
    subjectDigest: fields.subjectDigest ?? null,
    annotations: null,
    payload,
    createdAt,
    blobDigests: fields.blobDigests ?? [],
    childDigests: fields.childDigests ?? [],
  };
}

const imageManifestOf = (config: Descriptor, layers: Descriptor[], extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers, ...extra }));

// ---------------------------------------------------------------- a large repository for lifecycle

/**
 * `name` holding `images` (see lifecycle-images.ts) with their tags, push and pull times, index
 * children and referrers, every image manifest referencing one shared config and layer, and the
 * lifecycle policy `policyText`. The images keep their given digests (lifecycle never reads payloads).
 */
export async function seedLifecycleRepository(store: MetadataStore, name: string, images: readonly LifecycleCandidate[], policyText: string, now: Date): Promise<RepositoryRecord> {
  const repository = await repositoryNamed(store, name, now);
  const id = repository.id;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from('a layer shared by every image');
  // Records only (lifecycle reads no bytes); the layer's recorded size is a layer's, not this buffer's.
  const blobs = [
    { mediaType: OCI_CONFIG, digest: Digest.of(config).toString(), size: config.length },
    { mediaType: OCI_LAYER, digest: Digest.of(layer).toString(), size: 12_345_678 },
  ];
  await store.transaction(async (tx) => {
    for (const blob of blobs) {
      await tx.putBlob(blob, now);
      await tx.linkBlob(id, blob.digest, now);
    }
  });
  const children = new Map<string, string[]>();
  for (const image of images) for (const parent of image.childOf ?? []) children.set(parent, [...(children.get(parent) ?? []), image.digest]);
  const [configBlob, layerBlob] = blobs as [Descriptor, Descriptor];
  await inTransactions(store, images, IMAGES_PER_TRANSACTION, async (tx, image) => {
    const childDigests = children.get(image.digest) ?? [];
    const isIndex = childDigests.length > 0;
    const subject = image.subjectDigest === undefined ? {} : { subject: { mediaType: OCI_MANIFEST, digest: image.subjectDigest, size: 500 } };
    const payload = isIndex
      ? Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: childDigests.map((digest) => ({ mediaType: OCI_MANIFEST, digest, size: 500 })) }))
      : imageManifestOf(configBlob, [layerBlob], { ...subject, annotations: { 'org.opencontainers.image.revision': image.digest.slice(7, 19) } });
    await tx.putManifest(
      newManifest(id, payload, isIndex ? OCI_INDEX : OCI_MANIFEST, image.pushedAt, {
        digest: image.digest,
        ...(isIndex ? { childDigests } : { blobDigests: blobs.map((b) => b.digest) }),
        ...(image.subjectDigest !== undefined && { subjectDigest: image.subjectDigest, artifactType: SIGNATURE }),
      }),
    );
    for (const tag of image.tags) await tx.putTag(id, tag, image.digest, image.pushedAt);
  });
  const pulls = images.flatMap((image) => (image.lastPulledAt ? [{ repositoryId: id, digest: image.digest, at: image.lastPulledAt }] : []));
  for (let i = 0; i < pulls.length; i += IMAGES_PER_TRANSACTION * 10) {
    await store.transaction((tx) => tx.recordPulls(pulls.slice(i, i + IMAGES_PER_TRANSACTION * 10)));
  }
  await store.putRepositoryDocument(id, 'lifecycle-policy', policyText, now);
  return repository;
}

// ---------------------------------------------------------------- garbage for collection

/** Blobs per deleted image: a config and nine layers. */
const BLOBS_PER_IMAGE = 10;

export interface Garbage {
  images: number;
  blobs: number;
  bytes: number;
  /** Every blob's digest. */
  digests: string[];
}

interface SmallFile {
  digest: string;
  data: Buffer;
}

/** `count` distinct blobs of 256 B - 2 KiB: a unique header and a slice of the shared random buffer. */
function smallFiles(count: number, label: string): SmallFile[] {
  const base = baseChunk();
  const rnd = prng(count);
  return Array.from({ length: count }, (_, i) => {
    const size = 256 + Math.floor(rnd() * 1793);
    const head = Buffer.from(`${label} ${i} `);
    const off = Math.floor(rnd() * (base.length - size));
    const data = Buffer.concat([head, base.subarray(off, off + size - head.length)]);
    return { digest: Digest.of(data).toString(), data };
  });
}

/** Where the fs object store under `storageRoot` keeps a blob's bytes. */
export function blobFile(storageRoot: string, digest: string): string {
  return path.join(storageRoot, ...blobKey(Digest.parse(digest)).split('/'));
}

/** Writes the blobs' bytes where the fs object store under `storageRoot` keeps them. */
function writeBlobFiles(storageRoot: string, files: readonly SmallFile[]): void {
  const made = new Set<string>();
  for (const { digest, data } of files) {
    const file = blobFile(storageRoot, digest);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, data);
  }
}

/**
 * What pushing images of `blobs` / 10 blobs each into `repository` and then deleting them leaves
 * behind, as garbage collection finds it: every blob recorded (committed at `at`), linked to the
 * repository and its bytes in the object store under `storageRoot`, the links queued for review by
 * the deletes and the blobs by their commits, nothing referencing them any more.
 */
export async function seedGarbage(store: MetadataStore, storageRoot: string, repository: string, blobs: number, at: Date): Promise<Garbage> {
  const files = smallFiles(blobs, `garbage ${repository} ${at.toISOString()}`);
  writeBlobFiles(storageRoot, files);
  const { id } = await repositoryNamed(store, repository, at);
  const images: SmallFile[][] = [];
  for (let i = 0; i < files.length; i += BLOBS_PER_IMAGE) images.push(files.slice(i, i + BLOBS_PER_IMAGE));
  await inTransactions(store, images, IMAGES_PER_TRANSACTION, async (tx, image) => {
    const descriptors = image.map(({ digest, data }, k): Descriptor => ({ mediaType: k === 0 ? OCI_CONFIG : OCI_LAYER, digest, size: data.length }));
    for (const blob of descriptors) {
      await tx.putBlob(blob, at);
      await tx.linkBlob(id, blob.digest, at);
    }
    const [config, ...layers] = descriptors as [Descriptor, ...Descriptor[]];
    const manifest = newManifest(id, imageManifestOf(config, layers), OCI_MANIFEST, at, { blobDigests: descriptors.map((d) => d.digest) });
    await tx.putManifest(manifest);
    await tx.deleteManifest(id, manifest.digest, at);
  });
  return { images: images.length, blobs: files.length, bytes: files.reduce((sum, f) => sum + f.data.length, 0), digests: files.map((f) => f.digest) };
}
