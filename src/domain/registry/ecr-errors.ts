import { DomainError } from '../errors.js';

/**
 * Domain errors worded as Amazon ECR words them, for failures both wire surfaces report: ECR
 * clients and scripts match on these texts, and OCI clients print them. `awsType` in the detail
 * picks ECR's exception where one code covers several.
 */

export interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

export function repositoryNotFound(name: string, registryId: string): DomainError {
  return new DomainError('NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`, { name });
}

export function repositoryAlreadyExists(name: string, registryId: string): DomainError {
  return new DomainError('REPOSITORY_ALREADY_EXISTS', `The repository with name '${name}' already exists in the registry with id '${registryId}'`, { name });
}

export function repositoryNotEmpty(name: string, registryId: string): DomainError {
  return new DomainError(
    'REPOSITORY_NOT_EMPTY',
    `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    { name },
  );
}

/** ECR writes an absent half of the image id as 'null'. */
export function imageNotFound(imageId: ImageIdentifier, repositoryName: string, registryId: string): DomainError {
  return new DomainError(
    'MANIFEST_UNKNOWN',
    `The image with imageId {imageDigest:'${imageId.imageDigest ?? 'null'}', imageTag:'${imageId.imageTag ?? 'null'}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
    { ...imageId, awsType: 'ImageNotFoundException' },
  );
}

export function tagImmutable(tag: string, repositoryName: string): DomainError {
  return new DomainError(
    'TAG_IMMUTABLE',
    `The image tag '${tag}' already exists in the '${repositoryName}' repository and cannot be overwritten because the repository is immutable.`,
    { tag },
  );
}

/** A manifest names blobs (LayersNotFoundException) or child manifests (ReferencedImagesNotFoundException) the repository lacks. */
export function referencesNotFound(kind: 'blob' | 'manifest', digests: string[], repositoryName: string, registryId: string): DomainError {
  const what = kind === 'blob' ? 'Layers' : 'Images';
  return new DomainError(
    'MANIFEST_BLOB_UNKNOWN',
    `${what} with digests '[${digests.join(', ')}]' required for pushing image into repository with name '${repositoryName}' in the registry with id '${registryId}' do not exist`,
    { digest: digests[0], digests, awsType: kind === 'blob' ? 'LayersNotFoundException' : 'ReferencedImagesNotFoundException' },
  );
}

/** A pull of an archived image, or of one being restored from the archive (ACTIVATING). */
export function imageArchived(digest: string, repositoryName: string, restoring: boolean): DomainError {
  const how = restoring
    ? 'is being restored from the archive; pull it again once DescribeImages shows it ACTIVE'
    : "is archived; restore it with UpdateImageStorageClass (aws ecr update-image-storage-class --target-storage-class STANDARD) or push it again";
  return new DomainError('IMAGE_ARCHIVED', `The image with digest '${digest}' in the repository with name '${repositoryName}' ${how}`, { digest });
}
