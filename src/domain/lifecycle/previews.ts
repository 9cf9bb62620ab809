import { DomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { Repositories } from '../registry/repositories.js';
import type { RepositoryDocuments } from '../registry/repository-documents.js';
import { lifecycleCandidates } from './candidates.js';
import { explainLifecyclePolicy, type LifecycleDecision } from './evaluate.js';
import { parseLifecyclePolicy } from './parse.js';

/** What a preview reports of an image a rule would act on. */
export interface LifecyclePreviewResult extends LifecycleDecision {
  tags: readonly string[];
  pushedAt: Date;
}

/**
 * Lifecycle policy previews (StartLifecyclePolicyPreview / GetLifecyclePolicyPreview): the policy to
 * preview is kept per repository, and the preview is evaluated when it is read, over the images as
 * they are then, with the same evaluator a lifecycle run uses. So a preview is complete as soon as
 * it is started.
 */
export class LifecyclePreviews {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly repositories: Repositories,
    private readonly documents: RepositoryDocuments,
    private readonly registryId: string,
  ) {}

  /** Starts a preview of `policyText`, or of the repository's lifecycle policy when none is given. */
  async start(repositoryName: string, policyText?: string): Promise<{ repositoryName: string; policyText: string }> {
    const repository = await this.repositories.get(repositoryName);
    const text = policyText ?? (await this.documents.get(repositoryName, 'lifecycle-policy')).text;
    parseLifecyclePolicy(text);
    await this.metadata.putRepositoryDocument(repository.id, 'lifecycle-preview', text, this.clock.now());
    return { repositoryName: repository.name, policyText: text };
  }

  /** The started preview's outcome: every image a rule would act on, in the order the rules apply. */
  async results(repositoryName: string): Promise<{ repositoryName: string; policyText: string; results: LifecyclePreviewResult[] }> {
    const repository = await this.repositories.get(repositoryName);
    const stored = await this.metadata.getRepositoryDocument(repository.id, 'lifecycle-preview');
    if (!stored) {
      throw new DomainError('ENTITY_NOT_FOUND', `There is no lifecycle policy preview for the repository with name '${repository.name}' in the registry with id '${this.registryId}'`, {
        awsType: 'LifecyclePolicyPreviewNotFoundException',
      });
    }
    const candidates = lifecycleCandidates(await this.metadata.listLifecycleImages(repository.id));
    const { decisions, imageIndexes } = explainLifecyclePolicy(parseLifecyclePolicy(stored.text), candidates, this.clock.now());
    return {
      repositoryName: repository.name,
      policyText: stored.text,
      results: decisions.map((decision, k) => {
        const { tags, pushedAt } = candidates[imageIndexes[k]!]!;
        return { ...decision, tags, pushedAt };
      }),
    };
  }
}
