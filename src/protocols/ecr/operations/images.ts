import { parseDigestParameter } from '../../../domain/model/invalid-parameter.js';
import { parseImageStatus } from '../../../domain/registry/images.js';
import { decodeNextToken, pageOf, pageSize } from '../../../domain/registry/page-tokens.js';
import type { ImageReferrer } from '../model/ecr-model.generated.js';
import { findingsSummaryOf, scanStatusOf } from '../scan-findings.js';
import type { EcrDeps, EcrHandlers } from './index.js';

/** Image operations: listing, describing, getting, deleting and putting manifests, an image's referrers, and its storage class. */
export function imageHandlers(deps: EcrDeps): EcrHandlers {
  const registry = () => deps.registry;
  const registryId = () => deps.scope.account;
  return {
    ListImages: async ({ repositoryName, filter, maxResults, nextToken }) =>
      registry().images.listImageIds(repositoryName, { tagStatus: filter?.tagStatus, imageStatus: filter?.imageStatus, maxResults, nextToken }),
    DescribeImages: async ({ repositoryName, imageIds, filter, maxResults, nextToken }) => {
      const described = await registry().images.describeImages(repositoryName, { imageIds, tagStatus: filter?.tagStatus, imageStatus: filter?.imageStatus, maxResults, nextToken });
      const scans = await registry().scans.scansOf(described.repository.id, described.imageDetails.map((detail) => detail.imageDigest));
      return {
        imageDetails: described.imageDetails.map((detail) => {
          const scan = scans.get(detail.imageDigest);
          const summary = scan && findingsSummaryOf(scan);
          return {
            registryId: registryId(),
            repositoryName,
            ...detail,
            ...(scan && { imageScanStatus: scanStatusOf(scan) }),
            ...(summary && { imageScanFindingsSummary: summary }),
          };
        }),
        nextToken: described.nextToken,
      };
    },
    BatchGetImage: async ({ repositoryName, imageIds, acceptedMediaTypes }, call) => {
      const got = await registry().images.batchGetImage(repositoryName, imageIds, acceptedMediaTypes, call.caller.policySubjectArn);
      return { images: got.images.map((image) => ({ registryId: registryId(), repositoryName, ...image })), failures: got.failures };
    },
    BatchDeleteImage: async ({ repositoryName, imageIds }) => registry().images.batchDeleteImage(repositoryName, imageIds),
    UpdateImageStorageClass: async ({ repositoryName, imageId, targetStorageClass }) => {
      const updated = await registry().images.updateImageStorageClass(repositoryName, imageId, targetStorageClass);
      return { registryId: registryId(), repositoryName, ...updated };
    },
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
      const status = parseImageStatus(filter?.artifactStatus, 'filter.artifactStatus');
      // Listed by digest, so the position is the last digest shown.
      const referrers = await registry().manifests.referrers(repository, subject);
      const wanted = referrers.filter(
        (r) =>
          (!artifactTypes || (r.artifactType !== null && artifactTypes.has(r.artifactType))) &&
          (status === undefined || r.imageStatus === status) &&
          (typeof after !== 'string' || r.digest > after),
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
            artifactStatus: r.imageStatus,
          }),
        ),
        nextToken: page.nextToken,
      };
    },
  };
}
