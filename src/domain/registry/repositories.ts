import { DomainError, isDomainError } from '../errors.js';
import { chooseTemplate } from '../model/creation-template.js';
import { invalidParameter } from '../model/invalid-parameter.js';
import { parseRepositoryName } from '../model/repository-name.js';
import type { RepositorySettings, ResourceTag, TagMutabilityExclusionFilter } from '../model/repository-settings.js';
import { parseRepositorySettings, type RepositorySettingsInput } from '../model/repository-settings-input.js';
import { ensureWithinTagLimit, parseResourceTagKeys, parseResourceTags } from '../model/resource-tags.js';
import { parseTagMutability } from '../model/tag-mutability.js';
import type { Clock } from '../ports/clock.js';
import type { RepositoryDocumentKind } from '../ports/ecr-metadata.js';
import type { MetadataStore, Page, RepositoryRecord } from '../ports/metadata-store.js';
import { templateOf } from './creation-templates.js';
import { repositoryAlreadyExists, repositoryNotEmpty, repositoryNotFound } from './ecr-errors.js';
import { decodeNextToken, pageOf, pageSize } from './page-tokens.js';

export interface RepositoryConfig {
  /** The registry's 12-digit account id, which ECR's messages name. */
  registryId: string;
  /** Pushing to a missing repository creates it (ECR's CREATE_ON_PUSH) even without a creation template; off by default, as in ECR. */
  createOnPush: boolean;
}

/** CreateRepository's input besides the name. */
export interface NewRepository extends RepositorySettingsInput {
  tags?: ResourceTag[];
}

/** DescribeRepositories: the named repositories, or a page of all of them. */
export interface RepositoryQuery {
  repositoryNames?: string[];
  maxResults?: number;
  nextToken?: string;
}

export interface PushOptions {
  /** Called before the push creates the repository; throws (DENIED) when the caller may not create it. */
  authorizeCreate(): Promise<void> | void;
}

/** Everything a new repository starts with: created in one transaction, so it is never seen half set up. */
interface RepositorySetup {
  settings: RepositorySettings;
  tags: ResourceTag[];
  documents: { kind: RepositoryDocumentKind; text: string }[];
}

const MAX_DESCRIBED_NAMES = 100;

