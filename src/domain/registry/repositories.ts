import { DomainError, isDomainError } from '../errors.js';
import { parseRepositoryName } from '../model/repository-name.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore, Page, RepositoryRecord } from '../ports/metadata-store.js';

export interface RepositoryPolicy {
  /** Pushing to a missing repository creates it (ECR's CREATE_ON_PUSH); off by default, as in ECR. */
  createOnPush: boolean;
}

/** Repositories are explicit, as in ECR: created on purpose, or on push only when the registry allows it. */
export class Repositories {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly policy: RepositoryPolicy,
  ) {}

  async create(name: string): Promise<RepositoryRecord> {
    return this.metadata.createRepository({ name: parseRepositoryName(name), createdAt: this.clock.now() });
  }

  /** The repository for a read, or NAME_UNKNOWN. */
  async require(name: string): Promise<RepositoryRecord> {
    const repository = await this.metadata.getRepository(parseRepositoryName(name));
    if (!repository) throw notFound(name);
    return repository;
  }

  /** The repository for a push: created here when createOnPush is on. */
  async forPush(name: string): Promise<RepositoryRecord> {
    const existing = await this.metadata.getRepository(parseRepositoryName(name));
    if (existing) return existing;
    if (!this.policy.createOnPush) throw notFound(name);
    try {
      return await this.create(name);
    } catch (err) {
      // Another request created it first.
      if (isDomainError(err, 'REPOSITORY_ALREADY_EXISTS')) return this.require(name);
      throw err;
    }
  }

  async list(page: Page): Promise<string[]> {
    return this.metadata.listRepositories(page);
  }
}

function notFound(name: string): DomainError {
  return new DomainError(
    'NAME_UNKNOWN',
    `repository "${name}" does not exist in the registry; create it first (berth repo create ${name}), or enable create-on-push`,
    { name },
  );
}
