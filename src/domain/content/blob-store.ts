import { createHash, type Hash, randomUUID } from 'node:crypto';
import { DomainError } from '../errors.js';
import { Digest, type DigestAlgorithm } from '../model/digest.js';
import type { StoredBlobRecord } from '../ports/archive-metadata.js';
import type { Clock } from '../ports/clock.js';
import type { BlobRecord, MetadataStore } from '../ports/metadata-store.js';
import { type ByteRange, ObjectNotFoundError, ObjectOffsetMismatchError, type ObjectSender, type ObjectStore } from '../ports/object-store.js';
import { hashing, hashStream } from './hashing.js';
import { KeyedMutex } from './keyed-mutex.js';
import { blobKey, parseStagingKey, STAGING_PREFIX, singleRequestStagingKey, stagingKey } from './layout.js';

export interface UploadStatus {
  id: string;
  /** Bytes received so far. */
  offset: number;
}

interface HashState {
  offset: number;
  hash: Hash;
}

/** How many in-progress sha256 states to keep; beyond it, a session's hash is rebuilt from its staged bytes. */
const MAX_CACHED_HASH_STATES = 4096;

/**
 * The content-addressed blob store: upload sessions, digest verification while streaming,
 * and the verified atomic commit (bytes durable and in place before any metadata points at them).
 *
 * The staged object's size is the truth for an upload's progress: bytes that reached it before a
 * crash are a valid prefix of what the client sent, so a restarted server (or another node)
 * continues from there. The running sha256 state is a cache; when it is missing or behind
 * (after a restart, on another node), it is rebuilt by hashing the staged bytes.
 */
export class BlobStore {
  private readonly hashStates = new Map<string, HashState>();
  private readonly uploadLocks = new KeyedMutex();

  constructor(
    private readonly objects: ObjectStore,
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
  ) {}

  // ---- reading

  /**
   * The blob if it is linked to the repository (a blob is readable in a repository only through its
   * link) and not archived; IMAGE_ARCHIVED when it is.
   */
  async stat(repositoryId: number, digest: Digest): Promise<BlobRecord> {
    const blob = await this.metadata.getLinkedBlobStorage(repositoryId, digest.toString());
    if (!blob) throw new DomainError('BLOB_UNKNOWN', `blob ${digest} is not known to this repository`, { digest: digest.toString() });
    if (!(await this.isReadable(blob))) {
      throw new DomainError(
        'IMAGE_ARCHIVED',
        `blob ${digest} is archived: only archived images use it. Restore one of them (ECR UpdateImageStorageClass to STANDARD), or push an image with it again`,
        { digest: digest.toString() },
      );
    }
    return { digest: blob.digest, size: blob.size };
  }

  /** Archived bytes are not served, unless a push has put them back at the standard key, where reads look. */
  async isReadable(blob: StoredBlobRecord): Promise<boolean> {
    return blob.storageClass === 'STANDARD' || (await this.objects.stat(blobKey(Digest.parse(blob.digest)))) !== undefined;
  }

