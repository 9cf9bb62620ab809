import { hashStream } from '../content/hashing.js';
import { archivedBlobKey, blobKey } from '../content/layout.js';
import { Digest } from '../model/digest.js';
import type { Clock } from '../ports/clock.js';
import type { BlobRecord, MetadataStore } from '../ports/metadata-store.js';
import { ObjectNotFoundError, type ObjectStore } from '../ports/object-store.js';

export type StoreProblemKind =
  /** A blob record whose bytes are not in the object store. */
  | 'missing-bytes'
  /** Bytes whose size or digest is not the record's. */
  | 'corrupt-bytes'
  /** Bytes under blobs/ that no record accounts for. */
  | 'orphan-bytes'
  /** A manifest's layer or config that its repository does not link (or the registry has no record of). */
  | 'missing-blob'
  /** An index entry whose manifest is not in the repository. */
  | 'missing-manifest';

export interface StoreProblem {
  kind: StoreProblemKind;
  digest: string;
  /** The manifest that references it, for missing-blob and missing-manifest. */
  repositoryName?: string;
  manifestDigest?: string;
  detail: string;
  /** What --repair did about it, when it did something. */
  repaired?: string;
}

export interface StoreCheckReport {
  blobsChecked: number;
  bytesVerified: number;
  problems: StoreProblem[];
}

export interface StoreCheckOptions {
  /** Hash every blob's bytes (not only check they are there with the right size). */
  verifyDigests?: boolean;
  /** Repair what can be repaired from the metadata side; see each kind. */
  repair?: boolean;
  /** Called after each blob, for a progress display. */
  onBlob?: (checked: number) => void;
}

const PAGE = 1000;
const CONCURRENCY = 4;
const MAX_DANGLING = 100_000;
const BLOB_KEY = /^blobs\/(sha256|sha512)\/[0-9a-f]{2}\/([0-9a-f]+)$/;

/**
 * `berth fsck`: whether every recorded blob's bytes are there and hash to their digest, whether
 * every byte in the store is recorded, and whether every manifest's references resolve in its
 * repository. Runs beside a serving registry. Repairs only ever touch metadata or bytes nothing can
 * read, and leave deleting to garbage collection:
 * - missing or corrupt bytes: corrupt bytes are deleted and the blob unlinked everywhere, so the
 *   next push of the layer uploads it again (a client skips what the registry says it has) and
 *   the images that use it become whole again;
 * - orphan bytes: recorded, so garbage collection deletes them after its grace period;
 * - missing blob: linked again when the registry has the bytes.
 */
