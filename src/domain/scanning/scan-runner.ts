import { INDEX_TYPES } from '../model/media-types.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { ScanClaim, ScanResult, SeverityCounts } from '../ports/scan-metadata.js';
import { ScanInputError } from './inventory/scan-input-error.js';
import type { Inventory } from './inventory/model.js';
import { type Finding, matchInventory } from './osv/match.js';
import { osvPackageRef } from './osv/ecosystems.js';

/** A layer as the image manifest lists it. */
export interface LayerRef {
  digest: string;
  mediaType: string;
  size: number;
}

/**
 * Reads an image's inventory from its layers (in manifest order), away from request handling (a
 * worker thread, app/scan-workers.ts). Rejects with ScanInputError for hostile or unreadable layers.
 */
export type InventoryReader = (layers: readonly LayerRef[]) => Promise<Inventory>;

/** ECR's descriptions of scan outcomes, word for word where ECR has one. */
export const SCAN_DESCRIPTIONS = {
  complete: 'The scan was completed successfully.',
  unsupportedImage: 'UnsupportedImageError: The operating system and/or package manager are not supported.',
  index: 'UnsupportedImageError: This is an image index (multi-platform image); scan the image of each platform instead.',
  artifact: (configType: string) => `UnsupportedImageError: The artifact's config type ${configType} is not a container image.`,
  crashed: (attempts: number) => `Scanning stopped ${attempts} times without finishing (the process was killed or ran out of memory); the image was not scanned.`,
} as const;

/** Config media types of container images; anything else is an artifact (a Helm chart, a signature, an SBOM). */
const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/** How long a claimed scan is its worker's; a worker that dies releases it by expiry. */
const SCAN_LEASE_MS = 10 * 60_000;
/** A scan claimed this many times without finishing is given up (it keeps killing its worker). */
const MAX_ATTEMPTS = 3;

/** Counts findings per ECR severity. */
export function severityCounts(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = {};
  for (const finding of findings) counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  return counts;
}

/** Matches an inventory against the vulnerability database in the metadata store. */
export async function matchStoredInventory(metadata: MetadataStore, inventory: Inventory): Promise<Finding[]> {
  return matchInventory(inventory, { affected: (ecosystem, names) => metadata.affectedFor(ecosystem, names), records: (ids) => metadata.osvRecordsById(ids) });
}

/**
 * Works through requested scans: claims one (a durable row with a lease, so a restart or another
 * node picks up what a dead worker left), reads the image's inventory through the InventoryReader,
 * matches it and records the outcome.
 */
export class ScanRunner {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly readInventory: InventoryReader,
  ) {}

  /** Runs one pending scan; resolves false when there was none. */
  async runNext(): Promise<boolean> {
    const now = this.clock.now();
    const claim = await this.metadata.claimScan(now, new Date(now.getTime() + SCAN_LEASE_MS));
    if (!claim) return false;
    const result = claim.attempts > MAX_ATTEMPTS ? this.outcome('FAILED', SCAN_DESCRIPTIONS.crashed(claim.attempts - 1)) : await this.scan(claim);
    await this.metadata.completeScan(claim.repositoryId, claim.manifestDigest, claim.scanType, claim.attempts, result);
    return true;
  }

  /** Runs pending scans until none is left. */
  async drain(): Promise<number> {
    let count = 0;
    while (await this.runNext()) count++;
    return count;
  }

  private async scan(claim: ScanClaim): Promise<ScanResult> {
    const manifest = await this.metadata.getManifest(claim.repositoryId, claim.manifestDigest);
    if (!manifest) return this.outcome('FAILED', 'The image was deleted before it was scanned.');
    if (INDEX_TYPES.has(manifest.mediaType)) return this.outcome('UNSUPPORTED_IMAGE', SCAN_DESCRIPTIONS.index);
    const document = JSON.parse(Buffer.from(manifest.payload).toString('utf8')) as { config?: { mediaType?: string }; layers?: LayerRef[] };
    const configType = document.config?.mediaType ?? '';
    if (!IMAGE_CONFIG_TYPES.has(configType)) return this.outcome('UNSUPPORTED_IMAGE', SCAN_DESCRIPTIONS.artifact(configType));
    let inventory: Inventory;
    try {
      inventory = await this.readInventory((document.layers ?? []).map(({ digest, mediaType, size }) => ({ digest, mediaType, size })));
    } catch (err) {
      if (err instanceof ScanInputError) return this.outcome(err.problem === 'unsupported' ? 'UNSUPPORTED_IMAGE' : 'FAILED', err.message);
      throw err;
    }
    // Nothing Berth can match: no known operating system and no package it reads.
    if (!inventory.packages.some((pkg) => osvPackageRef(inventory.os, pkg) !== undefined)) {
      return { ...this.outcome('UNSUPPORTED_IMAGE', SCAN_DESCRIPTIONS.unsupportedImage), inventory };
    }
    const findings = await matchStoredInventory(this.metadata, inventory);
    return {
      status: 'COMPLETE',
      description: SCAN_DESCRIPTIONS.complete,
      completedAt: this.clock.now(),
      inventory,
      findings,
      severityCounts: severityCounts(findings),
      vulnerabilitySourceUpdatedAt: (await this.metadata.vulnerabilityDataUpdatedAt()) ?? null,
    };
  }

  private outcome(status: ScanResult['status'], description: string): ScanResult {
    return { status, description, completedAt: this.clock.now(), inventory: null, findings: [], severityCounts: null, vulnerabilitySourceUpdatedAt: null };
  }
}
