/** What the registry stores, summed by the database: the input of storage accounting. */

export interface RepositoryStorageRecord {
  name: string;
  /** Distinct blobs linked to the repository plus its manifests' payloads. */
  bytes: number;
  /** Manifests in the repository: every image and every platform image of an index, as ECR counts them. */
  imageCount: number;
}

/** One series' figures at one time: a repository's, or the registry's total. */
export interface StorageSample {
  /** Undefined for the registry's total. */
  repositoryName?: string;
  bytes: number;
  imageCount: number;
}

export interface StorageSamplePoint {
  at: Date;
  bytes: number;
  imageCount: number;
}

export interface StorageSampleQuery {
  /** At or after. */
  since?: Date;
  /** Before. */
  until?: Date;
  /** Undefined for the registry's total. */
  repositoryName?: string;
  limit?: number;
}

export interface StorageUsageMetadataOps {
  /** Every repository, by name (byte-wise), with nothing stored counting as 0. */
  repositoryStorage(): Promise<RepositoryStorageRecord[]>;
  /** Every blob linked to some repository counted once, plus every manifest's payload. */
  registryStorageBytes(): Promise<number>;
  /**
   * Records `samples` as taken at `at`. A sample of a series already recorded at that very
   * millisecond (another node sampling too) is ignored.
   */
  appendStorageSamples(at: Date, samples: StorageSample[]): Promise<void>;
  /** One series' samples, oldest first. */
  listStorageSamples(query: StorageSampleQuery): Promise<StorageSamplePoint[]>;
  /** Removes every series' samples taken before `before`; returns how many. */
  pruneStorageSamples(before: Date): Promise<number>;
}
