import type { BlobStore } from '../content/blob-store.js';
import { DomainError, isDomainError } from '../errors.js';
import { Digest } from '../model/digest.js';
import { invalidParameter, parseDigestParameter } from '../model/invalid-parameter.js';
import type { BlobRecord, MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';
import type { Repositories } from './repositories.js';

/** The part size InitiateLayerUpload asks clients for, as ECR answers it (10 MiB). */
export const LAYER_PART_SIZE = 10 * 1024 * 1024;

export interface LayerPart {
  uploadId: string;
  /** Inclusive byte positions of the part within the layer. */
  partFirstByte: number;
  partLastByte: number;
  layerPartBlob: Uint8Array;
}

export interface AvailableLayer {
  layerDigest: string;
  /** ARCHIVED: only archived images use it, and its bytes are in the archive. */
  layerAvailability: 'AVAILABLE' | 'ARCHIVED';
  layerSize: number;
}

export type LayerFailureCode = 'InvalidLayerDigest' | 'MissingLayerDigest';

export interface LayerFailure {
  layerDigest: string;
  failureCode: LayerFailureCode;
  failureReason: string;
}

const LAYER_FAILURE_REASONS: Record<LayerFailureCode, string> = {
  InvalidLayerDigest: "Invalid request parameters: layer digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
  MissingLayerDigest: 'Requested layer not found',
};

/** ECR's limit on the digests one BatchCheckLayerAvailability names. */
const MAX_LAYER_DIGESTS = 100;

/**
 * ECR's layer operations, over the blob store's upload sessions: parts are appended where the
 * previous one ended, and completing verifies the digest and commits the layer as any upload does.
 */
export class Layers {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly blobs: BlobStore,
    private readonly repositories: Repositories,
    private readonly registryId: string,
  ) {}

  /** InitiateLayerUpload. */
  async initiateLayerUpload(repositoryName: string): Promise<{ uploadId: string; partSize: number }> {
    const repository = await this.repositories.get(repositoryName);
    const upload = await this.blobs.startUpload(repository.id);
    return { uploadId: upload.id, partSize: LAYER_PART_SIZE };
  }

  /**
   * UploadLayerPart: the part must start right after the last byte received and be exactly as long
   * as its byte range says, else LAYER_PART_INVALID with lastValidByteReceived.
   */
  async uploadLayerPart(repositoryName: string, part: LayerPart): Promise<{ uploadId: string; lastByteReceived: number }> {
    const repository = await this.repositories.get(repositoryName);
    const { uploadId, partFirstByte, partLastByte, layerPartBlob } = part;
    const length = layerPartBlob.byteLength;
    if (length === 0 || !Number.isSafeInteger(partFirstByte) || !Number.isSafeInteger(partLastByte) || partLastByte - partFirstByte + 1 !== length) {
      const status = await this.session(repository, uploadId, () => this.blobs.uploadStatus(repository.id, uploadId));
      throw this.partInvalid(repository, uploadId, status.offset, `The layer part's byte range ${partFirstByte}-${partLastByte} does not match the ${length} bytes sent`);
    }
    try {
      // The blob store appends only at the offset given, so a part out of order writes nothing.
      const appended = await this.session(repository, uploadId, () => this.blobs.append(repository.id, uploadId, once(layerPartBlob), partFirstByte));
      return { uploadId, lastByteReceived: appended.offset - 1 };
    } catch (err) {
      if (!isDomainError(err, 'RANGE_INVALID')) throw err;
      const received = Number(err.detail?.offset);
      throw this.partInvalid(
        repository,
        uploadId,
        received,
        `The layer part starts at byte ${partFirstByte}, but the upload has ${received} bytes: the next part must start at byte ${received}`,
      );
    }
  }

  /**
   * CompleteLayerUpload: UPLOAD_EMPTY without parts; LAYER_ALREADY_EXISTS (the upload discarded)
   * when the repository has the layer already; DIGEST_INVALID (InvalidLayerException) when the
   * bytes do not have the digest.
   */
  async completeLayerUpload(repositoryName: string, uploadId: string, layerDigests: string[]): Promise<{ uploadId: string; layerDigest: string }> {
    const repository = await this.repositories.get(repositoryName);
    if (layerDigests.length !== 1) throw invalidParameter('layerDigests', 'Member must contain exactly one layer digest');
    const digest = parseDigestParameter('layerDigests', layerDigests[0]!);
    const status = await this.session(repository, uploadId, () => this.blobs.uploadStatus(repository.id, uploadId));
    if (status.offset === 0) {
      throw new DomainError('UPLOAD_EMPTY', `The layer upload '${uploadId}' does not contain any layer parts.`, { uploadId });
    }
    // An archived layer is uploaded again: its fresh bytes go where reads look.
    const linked = await this.metadata.getLinkedBlobStorage(repository.id, digest.toString());
    if (linked && (await this.blobs.isReadable(linked))) {
      await this.session(repository, uploadId, () => this.blobs.cancelUpload(repository.id, uploadId));
      throw new DomainError(
        'LAYER_ALREADY_EXISTS',
        `Layer with digest '${digest}' already exists in the repository with name '${repository.name}' in registry with id '${this.registryId}'`,
        { digest: digest.toString() },
      );
    }
    try {
      const blob = await this.session(repository, uploadId, () => this.blobs.completeUpload(repository.id, uploadId, digest));
      return { uploadId, layerDigest: blob.digest };
    } catch (err) {
      if (!isDomainError(err, 'DIGEST_INVALID')) throw err;
      throw new DomainError(
        'DIGEST_INVALID',
        `The calculated digest '${String(err.detail?.actual)}' of the uploaded layer does not match the specified layer digest '${digest}'`,
        { ...err.detail, awsType: 'InvalidLayerException' },
      );
    }
  }

  /** BatchCheckLayerAvailability: a layer is available when it is in the repository, ARCHIVED when its bytes are archived. */
  async batchCheckLayerAvailability(repositoryName: string, layerDigests: string[]): Promise<{ layers: AvailableLayer[]; failures: LayerFailure[] }> {
    const repository = await this.repositories.get(repositoryName);
    if (layerDigests.length === 0 || layerDigests.length > MAX_LAYER_DIGESTS) {
      throw invalidParameter('layerDigests', `Member must have length between 1 and ${MAX_LAYER_DIGESTS}`);
    }
    const layers: AvailableLayer[] = [];
    const failures: LayerFailure[] = [];
    const fail = (layerDigest: string, failureCode: LayerFailureCode) => failures.push({ layerDigest, failureCode, failureReason: LAYER_FAILURE_REASONS[failureCode] });
    for (const layerDigest of new Set(layerDigests)) {
      if (!Digest.isValid(layerDigest)) {
        fail(layerDigest, 'InvalidLayerDigest');
        continue;
      }
      const blob = await this.metadata.getLinkedBlobStorage(repository.id, layerDigest);
      if (blob) layers.push({ layerDigest, layerAvailability: (await this.blobs.isReadable(blob)) ? 'AVAILABLE' : 'ARCHIVED', layerSize: blob.size });
      else fail(layerDigest, 'MissingLayerDigest');
    }
    return { layers, failures };
  }

  /** GetDownloadUrlForLayer's check: the layer must be in the repository and not archived (IMAGE_ARCHIVED); the caller signs the URL. */
  async layerForDownload(repositoryName: string, layerDigest: string): Promise<BlobRecord> {
    const repository = await this.repositories.get(repositoryName);
    const digest = parseDigestParameter('layerDigest', layerDigest);
    try {
      return await this.blobs.stat(repository.id, digest);
    } catch (err) {
      if (!isDomainError(err, 'BLOB_UNKNOWN')) throw err;
      throw new DomainError(
        'BLOB_UNKNOWN',
        `The specified layer '${digest}' does not exist in the repository with name '${repository.name}' in the registry with id '${this.registryId}'`,
        { digest: digest.toString(), awsType: 'LayersNotFoundException' },
      );
    }
  }

  /** Runs an operation on an upload session, wording an unknown session as ECR's UploadNotFoundException. */
  private async session<T>(repository: RepositoryRecord, uploadId: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (!isDomainError(err, 'BLOB_UPLOAD_UNKNOWN')) throw err;
      throw new DomainError(
        'BLOB_UPLOAD_UNKNOWN',
        `The upload with id '${uploadId}' does not exist in the repository with name '${repository.name}' in the registry with id '${this.registryId}' (it may have completed or expired)`,
        { uploadId },
      );
    }
  }

  /** ECR's InvalidLayerPartException carries where the upload stands; before any part that is byte 0 (the model's minimum). */
  private partInvalid(repository: RepositoryRecord, uploadId: string, received: number, message: string): DomainError {
    return new DomainError('LAYER_PART_INVALID', message, {
      registryId: this.registryId,
      repositoryName: repository.name,
      uploadId,
      lastValidByteReceived: Math.max(0, received - 1),
    });
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
