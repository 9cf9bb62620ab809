import { DomainError } from '../errors.js';
import { type AccessGeneration, GenerationalCache } from '../identity/access-generation.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';

const DOCUMENT = 'pull-time-update-exclusions';
/** ECR's quota on the exclusion list. */
export const MAX_PULL_TIME_EXCLUSIONS = 20;

export interface PullTimeExclusion {
  principalArn: string;
  createdAt: Date;
}

/**
 * IAM principals whose pulls do not update lastRecordedPullTime (a scanner's, a cache warmer's), so
 * they don't keep images alive under `sinceImagePulled` lifecycle rules. The list is registry-wide,
 * cached per access generation: the pull path asks it on every pull.
 */
export class PullTimeExclusions {
  readonly #cache: GenerationalCache<'all', Set<string>>;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly generation: AccessGeneration,
  ) {
    this.#cache = new GenerationalCache(generation, 1);
  }

  /** Whether pulls by this principal (an IAM user or role ARN) are left unrecorded. */
  excludes(principalArn: string): boolean | Promise<boolean> {
    const all = this.#cache.get('all', async () => new Set((await this.list()).map((e) => e.principalArn)));
    return all instanceof Promise ? all.then((set) => set.has(principalArn)) : all.has(principalArn);
  }

  async list(): Promise<PullTimeExclusion[]> {
    return parseExclusions(await this.metadata.getRegistryDocument(DOCUMENT));
  }

  async register(principalArn: string): Promise<PullTimeExclusion> {
    const exclusion = { principalArn, createdAt: this.clock.now() };
    await this.change(async (current) => {
      if (current.some((e) => e.principalArn === principalArn)) {
        throw new DomainError('ENTITY_ALREADY_EXISTS', `The principal '${principalArn}' is already in the pull time update exclusion list.`, { awsType: 'ExclusionAlreadyExistsException' });
      }
      if (current.length >= MAX_PULL_TIME_EXCLUSIONS) {
        throw new DomainError('LIMIT_EXCEEDED', `The pull time update exclusion list already has ${MAX_PULL_TIME_EXCLUSIONS} principals, the most it may have.`);
      }
      return [...current, exclusion];
    });
    return exclusion;
  }

  async deregister(principalArn: string): Promise<void> {
    await this.change(async (current) => {
      if (!current.some((e) => e.principalArn === principalArn)) {
        throw new DomainError('ENTITY_NOT_FOUND', `The principal '${principalArn}' is not in the pull time update exclusion list.`, { awsType: 'ExclusionNotFoundException' });
      }
      return current.filter((e) => e.principalArn !== principalArn);
    });
  }

  /** Rewrites the list with the generation bump, so every node's pull path sees it. */
  private async change(edit: (current: PullTimeExclusion[]) => Promise<PullTimeExclusion[]>): Promise<void> {
    await this.generation.change(async (tx) => {
      const next = await edit(parseExclusions(await tx.getRegistryDocument(DOCUMENT)));
      await tx.putRegistryDocument(DOCUMENT, JSON.stringify(next.map((e) => ({ principalArn: e.principalArn, createdAt: e.createdAt.getTime() }))), this.clock.now());
    });
  }
}

function parseExclusions(stored: { text: string } | undefined): PullTimeExclusion[] {
  if (!stored) return [];
  return (JSON.parse(stored.text) as { principalArn: string; createdAt: number }[]).map((e) => ({ principalArn: e.principalArn, createdAt: new Date(e.createdAt) }));
}
