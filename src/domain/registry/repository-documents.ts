import { DomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { RepositoryDocumentKind } from '../ports/ecr-metadata.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { Repositories } from './repositories.js';

export interface RepositoryDocument {
  repositoryName: string;
  /** Exactly the text the client set. */
  text: string;
  updatedAt: Date;
}

/**
 * A repository's policy ('policy': Set/Get/DeleteRepositoryPolicy) and lifecycle policy
 * ('lifecycle-policy': Put/Get/DeleteLifecyclePolicy), kept as the text the client sent. Validating
 * a text is the caller's part, before `put`: the policy engine for a repository policy (with
 * SetRepositoryPolicy's `force`), the lifecycle rules for a lifecycle policy.
 */
export class RepositoryDocuments {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly repositories: Repositories,
    private readonly registryId: string,
  ) {}

  async get(repositoryName: string, kind: RepositoryDocumentKind): Promise<RepositoryDocument> {
    const repository = await this.repositories.get(repositoryName);
    const stored = await this.metadata.getRepositoryDocument(repository.id, kind);
    if (!stored) throw this.notFound(repository.name, kind);
    return { repositoryName: repository.name, ...stored };
  }

  async put(repositoryName: string, kind: RepositoryDocumentKind, text: string): Promise<RepositoryDocument> {
    const repository = await this.repositories.get(repositoryName);
    const updatedAt = this.clock.now();
    await this.metadata.transaction(async (tx) => {
      await tx.putRepositoryDocument(repository.id, kind, text, updatedAt);
      if (kind === 'policy') await tx.bumpAccessGeneration();
    });
    return { repositoryName: repository.name, text, updatedAt };
  }

  /** Resolves with the document it removed, as ECR's delete operations answer. */
  async delete(repositoryName: string, kind: RepositoryDocumentKind): Promise<RepositoryDocument> {
    const repository = await this.repositories.get(repositoryName);
    return this.metadata.transaction(async (tx) => {
      const stored = await tx.getRepositoryDocument(repository.id, kind);
      if (!stored || !(await tx.deleteRepositoryDocument(repository.id, kind))) throw this.notFound(repository.name, kind);
      if (kind === 'policy') await tx.bumpAccessGeneration();
      return { repositoryName: repository.name, ...stored };
    });
  }

  private notFound(repositoryName: string, kind: RepositoryDocumentKind): DomainError {
    const where = `for the repository with name '${repositoryName}' in the registry with id '${this.registryId}'`;
    return kind === 'policy'
      ? new DomainError('REPOSITORY_POLICY_NOT_FOUND', `Repository policy does not exist ${where}`, { name: repositoryName })
      : new DomainError('LIFECYCLE_POLICY_NOT_FOUND', `Lifecycle policy does not exist ${where}`, { name: repositoryName });
  }
}
