const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Every bound the inventory reader enforces on hostile layers; crossing one fails the scan with a ScanInputError naming it. */
export interface InventoryLimits {
  /** Decompressed bytes of one layer (decompression bombs). */
  maxLayerBytes: number;
  /** Decompressed bytes of all layers together. */
  maxImageBytes: number;
  /** Tar entries in all layers together. */
  maxEntries: number;
  /** Characters in one entry path (or link target that is followed). */
  maxPathLength: number;
  /** Segments in one entry path. */
  maxPathDepth: number;
  /** Bytes read from one file that matters (package databases, metadata files, Go build info, archives nested in archives). */
  maxFileBytes: number;
  /** Executables larger than this are not searched for Go build info (they are skipped with a warning). */
  maxExecutableBytes: number;
  /** Bytes of one Java archive (jar, war, ear) copied to the scratch directory to be read. */
  maxArchiveBytes: number;
  /** Bytes decompressed out of one Java archive, nested archives included (zip bombs). */
  maxArchiveExpandedBytes: number;
  /** Entries listed in one Java archive or nested archive. */
  maxArchiveEntries: number;
  /** How deep archives nested in archives are opened; deeper ones are skipped with a warning. */
  maxArchiveDepth: number;
  /** Packages in the inventory. */
  maxPackages: number;
}

export const DEFAULT_INVENTORY_LIMITS: Readonly<InventoryLimits> = {
  maxLayerBytes: 16 * GiB,
  maxImageBytes: 64 * GiB,
  maxEntries: 2_000_000,
  maxPathLength: 4096,
  maxPathDepth: 256,
  maxFileBytes: 64 * MiB,
  maxExecutableBytes: 512 * MiB,
  maxArchiveBytes: 1 * GiB,
  maxArchiveExpandedBytes: 1 * GiB,
  maxArchiveEntries: 200_000,
  maxArchiveDepth: 3,
  maxPackages: 200_000,
};

/** The defaults with the caller's overrides, each checked to be a positive whole number. */
export function resolveInventoryLimits(overrides: Partial<InventoryLimits> = {}): InventoryLimits {
  const limits = { ...DEFAULT_INVENTORY_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`inventory limit ${name} must be a positive whole number, not ${String(value)}`);
  }
  return limits;
}

/** A byte count as people read it in an error message: 1.5 GiB, 64 MiB, 512 bytes. */
export function describeBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB], ['KiB', KiB]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}
