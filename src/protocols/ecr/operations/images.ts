import { parseDigestParameter } from '../../../domain/model/invalid-parameter.js';
import { decodeNextToken, pageOf, pageSize } from '../../../domain/registry/page-tokens.js';
import type { ImageReferrer } from '../model/ecr-model.generated.js';
import type { EcrDeps, EcrHandlers } from './index.js';

/**
 * Berth never archives images (ECR's archive storage class), so every image and referrer is ACTIVE:
 * a status filter takes them all or none.
 */
const STATUS_OF_EVERY_IMAGE = 'ACTIVE';

function coversActive(statusFilter: string | undefined): boolean {
  return statusFilter === undefined || statusFilter === 'ANY' || statusFilter === STATUS_OF_EVERY_IMAGE;
}

/** Image operations: listing, describing, getting, deleting and putting manifests, and an image's referrers. */
export function imageHandlers(deps: EcrDeps): EcrHandlers {
  const registry = () => deps.registry;
  const registryId = () => deps.scope.account;
  return {
    ListImages: async ({ repositoryName, filter, maxResults, nextToken }) => {
      if (!coversActive(filter?.imageStatus)) {
        await registry().repositories.get(repositoryName);
        return { imageIds: [] };
      }
      return registry().images.listImageIds(repositoryName, { tagStatus: filter?.tagStatus, maxResults, nextToken });
    },
    DescribeImages: async ({ repositoryName, imageIds, filter, maxResults, nextToken }) => {
      if (imageIds === undefined && !coversActive(filter?.imageStatus)) {
        await registry().repositories.get(repositoryName);
        return { imageDetails: [] };
      }
      const described = await registry().images.describeImages(repositoryName, { imageIds, tagStatus: filter?.tagStatus, maxResults, nextToken });
      return {
        imageDetails: described.imageDetails.map((detail) => ({ registryId: registryId(), repositoryName, ...detail, imageStatus: STATUS_OF_EVERY_IMAGE })),
        nextToken: described.nextToken,
      };
    },
    BatchGetImage: async ({ repositoryName, imageIds, acceptedMediaTypes }, call) => {
      const got = await registry().images.batchGetImage(repositoryName, imageIds, acceptedMediaTypes, call.caller.policySubjectArn);
      return { images: got.images.map((image) => ({ registryId: registryId(), repositoryName, ...image })), failures: got.failures };
    },
    BatchDeleteImage: async ({ repositoryName, imageIds }) => registry().images.batchDeleteImage(repositoryName, imageIds),
    PutImage: async ({ repositoryName, imageManifest, imageManifestMediaType, imageTag, imageDigest }) => {
      const image = await registry().images.putImage(repositoryName, { imageManifest, imageManifestMediaType, imageTag, imageDigest });
      return { image: { registryId: registryId(), repositoryName, ...image } };
    },
    ListImageReferrers: async ({ repositoryName, subjectId, filter, maxResults, nextToken }) => {
      const repository = await registry().repositories.get(repositoryName);
      const subject = parseDigestParameter('subjectId.imageDigest', subjectId.imageDigest);
      const size = pageSize(maxResults);
      const [after] = nextToken === undefined ? [] : decodeNextToken(nextToken, 1);
      const artifactTypes = filter?.artifactTypes?.length ? new Set(filter.artifactTypes) : undefined;
      // Listed by digest, so the position is the last digest shown.
      const referrers = coversActive(filter?.artifactStatus) ? await registry().manifests.referrers(repository, subject) : [];
      const wanted = referrers.filter(
        (r) => (!artifactTypes || (r.artifactType !== null && artifactTypes.has(r.artifactType))) && (typeof after !== 'string' || r.digest > after),
      );
      const page = pageOf(wanted, size, (r) => [r.digest]);
      return {
        referrers: page.items.map(
          (r): ImageReferrer => ({
            digest: r.digest,
            mediaType: r.mediaType,
            size: r.size,
            artifactType: r.artifactType ?? undefined,
            annotations: r.annotations ?? undefined,
            artifactStatus: STATUS_OF_EVERY_IMAGE,
          }),
        ),
        nextToken: page.nextToken,
      };
    },
  };
}