export class StoreCheck {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    /** Where archived blobs' bytes are (config archivePrefix). */
    private readonly archivePrefix: string,
  ) {}

  async check(options: StoreCheckOptions = {}): Promise<StoreCheckReport> {
    const report: StoreCheckReport = { blobsChecked: 0, bytesVerified: 0, problems: [] };
    await this.checkBlobs(report, options);
    await this.checkOrphans(report, options);
    await this.checkReferences(report, options);
    return report;
  }

  private async checkBlobs(report: StoreCheckReport, options: StoreCheckOptions): Promise<void> {
    for (let page = await this.metadata.listBlobRecords({ limit: PAGE }); page.length > 0; page = await this.metadata.listBlobRecords({ after: page.at(-1)?.digest, limit: PAGE })) {
      const archived = new Set(await this.metadata.archivedBlobsAmong(page.map((blob) => blob.digest)));
      for (let i = 0; i < page.length; i += CONCURRENCY) {
        await Promise.all(page.slice(i, i + CONCURRENCY).map((blob) => this.checkBlob(blob, archived.has(blob.digest), report, options)));
      }
    }
  }

  private async checkBlob(blob: BlobRecord, archived: boolean, report: StoreCheckReport, options: StoreCheckOptions): Promise<void> {
    const digest = Digest.parse(blob.digest);
    const key = archived ? archivedBlobKey(digest, this.archivePrefix) : blobKey(digest);
    const problem = await this.inspect(blob, digest, key, report, options.verifyDigests ?? true);
    report.blobsChecked++;
    options.onBlob?.(report.blobsChecked);
    if (!problem) return;
    // Recheck as things are now: garbage collection may have deleted the blob meanwhile, and a
    // push records a blob just before its bytes arrive.
    if (!(await this.metadata.getBlob(blob.digest))) return;
    if (problem.kind === 'missing-bytes' && (await this.objects.stat(key))) return;
    const repositories = await this.metadata.repositoriesLinking(blob.digest);
    // Only links make a blob readable. Unlinked, missing bytes are garbage on its way out: a pass
    // killed between deleting the bytes and dropping the record leaves it so until its claim expires.
    if (problem.kind === 'missing-bytes' && repositories.length === 0) return;
    if (options.repair) {
      if (problem.kind === 'corrupt-bytes') await this.objects.delete(key);
      for (const repositoryId of repositories) await this.metadata.unlinkBlob(repositoryId, blob.digest, this.clock.now());
      problem.repaired = `${problem.kind === 'corrupt-bytes' ? 'deleted the bytes and ' : ''}unlinked it from ${repositories.length} repositories; the next push of this layer restores it`;
    }
    report.problems.push(problem);
  }

  private async inspect(blob: BlobRecord, digest: Digest, key: string, report: StoreCheckReport, verify: boolean): Promise<StoreProblem | undefined> {
    const info = await this.objects.stat(key);
    if (!info) return { kind: 'missing-bytes', digest: blob.digest, detail: `recorded with ${blob.size} bytes, but the store has none` };
    if (info.size !== blob.size) return { kind: 'corrupt-bytes', digest: blob.digest, detail: `recorded with ${blob.size} bytes, but the store has ${info.size}` };
    if (!verify) return undefined;
    let actual: Digest;
    try {
      actual = Digest.fromHash(digest.algorithm, await hashStream(await this.objects.read(key), digest.algorithm));
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return { kind: 'missing-bytes', digest: blob.digest, detail: 'the bytes went while they were being read' };
      throw err;
    }
    report.bytesVerified += info.size;
    return actual.equals(digest) ? undefined : { kind: 'corrupt-bytes', digest: blob.digest, detail: `the bytes hash to ${actual}` };
  }

  /** Bytes under blobs/ (and the archive's copy of it) that no record accounts for. */
  private async checkOrphans(report: StoreCheckReport, options: StoreCheckOptions): Promise<void> {
    for (const prefix of ['', this.archivePrefix]) await this.checkOrphansUnder(prefix, report, options);
  }

  private async checkOrphansUnder(prefix: string, report: StoreCheckReport, options: StoreCheckOptions): Promise<void> {
    for await (const key of this.objects.list(`${prefix}blobs`)) {
      const match = BLOB_KEY.exec(key.slice(prefix.length));
      if (!match) {
        report.problems.push({ kind: 'orphan-bytes', digest: key, detail: 'an object under blobs/ that is not named by a digest' });
        continue;
      }
      const digest = `${match[1]}:${match[2]}`;
      if (await this.metadata.getBlob(digest)) continue;
      // A push records a blob before its bytes arrive, so only bytes still here and still unrecorded are orphans.
      const info = await this.objects.stat(key);
      if (!info || (await this.metadata.getBlob(digest))) continue;
      const problem: StoreProblem = { kind: 'orphan-bytes', digest, detail: `${info.size} bytes that no blob record accounts for` };
      if (options.repair) {
        await this.metadata.putBlob({ digest, size: info.size }, this.clock.now());
        problem.repaired = 'recorded; garbage collection deletes them after its grace period unless a push links them';
      }
      report.problems.push(problem);
    }
  }

  private async checkReferences(report: StoreCheckReport, options: StoreCheckOptions): Promise<void> {
    for (const dangling of await this.metadata.listDanglingReferences(MAX_DANGLING)) {
      const where = { repositoryName: dangling.repositoryName, manifestDigest: dangling.manifestDigest };
      if (dangling.kind === 'manifest') {
        report.problems.push({ kind: 'missing-manifest', digest: dangling.referencedDigest, ...where, detail: 'an index entry whose manifest is not in the repository' });
        continue;
      }
      const problem: StoreProblem = {
        kind: 'missing-blob',
        digest: dangling.referencedDigest,
        ...where,
        detail: dangling.blobRecorded ? 'a blob the registry has but this repository does not link' : 'a blob the registry has no record of',
      };
      const bytes = dangling.blobRecorded && (await this.objects.stat(blobKey(Digest.parse(dangling.referencedDigest))));
      if (options.repair && bytes) {
        await this.metadata.linkBlob(dangling.repositoryId, dangling.referencedDigest, this.clock.now());
        problem.repaired = 'linked again';
      }
      report.problems.push(problem);
    }
  }
}
