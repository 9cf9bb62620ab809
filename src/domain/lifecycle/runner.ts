import type { AuditEvent } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';
import type { ImageArchive } from '../registry/image-archive.js';
import type { Images } from '../registry/images.js';
import { lifecycleCandidates } from './candidates.js';
import { explainLifecyclePolicy, type LifecycleDecision } from './evaluate.js';
import { parseLifecyclePolicy } from './parse.js';
import type { LifecyclePolicy } from './policy.js';

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
 * BatchDeleteImage would make them, owners before the images that follow them, then the transitions
 * to the archive storage class.
 */
export class LifecycleRunner {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly images: Images,
    private readonly archive: ImageArchive,
  ) {}

  async run(options: { dryRun: boolean; repositoryName?: string }): Promise<LifecycleRunEntry[]> {
    const entries: LifecycleRunEntry[] = [];
    for (const repository of await this.repositoriesToRun(options.repositoryName)) {
      const policy = await this.metadata.getRepositoryDocument(repository.id, 'lifecycle-policy');
      if (!policy) continue;
      const candidates = lifecycleCandidates(await this.metadata.listLifecycleImages(repository.id));
      const parsed = parseLifecyclePolicy(policy.text);
      const { decisions, imageIndexes } = explainLifecyclePolicy(parsed, candidates, this.clock.now());
      const planned = decisions.map((decision, k) => plannedEntry(decision, repository.name, candidates[imageIndexes[k]!]!.tags));
      for (const entry of planned) entries.push(entry);
      if (options.dryRun) continue;
      const eventOf = auditEvents(parsed);
      await this.expire(repository.name, planned.filter((entry) => entry.action === 'EXPIRE'), eventOf);
      await this.transition(repository, planned.filter((entry) => entry.action === 'TRANSITION'), eventOf);
    }
    return entries;
  }

  private async repositoriesToRun(name: string | undefined): Promise<RepositoryRecord[]> {
    if (name === undefined) return this.metadata.listRepositoryRecords({});
    const repository = await this.metadata.getRepository(name);
    return repository ? [repository] : [];
  }

  /**
   * Deletes in batches, in decision order, marking each entry applied (or why not). Each image's
   * audit event is written in the transaction that deletes it.
   */
  private async expire(repositoryName: string, entries: LifecycleRunEntry[], eventOf: (entry: LifecycleRunEntry, at: Date) => AuditEvent): Promise<void> {
    for (let i = 0; i < entries.length; i += DELETE_BATCH) {
      const batch = entries.slice(i, i + DELETE_BATCH);
      const byDigest = new Map(batch.map((entry) => [entry.digest, entry]));
      const { failures } = await this.images.batchDeleteImage(
        repositoryName,
        batch.map((entry) => ({ imageDigest: entry.digest })),
        async (tx, digest) => tx.appendAuditEvents([eventOf(byDigest.get(digest)!, this.clock.now())]),
      );
      const failed = new Map(failures.map((f) => [f.imageId.imageDigest, f.failureReason]));
      for (const entry of batch) {
        const reason = failed.get(entry.digest);
        if (reason === undefined) entry.applied = true;
        else entry.skipped = reason;
      }
    }
  }

  /**
   * Archives the images in one go (an index with its images), marking each entry applied (or why
   * not), then records the events: archiving moves bytes outside any one transaction.
   */
  private async transition(repository: RepositoryRecord, entries: LifecycleRunEntry[], eventOf: (entry: LifecycleRunEntry, at: Date) => AuditEvent): Promise<void> {
    if (entries.length === 0) return;
    const archived = new Set(await this.archive.archive(repository, entries.map((entry) => entry.digest)));
    for (const entry of entries) {
      if (archived.has(entry.digest)) entry.applied = true;
      else entry.skipped = 'the image was no longer active (deleted, archived or being restored meanwhile)';
    }
    const at = this.clock.now();
    await this.metadata.appendAuditEvents(entries.filter((entry) => entry.applied).map((entry) => eventOf(entry, at)));
  }
}

/**
 * A decision as a run entry, not yet carried out. Field by field: spreading 100,000 decisions of
 * several shapes into entries cost more than evaluating them.
 */
function plannedEntry(decision: LifecycleDecision, repositoryName: string, tags: readonly string[]): LifecycleRunEntry {
  const { digest, appliedRulePriority, action, storageClass, targetStorageClass, follows } = decision;
  return { digest, appliedRulePriority, action, storageClass, targetStorageClass, follows, repositoryName, tags, applied: false };
}

/** The audit event of a lifecycle action, naming the rule that caused it. */
function auditEvents(policy: LifecyclePolicy): (entry: LifecycleRunEntry, at: Date) => AuditEvent {
  const descriptionOf = new Map(policy.rules.map((rule) => [rule.rulePriority, rule.description]));
  return (entry, at) => {
    const description = descriptionOf.get(entry.appliedRulePriority);
    return {
      at,
      action: `lifecycle.${entry.action.toLowerCase()}`,
      repositoryName: entry.repositoryName,
      imageDigest: entry.digest,
      detail: {
        rulePriority: entry.appliedRulePriority,
        ...(description !== undefined && { ruleDescription: description }),
        tags: entry.tags,
        action: entry.action,
        ...(entry.targetStorageClass !== undefined && { targetStorageClass: entry.targetStorageClass }),
        ...(entry.follows !== undefined && { follows: entry.follows }),
      },
    };
  };
}
