import type { Clock } from '../ports/clock.js';
import type { MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';
import type { Images } from '../registry/images.js';
import { candidateOf, repositoryImages } from './candidates.js';
import { evaluateLifecyclePolicy, type LifecycleDecision } from './evaluate.js';
import { parseLifecyclePolicy } from './parse.js';

/** BatchDeleteImage takes at most 100 image ids. */
const DELETE_BATCH = 100;

export interface LifecycleRunEntry extends LifecycleDecision {
  repositoryName: string;
  tags: readonly string[];
  /** Whether the action was carried out (never in a dry run). */
  applied: boolean;
  /** Why it was not, when it was not and the run was not dry. */
  skipped?: string;
}

/**
 * Runs repositories' lifecycle policies: the same evaluator as previews, then the expirations as
 * BatchDeleteImage would make them, owners before the images that follow them. Transitions to the
 * archive storage class are reported but not made until archive storage exists.
 */
export class LifecycleRunner {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly images: Images,
  ) {}

  async run(options: { dryRun: boolean; repositoryName?: string }): Promise<LifecycleRunEntry[]> {
    const entries: LifecycleRunEntry[] = [];
    for (const repository of await this.repositoriesToRun(options.repositoryName)) {
      const policy = await this.metadata.getRepositoryDocument(repository.id, 'lifecycle-policy');
      if (!policy) continue;
      const images = await repositoryImages(this.metadata, repository.id);
      const tagsOf = new Map(images.map((image) => [image.digest, image.tags]));
      const decisions = evaluateLifecyclePolicy(parseLifecyclePolicy(policy.text), images.map(candidateOf(images)), this.clock.now());
      const planned = decisions.map((decision): LifecycleRunEntry => ({
        ...decision,
        repositoryName: repository.name,
        tags: tagsOf.get(decision.digest) ?? [],
        applied: false,
        ...(!options.dryRun && decision.action === 'TRANSITION' && { skipped: 'the archive storage class is not available yet' }),
      }));
      if (!options.dryRun) await this.expire(repository.name, planned.filter((entry) => entry.action === 'EXPIRE'));
      entries.push(...planned);
    }
    return entries;
  }

  private async repositoriesToRun(name: string | undefined): Promise<RepositoryRecord[]> {
    if (name === undefined) return this.metadata.listRepositoryRecords({});
    const repository = await this.metadata.getRepository(name);
    return repository ? [repository] : [];
  }

  /** Deletes in batches, in decision order, marking each entry applied (or why not). */
  private async expire(repositoryName: string, entries: LifecycleRunEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += DELETE_BATCH) {
      const batch = entries.slice(i, i + DELETE_BATCH);
      const { failures } = await this.images.batchDeleteImage(repositoryName, batch.map((entry) => ({ imageDigest: entry.digest })));
      const failed = new Map(failures.map((f) => [f.imageId.imageDigest, f.failureReason]));
      for (const entry of batch) {
        const reason = failed.get(entry.digest);
        if (reason === undefined) entry.applied = true;
        else entry.skipped = reason;
      }
    }
  }
}
