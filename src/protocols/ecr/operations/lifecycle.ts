import type { LifecyclePreviewResult } from '../../../domain/lifecycle/index.js';
import { decodeNextToken, pageOf } from '../../../domain/registry/page-tokens.js';
import { invalidParameter } from '../../../domain/model/invalid-parameter.js';
import type { ImageIdentifier, LifecyclePolicyPreviewResult, TagStatus } from '../model/ecr-model.generated.js';
import type { EcrDeps, EcrHandlers } from './index.js';
import { checkLifecyclePolicy } from './policy-texts.js';

/** GetLifecyclePolicyPreview pages hold at most 100 results (the model's LifecyclePreviewMaxResults). */
const PREVIEW_PAGE_MAX = 100;

/**
 * Lifecycle policies: stored, returned, and previewed with the evaluator a lifecycle run uses. A
 * preview is evaluated when read, so it is COMPLETE at once and the CLI's
 * lifecycle-policy-preview-complete waiter returns on its first poll.
 */
export function lifecycleHandlers(deps: EcrDeps): EcrHandlers {
  const registryId = () => deps.scope.account;
  const documents = () => deps.registry.repositoryDocuments;
  return {
    // Policies are not run on a schedule yet, so GetLifecyclePolicy has no lastEvaluatedAt to report.
    PutLifecyclePolicy: async ({ repositoryName, lifecyclePolicyText }) => {
      checkLifecyclePolicy(lifecyclePolicyText);
      const stored = await documents().put(repositoryName, 'lifecycle-policy', lifecyclePolicyText);
      return { registryId: registryId(), repositoryName: stored.repositoryName, lifecyclePolicyText: stored.text };
    },
    GetLifecyclePolicy: async ({ repositoryName }) => {
      const stored = await documents().get(repositoryName, 'lifecycle-policy');
      return { registryId: registryId(), repositoryName: stored.repositoryName, lifecyclePolicyText: stored.text };
    },
    DeleteLifecyclePolicy: async ({ repositoryName }) => {
      const deleted = await documents().delete(repositoryName, 'lifecycle-policy');
      return { registryId: registryId(), repositoryName: deleted.repositoryName, lifecyclePolicyText: deleted.text };
    },
    StartLifecyclePolicyPreview: async ({ repositoryName, lifecyclePolicyText }) => {
      const started = await deps.registry.lifecyclePreviews.start(repositoryName, lifecyclePolicyText);
      return { registryId: registryId(), repositoryName: started.repositoryName, lifecyclePolicyText: started.policyText, status: 'COMPLETE' };
    },
    GetLifecyclePolicyPreview: async ({ repositoryName, imageIds, filter, maxResults, nextToken }) => {
      const preview = await deps.registry.lifecyclePreviews.results(repositoryName);
      const shown = preview.results.filter((result) => matchesImageIds(result, imageIds) && matchesTagStatus(result, filter?.tagStatus));
      const size = maxResults ?? PREVIEW_PAGE_MAX;
      if (size < 1 || size > PREVIEW_PAGE_MAX) throw invalidParameter('maxResults', `Member must have value between 1 and ${PREVIEW_PAGE_MAX}`);
      // Results are in the order the rules apply; a token carries the index of the next one.
      const start = nextToken === undefined ? 0 : Number(decodeNextToken(nextToken, 1)[0]);
      const page = pageOf(shown.slice(start), size, () => [String(start + size)]);
      return {
        registryId: registryId(),
        repositoryName: preview.repositoryName,
        lifecyclePolicyText: preview.policyText,
        status: 'COMPLETE',
        previewResults: page.items.map(previewResultOf),
        ...(page.nextToken && { nextToken: page.nextToken }),
        summary: {
          expiringImageTotalCount: shown.filter((r) => r.action === 'EXPIRE').length,
          transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: shown.filter((r) => r.action === 'TRANSITION').length }],
        },
      };
    },
  };
}

function previewResultOf(result: LifecyclePreviewResult): LifecyclePolicyPreviewResult {
  return {
    imageTags: [...result.tags],
    imageDigest: result.digest,
    imagePushedAt: result.pushedAt,
    action: { type: result.action, ...(result.targetStorageClass && { targetStorageClass: 'ARCHIVE' }) },
    appliedRulePriority: result.appliedRulePriority,
    storageClass: result.storageClass === 'archive' ? 'ARCHIVE' : 'STANDARD',
  };
}

function matchesImageIds(result: LifecyclePreviewResult, imageIds: ImageIdentifier[] | undefined): boolean {
  return imageIds === undefined || imageIds.some((id) => (id.imageDigest === undefined || id.imageDigest === result.digest) && (id.imageTag === undefined || result.tags.includes(id.imageTag)));
}

function matchesTagStatus(result: LifecyclePreviewResult, tagStatus: TagStatus | undefined): boolean {
  return tagStatus === undefined || tagStatus === 'ANY' || (tagStatus === 'TAGGED') === result.tags.length > 0;
}