  /** Opens a linked blob's bytes for sending; BLOB_UNKNOWN when the store has lost them. */
  async openForSend(blob: BlobRecord, range?: ByteRange): Promise<ObjectSender> {
    try {
      return await this.objects.openForSend(blobKey(Digest.parse(blob.digest)), range);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) {
        throw new DomainError('BLOB_UNKNOWN', `blob ${blob.digest} is recorded but its bytes are missing from storage`, { digest: blob.digest });
      }
      throw err;
    }
  }

  // ---- upload sessions

  async startUpload(repositoryId: number): Promise<UploadStatus> {
    const id = randomUUID();
    await this.metadata.createUpload({ id, repositoryId, startedAt: this.clock.now() });
    return { id, offset: 0 };
  }

  async uploadStatus(repositoryId: number, uploadId: string): Promise<UploadStatus> {
    await this.session(repositoryId, uploadId);
    return { id: uploadId, offset: await this.stagedSize(uploadId) };
  }

  /**
   * Appends a chunk. `expectedOffset`, from Content-Range, must equal the bytes received so far
   * (RANGE_INVALID otherwise). If the body stops early, what arrived is kept and the error propagates.
   */
  async append(repositoryId: number, uploadId: string, body: AsyncIterable<Uint8Array>, expectedOffset?: number, signal?: AbortSignal): Promise<UploadStatus> {
    return this.uploadLocks.run(uploadId, async () => {
      // Checked under the lock: a request that waited may find the upload completed or cancelled meanwhile.
      const session = await this.session(repositoryId, uploadId);
      const offset = await this.stagedSize(uploadId);
      if (expectedOffset !== undefined && expectedOffset !== offset) {
        throw new DomainError('RANGE_INVALID', `chunk starts at byte ${expectedOffset} but the upload has ${offset} bytes; send the next chunk from byte ${offset}`, { offset });
      }
      const size = await this.appendLocked(uploadId, offset, body, signal);
      await this.metadata.advanceUpload(uploadId, session.offset, size, this.clock.now());
      return { id: uploadId, offset: size };
    });
  }

  /** Finishes an upload: appends the optional last chunk, verifies the digest, commits and links. */
  async completeUpload(repositoryId: number, uploadId: string, digest: Digest, lastChunk?: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<BlobRecord> {
    return this.uploadLocks.run(uploadId, async () => {
      await this.session(repositoryId, uploadId);
      let size = await this.stagedSize(uploadId);
      // An empty blob has no staged object yet: appending nothing creates it, so the commit has something to move.
      if (lastChunk || size === 0) size = await this.appendLocked(uploadId, size, lastChunk ?? noBytes(), signal);
      const actual = await this.finalDigest(uploadId, size, digest);
      if (!actual.equals(digest)) {
        await this.discard(uploadId);
        throw digestMismatch(digest, actual, size);
      }
      const blob = await this.commit(repositoryId, stagingKey(uploadId), digest, size, uploadId);
      this.hashStates.delete(uploadId);
      return blob;
    });
  }

  async cancelUpload(repositoryId: number, uploadId: string): Promise<void> {
    await this.uploadLocks.run(uploadId, async () => {
      await this.session(repositoryId, uploadId);
      await this.discard(uploadId);
    });
  }

  /**
   * A whole blob in one request (POST with ?digest=, or a caller that has all the bytes): no
   * session row, since nothing can be resumed; a crash leaves only an unreferenced staging object.
   */
  async ingest(repositoryId: number, digest: Digest, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<BlobRecord> {
    const key = singleRequestStagingKey(this.clock.now());
    try {
      const hash = createHash(digest.algorithm);
      const size = await this.objects.append(key, 0, hashing(body, hash), signal);
      const actual = Digest.fromHash(digest.algorithm, hash);
      if (!actual.equals(digest)) throw digestMismatch(digest, actual, size);
      return await this.commit(repositoryId, key, digest, size);
    } finally {
      await this.objects.delete(key);
    }
  }

  // ---- internals

  /**
   * The blob is recorded as being committed first, which fences garbage collection: it deletes
   * bytes only in a transaction that finds no recent commit, and this record waits for such a
   * transaction to finish. So when the move below finds the bytes already in place, they stay.
   * Then the bytes are made durable and moved into place, and only then linked (ending the session).
   */
  private async commit(repositoryId: number, from: string, digest: Digest, size: number, uploadId?: string): Promise<BlobRecord> {
    const blob = { digest: digest.toString(), size };
    await this.metadata.putBlob(blob, this.clock.now());
    await this.objects.commit(from, blobKey(digest));
    await this.metadata.transaction(async (tx) => {
      await tx.linkBlob(repositoryId, blob.digest, this.clock.now());
      if (uploadId !== undefined) await tx.deleteUpload(uploadId);
    });
    return blob;
  }

  /** Appends under the session's lock, keeping the running hash in step with the staged bytes. */
  private async appendLocked(uploadId: string, offset: number, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<number> {
    const state = await this.hashState(uploadId, offset);
    let size: number;
    try {
      size = await this.objects.append(stagingKey(uploadId), offset, hashing(body, state.hash), signal);
    } catch (err) {
      // The hash saw bytes that may not all be durable; rebuild it from the staged bytes next time.
      this.hashStates.delete(uploadId);
      if (err instanceof ObjectOffsetMismatchError) {
        throw new DomainError('RANGE_INVALID', `upload ${uploadId} changed concurrently; resume from byte ${err.actual}`, { offset: err.actual });
      }
      throw err;
    }
    state.offset = size;
    this.rememberHashState(uploadId, state);
    return size;
  }

  private async session(repositoryId: number, uploadId: string) {
    const session = await this.metadata.getUpload(uploadId);
    if (!session || session.repositoryId !== repositoryId) {
      throw new DomainError('BLOB_UPLOAD_UNKNOWN', `upload ${uploadId} is not known to this repository (it may have completed, been cancelled or expired)`);
    }
    return session;
  }

  private async stagedSize(uploadId: string): Promise<number> {
    return (await this.objects.stat(stagingKey(uploadId)))?.size ?? 0;
  }

  private async hashState(uploadId: string, offset: number): Promise<HashState> {
    const cached = this.hashStates.get(uploadId);
    if (cached && cached.offset === offset) return cached;
    const hash = offset === 0 ? createHash('sha256') : await this.hashStaged(uploadId, 'sha256');
    return { offset, hash };
  }

  private rememberHashState(uploadId: string, state: HashState): void {
    this.hashStates.delete(uploadId);
    this.hashStates.set(uploadId, state);
    if (this.hashStates.size > MAX_CACHED_HASH_STATES) {
      const oldest = this.hashStates.keys().next().value;
      if (oldest !== undefined) this.hashStates.delete(oldest);
    }
  }

  private async finalDigest(uploadId: string, size: number, expected: Digest): Promise<Digest> {
    const cached = this.hashStates.get(uploadId);
    if (expected.algorithm === 'sha256' && cached && cached.offset === size) return Digest.fromHash('sha256', cached.hash);
    if (size === 0) return Digest.of(new Uint8Array(0), expected.algorithm);
    return Digest.fromHash(expected.algorithm, await this.hashStaged(uploadId, expected.algorithm));
  }

  /** Hashes the staged bytes from the start: how a hash state missing from memory is rebuilt. */
  private async hashStaged(uploadId: string, algorithm: DigestAlgorithm): Promise<Hash> {
    return hashStream(await this.objects.read(stagingKey(uploadId)), algorithm);
  }

  /**
   * Removes upload sessions that have received nothing since before `idleSince` (clients that went
   * away), with their staged bytes, then staged bytes a crash left behind; resolves with how many.
   * A session that moves meanwhile is kept: the delete is conditional on it still being idle,
   * under the session's lock on this node.
   */
  async removeAbandonedUploads(idleSince: Date, batch = 500): Promise<number> {
    return (await this.removeIdleSessions(idleSince, batch)) + (await this.removeOrphanedStaging(idleSince));
  }

  private async removeIdleSessions(idleSince: Date, batch: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const idle = await this.metadata.listIdleUploads(idleSince, batch);
      for (const upload of idle) {
        await this.uploadLocks.run(upload.id, async () => {
          if (!(await this.metadata.deleteUploadIfIdle(upload.id, idleSince))) return;
          this.hashStates.delete(upload.id);
          await this.objects.delete(stagingKey(upload.id));
          removed++;
        });
      }
      if (idle.length < batch) return removed;
    }
  }

  /**
   * Staged bytes with no session: a single-request upload cut off by a crash (older than
   * `idleSince`), or a session's bytes whose row went first (a session row is made before its
   * first byte and removed after its bytes are moved or deleted, so it is never still to come).
   */
  private async removeOrphanedStaging(idleSince: Date): Promise<number> {
    let removed = 0;
    for await (const key of this.objects.list(STAGING_PREFIX)) {
      const staged = parseStagingKey(key);
      if (!staged) continue;
      if ('singleRequestStartedAt' in staged) {
        if (staged.singleRequestStartedAt >= idleSince) continue;
      } else if (await this.metadata.getUpload(staged.uploadId)) continue;
      await this.objects.delete(key);
      removed++;
    }
    return removed;
  }

  private async discard(uploadId: string): Promise<void> {
    this.hashStates.delete(uploadId);
    await this.objects.delete(stagingKey(uploadId));
    await this.metadata.deleteUpload(uploadId);
  }
}

async function* noBytes(): AsyncGenerator<Uint8Array> {}

function digestMismatch(expected: Digest, actual: Digest, size: number): DomainError {
  return new DomainError('DIGEST_INVALID', `digest mismatch: the uploaded content (${size} bytes) has digest ${actual}, not ${expected}`, { digest: expected.toString(), actual: actual.toString() });
}
