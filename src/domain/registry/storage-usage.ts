import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { StorageSamplePoint, StorageSampleQuery } from '../ports/storage-usage-metadata.js';

/** AWS bills storage per GB of 10^9 bytes. */
const BYTES_PER_GB = 1e9;
/** ECR's price of standard storage, in USD per GB-month. */
export const ECR_STORAGE_PRICE_PER_GB_MONTH = 0.1;
/** How long samples are kept: a year, and a month to compare its start with. */
export const STORAGE_SAMPLE_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

export interface RepositoryStorageUsage {
  name: string;
  /** Distinct blobs linked to the repository plus its manifests: what it would take on its own. */
  bytes: number;
  imageCount: number;
  /** What storing `bytes` costs a month at the configured price. */
  estimatedMonthlyCost: number;
}

export interface StorageUsageReport {
  /** By name. */
  repositories: RepositoryStorageUsage[];
  /** What the registry stores: each blob once however many repositories link it, plus every manifest. */
  totalBytes: number;
  /** Bytes saved by repositories sharing blobs: the sum of their sizes minus the total. */
  sharedSavingsBytes: number;
  /** What storing `totalBytes` costs a month at `pricePerGbMonth`. */
  estimatedMonthlyCost: number;
  pricePerGbMonth: number;
}

/** One point of a chart of storage over time. */
export interface StorageHistoryPoint extends StorageSamplePoint {
  /** What storing `bytes` costs a month at today's configured price. */
  estimatedMonthlyCost: number;
}

export type StorageHistoryQuery = Omit<StorageSampleQuery, 'limit'>;

/**
 * How much the registry stores per repository and in all, and what that would cost a month at
 * ECR's storage price (or the configured one). Blobs are counted once per registry, as they are
 * stored; blobs no repository links any more (awaiting garbage collection) are not counted.
 * Samples of the report, kept for STORAGE_SAMPLE_RETENTION_DAYS, show it over time.
 */
export class StorageUsage {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly pricePerGbMonth: number,
  ) {}

  async report(): Promise<StorageUsageReport> {
    const [records, totalBytes] = await Promise.all([this.metadata.repositoryStorage(), this.metadata.registryStorageBytes()]);
    const repositories = records.map((record) => ({ ...record, estimatedMonthlyCost: this.monthlyCostOf(record.bytes) }));
    const repositoryBytes = repositories.reduce((sum, repository) => sum + repository.bytes, 0);
    return {
      repositories,
      totalBytes,
      // The two sums are separate reads: a push or delete between them must not show a negative saving.
      sharedSavingsBytes: Math.max(0, repositoryBytes - totalBytes),
      estimatedMonthlyCost: this.monthlyCostOf(totalBytes),
      pricePerGbMonth: this.pricePerGbMonth,
    };
  }

  /**
   * Records the report now, one sample per repository and one of the total (all at the same
   * time, so a chart can stack them), and drops the samples past retention. Returns the total's.
   */
  async recordSample(): Promise<StorageHistoryPoint> {
    const at = this.clock.now();
    const report = await this.report();
    const imageCount = report.repositories.reduce((sum, repository) => sum + repository.imageCount, 0);
    await this.metadata.appendStorageSamples(at, [
      ...report.repositories.map(({ name, bytes, imageCount }) => ({ repositoryName: name, bytes, imageCount })),
      { bytes: report.totalBytes, imageCount },
    ]);
    await this.metadata.pruneStorageSamples(new Date(at.getTime() - STORAGE_SAMPLE_RETENTION_DAYS * DAY_MS));
    return { at, bytes: report.totalBytes, imageCount, estimatedMonthlyCost: report.estimatedMonthlyCost };
  }

  /** One series' samples, oldest first: a repository's, or the registry's total. */
  async history(query: StorageHistoryQuery = {}): Promise<StorageHistoryPoint[]> {
    const samples = await this.metadata.listStorageSamples(query);
    return samples.map((sample) => ({ ...sample, estimatedMonthlyCost: this.monthlyCostOf(sample.bytes) }));
  }

  private monthlyCostOf(bytes: number): number {
    return (bytes / BYTES_PER_GB) * this.pricePerGbMonth;
  }
}
