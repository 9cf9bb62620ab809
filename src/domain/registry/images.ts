import { DomainError } from '../errors.js';
import { Digest } from '../model/digest.js';
import { DIGEST_CONSTRAINT, invalidParameter, parseDigestParameter } from '../model/invalid-parameter.js';
import { isTag, parseTag, type Reference } from '../model/reference.js';
import type { ImageStatus } from '../ports/archive-metadata.js';
import type { Clock } from '../ports/clock.js';
import type { ImageDetailRecord, ImageIdPage, ImageIdRecord, TagStatus } from '../ports/ecr-metadata.js';
import type { MetadataOps, MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';
import { type ImageIdentifier, imageNotFound } from './ecr-errors.js';
import type { ImageArchive } from './image-archive.js';
import type { Manifests } from './manifests.js';
import { decodeNextToken, type PagePosition, pageOf, pageSize } from './page-tokens.js';
import type { PullRecorder } from './pull-recorder.js';
import type { Repositories } from './repositories.js';

export type { ImageIdentifier } from './ecr-errors.js';

/** An image as a response names it: always by digest, and by the tag it was asked for. */
export interface ImageId {
  imageDigest: string;
  imageTag?: string;
}

export type ImageFailureCode = 'MissingDigestAndTag' | 'InvalidImageDigest' | 'InvalidImageTag' | 'ImageTagDoesNotMatchDigest' | 'ImageNotFound';

/** One image of a batch that could not be got or deleted, as ECR reports it. */
export interface ImageFailure {
  imageId: ImageIdentifier;
  failureCode: ImageFailureCode;
  failureReason: string;
}

/** BatchGetImage's and PutImage's image. */
export interface Image {
  imageId: ImageId;
  /** The manifest exactly as pushed. */
  imageManifest: string;
  imageManifestMediaType: string;
}

/** DescribeImages' image detail. */
export interface ImageDetail {
  imageDigest: string;
  imageTags: string[];
  /**
   * An image manifest: the sum of the sizes of the blobs it references (config and layers, as
   * pushed, so compressed). An index: the largest size among the manifests it lists, as ECR documents.
   */
  imageSizeInBytes: number;
  imagePushedAt: Date;
  lastRecordedPullTime?: Date;
  imageManifestMediaType: string;
  /** The manifest's artifactType, else its config's media type; none for an index without one. */
  artifactMediaType?: string;
  /** For a referrer (signature, SBOM, attestation): the manifest it refers to. */
  subjectManifestDigest?: string;
  imageStatus: ImageStatus;
  lastArchivedAt?: Date;
  lastActivatedAt?: Date;
}

export interface ImageListQuery {
  tagStatus?: TagStatus;
  /** ACTIVE, ARCHIVED, ACTIVATING or ANY; ACTIVE when absent, as ECR lists. */
  imageStatus?: string;
  maxResults?: number;
  nextToken?: string;
}

/** DescribeImages: the images named (ImageNotFoundException for one that is not there), or a page of them all. */
export interface ImageQuery extends ImageListQuery {
  imageIds?: ImageIdentifier[];
}

export interface NewImage {
  imageManifest: string;
  imageManifestMediaType?: string;
  imageTag?: string;
  /** When given, the manifest's digest must be this one. */
  imageDigest?: string;
}

export type TargetStorageClass = 'STANDARD' | 'ARCHIVE';

const FAILURE_REASONS: Record<ImageFailureCode, string> = {
  MissingDigestAndTag: 'Invalid request parameters: both tag and digest cannot be null',
  InvalidImageDigest: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
  InvalidImageTag: "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}'",
  ImageTagDoesNotMatchDigest: 'Invalid request parameters: the given tag does not point at the given digest',
  ImageNotFound: 'Requested image not found',
};

/** ECR's limit on the images one batch or DescribeImages call names. */
const MAX_IMAGE_IDS = 100;
const TAG_STATUSES: readonly TagStatus[] = ['TAGGED', 'UNTAGGED', 'ANY'];
const IMAGE_STATUS_FILTERS: readonly string[] = ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'];
/** Sorts after every tag (tags use [a-zA-Z0-9._-]): the position after all of one digest's rows. */
const AFTER_EVERY_TAG = '~';
/** Digests per metadata query when walking down indexes. */
const DESCRIBE_CHUNK = 500;

/** What an image id names: a digest, and the tag it was asked by. */
interface Target {
  digest: string;
  tag?: string;
}

/** ECR's image operations over the registry's manifests and tags, one method per operation. */
export class Images {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly repositories: Repositories,
    private readonly manifests: Manifests,
    private readonly pulls: PullRecorder,
    private readonly archive: ImageArchive,
    private readonly registryId: string,
  ) {}

  /** ListImages: one id per (image, tag), and one without a tag per untagged image, in digest then tag order. */
  async listImageIds(repositoryName: string, query: ImageListQuery = {}): Promise<{ imageIds: ImageId[]; nextToken?: string }> {
    const repository = await this.repositories.get(repositoryName);
    const tagStatus = parseTagStatus(query.tagStatus);
    const imageStatus = parseImageStatus(query.imageStatus);
    const size = pageSize(query.maxResults);
    const after = query.nextToken === undefined ? undefined : imageIdPosition(decodeNextToken(query.nextToken, 2));
    const rows = await this.metadata.listImageIds(repository.id, { tagStatus, imageStatus, ...(after && { after }), limit: size + 1 });
    const page = pageOf(rows, size, (row) => [row.digest, row.tag]);
    return {
      imageIds: page.items.map((row) => ({ imageDigest: row.digest, ...(row.tag !== null && { imageTag: row.tag }) })),
      ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
    };
  }

  /**
   * DescribeImages. With imageIds, each must name an image (else ImageNotFoundException), whatever its
   * status; without, a page by digest of the images with the tag and image status asked.
   */
  /** Also says which repository it described, for callers that add to the details. */
  async describeImages(repositoryName: string, query: ImageQuery = {}): Promise<{ repository: RepositoryRecord; imageDetails: ImageDetail[]; nextToken?: string }> {
    const repository = await this.repositories.get(repositoryName);
    if (query.imageIds !== undefined) {
      if (query.maxResults !== undefined || query.nextToken !== undefined) {
        throw invalidParameter(query.maxResults !== undefined ? 'maxResults' : 'nextToken', 'cannot be used with imageIds');
      }
      return { repository, imageDetails: await this.describeNamed(repository, query.imageIds) };
    }
    const tagStatus = parseTagStatus(query.tagStatus);
    const imageStatus = parseImageStatus(query.imageStatus);
    const size = pageSize(query.maxResults);
    const after = query.nextToken === undefined ? undefined : digestPosition(decodeNextToken(query.nextToken, 1));
    const digests = await this.digestsAfter(repository.id, { tagStatus, imageStatus }, after, size + 1);
    const page = pageOf(digests, size, (digest) => [digest]);
    const records = await this.metadata.describeImages(repository.id, page.items);
    return { repository, imageDetails: await this.detailsOf(repository.id, records), ...(page.nextToken !== undefined && { nextToken: page.nextToken }) };
  }

  /**
   * BatchGetImage: the manifests as pushed, and a failure for each id that names none. With
   * acceptedMediaTypes, a manifest of another media type fails as ImageNotFound (Berth converts no
   * manifests). An archived image fails as ImageNotFound too (ECR answers its pulls with 404), with
   * a reason that says so. Each image returned counts as a pull.
   */
  /** `pullerArn`: the IAM user or role pulling, whose pulls may be excluded from pull-time recording. */
  async batchGetImage(repositoryName: string, imageIds: ImageIdentifier[], acceptedMediaTypes?: string[], pullerArn?: string): Promise<{ images: Image[]; failures: ImageFailure[] }> {
    const repository = await this.repositories.get(repositoryName);
    const images: Image[] = [];
    const failures: ImageFailure[] = [];
    const accepted = acceptedMediaTypes?.length ? new Set(acceptedMediaTypes) : undefined;
    for (const imageId of uniqueIds(checkBatchSize(imageIds))) {
      const target = await targetOf(this.metadata, repository, imageId);
      if (isFailure(target)) {
        failures.push(target);
        continue;
      }
      const manifest = await this.metadata.getManifest(repository.id, target.digest);
      if (!manifest) {
        failures.push(failure(imageId, 'ImageNotFound'));
      } else if (manifest.imageStatus !== 'ACTIVE') {
        failures.push({
          imageId,
          failureCode: 'ImageNotFound',
          failureReason: `Requested image is ${manifest.imageStatus === 'ARCHIVED' ? 'archived; restore it with UpdateImageStorageClass to pull it' : 'being restored from the archive'}`,
        });
      } else if (accepted && !accepted.has(manifest.mediaType)) {
        failures.push({
          imageId,
          failureCode: 'ImageNotFound',
          failureReason: `Requested image not found in any of the accepted media types; it is ${manifest.mediaType}`,
        });
      } else {
        images.push({ imageId: idOf(target), imageManifest: new TextDecoder().decode(manifest.payload), imageManifestMediaType: manifest.mediaType });
        this.pulls.record(repository.id, manifest.digest, pullerArn);
      }
    }
    return { images, failures };
  }

  /**
   * BatchDeleteImage. By tag: the tag goes, and the image with it when that was its last tag. By
   * digest (with a tag, it must point there): the image and all its tags go, reported one id per tag.
   * Each image is deleted in its own transaction, so one failure leaves the others deleted.
   */
  async batchDeleteImage(
    repositoryName: string,
    imageIds: ImageIdentifier[],
    /** Runs in the transaction that deletes an image named by digest, after the delete: its record of it commits with it. */
    withDeletion?: (tx: MetadataOps, digest: string) => Promise<void>,
  ): Promise<{ imageIds: ImageId[]; failures: ImageFailure[] }> {
    const repository = await this.repositories.get(repositoryName);
    const deleted: ImageId[] = [];
    const failures: ImageFailure[] = [];
    for (const imageId of uniqueIds(checkBatchSize(imageIds))) {
      const outcome = await this.metadata.transaction(async (tx): Promise<ImageId[] | ImageFailure> => {
        const target = await targetOf(tx, repository, imageId);
        if (isFailure(target)) return target;
        if (imageId.imageDigest === undefined && target.tag !== undefined) {
          await tx.deleteTag(repository.id, target.tag);
          if ((await tx.tagsOf(repository.id, target.digest)).length === 0) await tx.deleteManifest(repository.id, target.digest, this.clock.now());
          return [{ imageDigest: target.digest, imageTag: target.tag }];
        }
        const tags = await tx.tagsOf(repository.id, target.digest);
        if (!(await tx.deleteManifest(repository.id, target.digest, this.clock.now()))) return failure(imageId, 'ImageNotFound');
        await withDeletion?.(tx, target.digest);
        return tags.length > 0 ? tags.map((imageTag) => ({ imageDigest: target.digest, imageTag })) : [{ imageDigest: target.digest }];
      });
      if (isFailure(outcome)) failures.push(outcome);
      else deleted.push(...outcome);
    }
    return { imageIds: deleted, failures };
  }

  /**
   * PutImage: stores the manifest as the OCI push path does (same validation, tag mutability and
   * references check). IMAGE_ALREADY_EXISTS when the tag already points at this very manifest;
   * without a tag, putting an existing manifest again changes nothing and succeeds.
   */
  async putImage(repositoryName: string, image: NewImage): Promise<Image> {
    const repository = await this.repositories.get(repositoryName);
    const payload = new TextEncoder().encode(image.imageManifest);
    const tag = image.imageTag === undefined ? undefined : parseTag(image.imageTag);
    const digest = image.imageDigest === undefined ? Digest.of(payload) : verifiedDigest(payload, parseDigestParameter('imageDigest', image.imageDigest));
    const reference: Reference = tag === undefined ? { kind: 'digest', digest } : { kind: 'tag', tag };
    const pushed = await this.manifests.put(repository, reference, image.imageManifestMediaType, payload);
    if (tag !== undefined && pushed.previousTagTarget === pushed.digest.toString()) {
      throw new DomainError(
        'IMAGE_ALREADY_EXISTS',
        `Image with digest '${pushed.digest}' and tag '${tag}' already exists in the repository with name '${repository.name}' in registry with id '${this.registryId}'`,
        { digest: pushed.digest.toString(), tag },
      );
    }
    return {
      imageId: { imageDigest: pushed.digest.toString(), ...(tag !== undefined && { imageTag: tag }) },
      imageManifest: image.imageManifest,
      imageManifestMediaType: pushed.mediaType,
    };
  }

  /**
   * UpdateImageStorageClass. ARCHIVE archives the image (not one that an unarchived index lists, nor
   * one being restored); STANDARD restores it, with the images it lists, before it answers, so the
   * status it reports is ACTIVE. Asking for the class an image is in already finishes a move a crash
   * interrupted, and changes nothing otherwise.
   */
  async updateImageStorageClass(repositoryName: string, imageId: ImageIdentifier, targetStorageClass: TargetStorageClass): Promise<{ imageId: ImageId; imageStatus: ImageStatus }> {
    const repository = await this.repositories.get(repositoryName);
    const [image] = await this.describeNamed(repository, [imageId]);
    const digest = image!.imageDigest;
    const id = { imageDigest: digest, ...(imageId.imageTag !== undefined && { imageTag: imageId.imageTag }) };
    if (targetStorageClass === 'STANDARD') {
      await this.archive.activate(repository, digest);
      return { imageId: id, imageStatus: 'ACTIVE' };
    }
    if (image!.imageStatus === 'ACTIVATING') throw storageClassUpdateNotSupported(`The image with digest '${digest}' is being restored from the archive`);
    const indexes = await this.metadata.unarchivedIndexesListing(repository.id, digest);
    if (indexes.length > 0) {
      throw storageClassUpdateNotSupported(`The image with digest '${digest}' is listed by the image index '${indexes[0]}', which is not archived: archive the index instead`);
    }
    await this.archive.archive(repository, [digest]);
    return { imageId: id, imageStatus: 'ARCHIVED' };
  }

  private async describeNamed(repository: RepositoryRecord, imageIds: ImageIdentifier[]): Promise<ImageDetail[]> {
    const wanted = new Map<string, ImageIdentifier>();
    for (const imageId of uniqueIds(checkBatchSize(imageIds))) {
      const target = await targetOf(this.metadata, repository, imageId);
      if (isFailure(target)) throw this.describeFailure(target, repository);
      if (!wanted.has(target.digest)) wanted.set(target.digest, imageId);
    }
    const records = new Map((await this.metadata.describeImages(repository.id, [...wanted.keys()])).map((r) => [r.digest, r]));
    const ordered = [...wanted].map(([digest, imageId]) => {
      const record = records.get(digest);
      if (!record) throw imageNotFound(imageId, repository.name, this.registryId);
      return record;
    });
    return this.detailsOf(repository.id, ordered);
  }

  private describeFailure(failed: ImageFailure, repository: RepositoryRecord): DomainError {
    switch (failed.failureCode) {
      case 'MissingDigestAndTag':
        return invalidParameter('imageIds', 'an image id needs an imageDigest or an imageTag');
      case 'InvalidImageDigest':
        return invalidParameter('imageIds.imageDigest', DIGEST_CONSTRAINT);
      case 'InvalidImageTag':
        return invalidParameter('imageIds.imageTag', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}');
      case 'ImageTagDoesNotMatchDigest':
      case 'ImageNotFound':
        return imageNotFound(failed.imageId, repository.name, this.registryId);
    }
  }

  /** Up to `count` distinct digests of images with the tag and image status, after `afterDigest`, in digest order. */
  private async digestsAfter(repositoryId: number, statuses: Pick<ImageIdPage, 'tagStatus' | 'imageStatus'>, afterDigest: string | undefined, count: number): Promise<string[]> {
    const digests: string[] = [];
    let after: ImageIdRecord | undefined = afterDigest === undefined ? undefined : { digest: afterDigest, tag: AFTER_EVERY_TAG };
    for (;;) {
      const rows = await this.metadata.listImageIds(repositoryId, { ...statuses, ...(after && { after }), limit: count });
      for (const row of rows) if (digests[digests.length - 1] !== row.digest) digests.push(row.digest);
      if (rows.length < count || digests.length >= count) return digests.slice(0, count);
      after = rows[rows.length - 1];
    }
  }

  private async detailsOf(repositoryId: number, records: ImageDetailRecord[]): Promise<ImageDetail[]> {
    const sizeOf = await this.imageSizes(repositoryId, records);
    return records.map((record) => ({
      imageDigest: record.digest,
      imageTags: record.tags,
      imageSizeInBytes: sizeOf(record.digest),
      imagePushedAt: record.pushedAt,
      ...(record.lastPulledAt !== null && { lastRecordedPullTime: record.lastPulledAt }),
      imageManifestMediaType: record.mediaType,
      ...(record.artifactType !== null && { artifactMediaType: record.artifactType }),
      ...(record.subjectDigest !== null && { subjectManifestDigest: record.subjectDigest }),
      imageStatus: record.imageStatus,
      ...(record.lastArchivedAt !== null && { lastArchivedAt: record.lastArchivedAt }),
      ...(record.lastActivatedAt !== null && { lastActivatedAt: record.lastActivatedAt }),
    }));
  }

  /** Sizes of the images and of everything their indexes list, fetched a level of indexes at a time. */
  private async imageSizes(repositoryId: number, records: ImageDetailRecord[]): Promise<(digest: string) => number> {
    const known = new Map(records.map((r) => [r.digest, r]));
    let unfetched = childrenOf(records).filter((d) => !known.has(d));
    while (unfetched.length > 0) {
      const fetched: ImageDetailRecord[] = [];
      for (let i = 0; i < unfetched.length; i += DESCRIBE_CHUNK) {
        fetched.push(...(await this.metadata.describeImages(repositoryId, unfetched.slice(i, i + DESCRIBE_CHUNK))));
      }
      for (const record of fetched) known.set(record.digest, record);
      unfetched = childrenOf(fetched).filter((d) => !known.has(d));
    }
    const sizes = new Map<string, number>();
    // Content addressing rules out cycles: no manifest can list itself, directly or not.
    const sizeOf = (digest: string): number => {
      const cached = sizes.get(digest);
      if (cached !== undefined) return cached;
      const record = known.get(digest);
      const size = !record ? 0 : record.childDigests.length === 0 ? record.blobBytes : record.childDigests.reduce((max, child) => Math.max(max, sizeOf(child)), 0);
      sizes.set(digest, size);
      return size;
    };
    return sizeOf;
  }
}