/** Repositories are explicit, as in ECR: created on purpose, or on push only when the registry allows it. */
export class Repositories {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly config: RepositoryConfig,
  ) {}

  /** CreateRepository. Validates the settings and tags; REPOSITORY_ALREADY_EXISTS when the name is taken. */
  async create(name: string, input: NewRepository = {}): Promise<RepositoryRecord> {
    const tags = parseResourceTags(input.tags ?? []);
    ensureWithinTagLimit([], tags);
    return this.insert(parseRepositoryName(name), { settings: parseRepositorySettings(input), tags, documents: [] });
  }

  /** The repository for an OCI request, or NAME_UNKNOWN with a hint at how repositories come to be. */
  async require(name: string): Promise<RepositoryRecord> {
    const repository = await this.metadata.getRepository(parseRepositoryName(name));
    if (!repository) throw notFoundForPush(name);
    return repository;
  }

  /** The repository for an ECR operation, or NAME_UNKNOWN worded as ECR's RepositoryNotFoundException. */
  async get(name: string): Promise<RepositoryRecord> {
    const repository = await this.metadata.getRepository(parseRepositoryName(name));
    if (!repository) throw repositoryNotFound(name, this.config.registryId);
    return repository;
  }

  /**
   * The repository for a push. A missing one is created when a creation template for CREATE_ON_PUSH
   * covers the name (the template's settings, tags and policies applied) or the registry's
   * createOnPush is on, and only after `authorizeCreate` allows it.
   */
  async forPush(name: string, options: PushOptions): Promise<RepositoryRecord> {
    const parsed = parseRepositoryName(name);
    const existing = await this.metadata.getRepository(parsed);
    if (existing) return existing;
    const templates = (await this.metadata.listCreationTemplates()).map(templateOf);
    const template = chooseTemplate(templates, parsed, 'CREATE_ON_PUSH');
    if (!template && !this.config.createOnPush) throw notFoundForPush(name);
    await options.authorizeCreate();
    const setup: RepositorySetup = template
      ? {
          settings: {
            imageTagMutability: template.imageTagMutability,
            imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters,
            imageScanningConfiguration: { scanOnPush: false },
            encryptionConfiguration: template.encryptionConfiguration,
          },
          tags: template.resourceTags,
          documents: [
            ...(template.repositoryPolicy !== undefined ? [{ kind: 'policy' as const, text: template.repositoryPolicy }] : []),
            ...(template.lifecyclePolicy !== undefined ? [{ kind: 'lifecycle-policy' as const, text: template.lifecyclePolicy }] : []),
          ],
        }
      : { settings: parseRepositorySettings({}), tags: [], documents: [] };
    try {
      return await this.insert(parsed, setup);
    } catch (err) {
      // Another request created it first.
      if (isDomainError(err, 'REPOSITORY_ALREADY_EXISTS')) return this.require(name);
      throw err;
    }
  }

  /** Names for the OCI catalog. */
  async list(page: Page): Promise<string[]> {
    return this.metadata.listRepositories(page);
  }

  /** DescribeRepositories: the named ones in the order asked (NAME_UNKNOWN for the first missing), or a page of all by name. */
  async describe(query: RepositoryQuery = {}): Promise<{ repositories: RepositoryRecord[]; nextToken?: string }> {
    const { repositoryNames, maxResults, nextToken } = query;
    if (repositoryNames !== undefined) {
      if (maxResults !== undefined || nextToken !== undefined) {
        throw invalidParameter(maxResults !== undefined ? 'maxResults' : 'nextToken', 'cannot be used with repositoryNames');
      }
      if (repositoryNames.length === 0 || repositoryNames.length > MAX_DESCRIBED_NAMES) {
        throw invalidParameter('repositoryNames', `Member must have length between 1 and ${MAX_DESCRIBED_NAMES}`);
      }
      const repositories: RepositoryRecord[] = [];
      for (const name of new Set(repositoryNames)) repositories.push(await this.get(name));
      return { repositories };
    }
    const size = pageSize(maxResults);
    const after = nextToken === undefined ? undefined : decodeNextToken(nextToken, 1)[0];
    const records = await this.metadata.listRepositoryRecords({ ...(typeof after === 'string' && { after }), limit: size + 1 });
    const page = pageOf(records, size, (r) => [r.name]);
    return { repositories: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) };
  }

  /**
   * DeleteRepository, with its images, tags, policies and uploads. Without `force`, a repository
   * that still has images is kept (REPOSITORY_NOT_EMPTY); the check and the delete are one transaction.
   */
  async delete(name: string, options: { force?: boolean } = {}): Promise<RepositoryRecord> {
    const repository = await this.get(name);
    await this.metadata.transaction(async (tx) => {
      if (!options.force && (await tx.listManifestDigests(repository.id, { limit: 1 })).length > 0) {
        throw repositoryNotEmpty(repository.name, this.config.registryId);
      }
      await tx.deleteRepository(repository.id, this.clock.now());
      // Its policy and tags go with it: authorisation caches everywhere must forget them.
      await tx.bumpAccessGeneration();
    });
    return repository;
  }

  /** PutImageTagMutability. */
  async putImageTagMutability(name: string, mode: string, exclusionFilters?: TagMutabilityExclusionFilter[]): Promise<RepositoryRecord> {
    const mutability = parseTagMutability(mode, exclusionFilters);
    return this.updateSettings(name, (settings) => ({ ...settings, ...mutability }));
  }

  /** PutImageScanningConfiguration. */
  async putImageScanningConfiguration(name: string, configuration: { scanOnPush: boolean }): Promise<RepositoryRecord> {
    return this.updateSettings(name, (settings) => ({ ...settings, imageScanningConfiguration: { scanOnPush: configuration.scanOnPush === true } }));
  }

  /** TagResource: adds or overwrites tags by key; TOO_MANY_TAGS when the repository would have more than 50. */
  async tagResource(name: string, tags: ResourceTag[]): Promise<void> {
    const added = parseResourceTags(tags);
    const repository = await this.get(name);
    await this.metadata.transaction(async (tx) => {
      ensureWithinTagLimit(await tx.getRepositoryTags(repository.id), added);
      await tx.putRepositoryTags(repository.id, added);
      // Policies may condition on resource tags.
      await tx.bumpAccessGeneration();
    });
  }

  /** UntagResource: removing a key the repository does not have is not an error. */
  async untagResource(name: string, keys: string[]): Promise<void> {
    const parsed = parseResourceTagKeys(keys);
    const repository = await this.get(name);
    await this.metadata.transaction(async (tx) => {
      await tx.deleteRepositoryTags(repository.id, parsed);
      await tx.bumpAccessGeneration();
    });
  }

  /** ListTagsForResource, by key. */
  async listTagsForResource(name: string): Promise<ResourceTag[]> {
    return this.metadata.getRepositoryTags((await this.get(name)).id);
  }

  private async insert(name: string, setup: RepositorySetup): Promise<RepositoryRecord> {
    const now = this.clock.now();
    try {
      return await this.metadata.transaction(async (tx) => {
        const repository = await tx.createRepository({ name, createdAt: now, settings: setup.settings });
        if (setup.tags.length > 0) await tx.putRepositoryTags(repository.id, setup.tags);
        for (const document of setup.documents) await tx.putRepositoryDocument(repository.id, document.kind, document.text, now);
        return repository;
      });
    } catch (err) {
      if (isDomainError(err, 'REPOSITORY_ALREADY_EXISTS')) throw repositoryAlreadyExists(name, this.config.registryId);
      throw err;
    }
  }

  /**
   * Reads and writes the settings in one transaction. SQLite serialises these; on PostgreSQL two
   * changes of different settings at the same instant could still lose one (the port has no row lock).
   */
  private async updateSettings(name: string, change: (settings: RepositorySettings) => RepositorySettings): Promise<RepositoryRecord> {
    const parsed = parseRepositoryName(name);
    return this.metadata.transaction(async (tx) => {
      const repository = await tx.getRepository(parsed);
      if (!repository) throw repositoryNotFound(name, this.config.registryId);
      const settings = change(repository.settings);
      await tx.updateRepositorySettings(repository.id, settings);
      return { ...repository, settings };
    });
  }
}

function notFoundForPush(name: string): DomainError {
  return new DomainError(
    'NAME_UNKNOWN',
    `repository "${name}" does not exist in the registry; create it first (aws ecr create-repository --repository-name ${name}), or enable create-on-push`,
    { name },
  );
}