/** Which digest an image id names, without checking that a digest-only id names a manifest; or why it names none. */
async function targetOf(ops: MetadataOps, repository: RepositoryRecord, imageId: ImageIdentifier): Promise<Target | ImageFailure> {
  const { imageDigest, imageTag } = imageId;
  if (imageDigest === undefined && imageTag === undefined) return failure(imageId, 'MissingDigestAndTag');
  if (imageDigest !== undefined && !Digest.isValid(imageDigest)) return failure(imageId, 'InvalidImageDigest');
  if (imageTag === undefined) return { digest: imageDigest! };
  if (!isTag(imageTag)) return failure(imageId, 'InvalidImageTag');
  const tagged = await ops.getTag(repository.id, imageTag);
  if (tagged === undefined) return failure(imageId, 'ImageNotFound');
  if (imageDigest !== undefined && tagged !== imageDigest) return failure(imageId, 'ImageTagDoesNotMatchDigest');
  return { digest: tagged, tag: imageTag };
}

function failure(imageId: ImageIdentifier, failureCode: ImageFailureCode): ImageFailure {
  return { imageId, failureCode, failureReason: FAILURE_REASONS[failureCode] };
}

function isFailure(value: object): value is ImageFailure {
  return 'failureCode' in value;
}

function idOf(target: Target): ImageId {
  return { imageDigest: target.digest, ...(target.tag !== undefined && { imageTag: target.tag }) };
}

/** The ids asked for, each once, in the order first asked. */
function uniqueIds(imageIds: ImageIdentifier[]): ImageIdentifier[] {
  const seen = new Set<string>();
  return imageIds.filter(({ imageDigest, imageTag }) => {
    const key = JSON.stringify([imageDigest ?? null, imageTag ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkBatchSize(imageIds: ImageIdentifier[]): ImageIdentifier[] {
  if (imageIds.length === 0 || imageIds.length > MAX_IMAGE_IDS) throw invalidParameter('imageIds', `Member must have length between 1 and ${MAX_IMAGE_IDS}`);
  return imageIds;
}

function childrenOf(records: ImageDetailRecord[]): string[] {
  return [...new Set(records.flatMap((r) => r.childDigests))];
}

function parseTagStatus(value: string | undefined): TagStatus {
  if (value === undefined) return 'ANY';
  if (!(TAG_STATUSES as readonly string[]).includes(value)) throw invalidParameter('filter.tagStatus', `Member must satisfy enum value set: [${TAG_STATUSES.join(', ')}]`);
  return value as TagStatus;
}

/** An ECR status filter (ACTIVE, ARCHIVED, ACTIVATING, ANY): ECR lists only ACTIVE images unless asked for others; undefined means every status. */
export function parseImageStatus(value: string | undefined, field = 'filter.imageStatus'): ImageStatus | undefined {
  if (value === undefined) return 'ACTIVE';
  if (!IMAGE_STATUS_FILTERS.includes(value)) throw invalidParameter(field, `Member must satisfy enum value set: [${IMAGE_STATUS_FILTERS.join(', ')}]`);
  return value === 'ANY' ? undefined : (value as ImageStatus);
}

function storageClassUpdateNotSupported(message: string): DomainError {
  return new DomainError('UNSUPPORTED', message, { awsType: 'ImageStorageClassUpdateNotSupportedException' });
}

function verifiedDigest(payload: Uint8Array, expected: Digest): Digest {
  const actual = Digest.of(payload, expected.algorithm);
  if (!actual.equals(expected)) {
    throw new DomainError('DIGEST_INVALID', `The specified image digest '${expected}' does not match the digest '${actual}' calculated for the image manifest`, {
      digest: expected.toString(),
      actual: actual.toString(),
      awsType: 'ImageDigestDoesNotMatchException',
    });
  }
  return expected;
}

function imageIdPosition(position: PagePosition): ImageIdRecord {
  const [digest, tag] = position;
  if (typeof digest !== 'string') throw invalidParameter('nextToken', 'Invalid token');
  return { digest, tag: tag ?? null };
}

function digestPosition(position: PagePosition): string {
  const [digest] = position;
  if (typeof digest !== 'string') throw invalidParameter('nextToken', 'Invalid token');
  return digest;
}
