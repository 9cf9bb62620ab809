import type { Inventory } from '../scanning/inventory/model.js';
import type { Finding } from '../scanning/osv/match.js';

/** ECR's scan types: BASIC (scan on push or manual) and ENHANCED (adds continuous scanning). */
export type ScanType = 'BASIC' | 'ENHANCED';

/** ECR's `imageScanStatus.status` values Berth reports. */
export type ScanStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

/** Why a scan was asked for. */
export type ScanTrigger = 'PUSH' | 'MANUAL';

export type SeverityCounts = Record<string, number>;

/** An image's latest scan of one type: the durable job while IN_PROGRESS, its result after. */
export interface ImageScanRecord {
  repositoryId: number;
  manifestDigest: string;
  scanType: ScanType;
  status: ScanStatus;
  description: string | null;
  trigger: ScanTrigger;
  requestedAt: Date;
  completedAt: Date | null;
  /** When the vulnerability data last matched against the inventory changed (ECR's vulnerabilitySourceUpdatedAt). */
  vulnerabilitySourceUpdatedAt: Date | null;
  severityCounts: SeverityCounts | null;
}

/** A scan a worker has claimed, until its lease ends. */
export interface ScanClaim {
  repositoryId: number;
  repositoryName: string;
  manifestDigest: string;
  scanType: ScanType;
  /** How many times it has been claimed, this time included: a scan that keeps killing its worker is given up. */
  attempts: number;
}

export interface ScanResult {
  status: Exclude<ScanStatus, 'IN_PROGRESS'>;
  description: string;
  completedAt: Date;
  inventory: Inventory | null;
  findings: Finding[];
  severityCounts: SeverityCounts | null;
  vulnerabilitySourceUpdatedAt: Date | null;
}

export interface ScanMetadataOps {
  /**
   * Starts a scan of the image: its record becomes IN_PROGRESS (a previous result of the type is
   * replaced) and workers may claim it. The manifest must exist.
   */
  requestScan(input: { repositoryId: number; manifestDigest: string; scanType: ScanType; trigger: ScanTrigger; at: Date }): Promise<void>;
  /** The oldest IN_PROGRESS scan nobody holds (or whose lease ran out), leased to the caller until `leaseUntil`. */
  claimScan(now: Date, leaseUntil: Date): Promise<ScanClaim | undefined>;
  /**
   * Records a claimed scan's outcome; resolves false (changing nothing) when the scan was requested
   * again since (its record is no longer the one claimed) or the image is gone.
   */
  completeScan(repositoryId: number, manifestDigest: string, scanType: ScanType, claimedAttempts: number, result: ScanResult): Promise<boolean>;
  getImageScan(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<ImageScanRecord | undefined>;
  /** The records of these images' scans of the type, by digest. */
  getImageScans(repositoryId: number, manifestDigests: readonly string[], scanType: ScanType): Promise<Map<string, ImageScanRecord>>;
  getScanFindings(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<Finding[]>;
  getScanInventory(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<Inventory | undefined>;
  /**
   * Completed scans with an inventory matched against vulnerability data older than `sourceUpdatedBefore`,
   * in (repository id, digest) order after `after`: what continuous scanning re-matches.
   */
  listStaleScans(scanType: ScanType, sourceUpdatedBefore: Date, after: { repositoryId: number; manifestDigest: string } | undefined, limit: number): Promise<(ImageScanRecord & { repositoryName: string })[]>;
  /** Replaces a completed scan's findings after re-matching its stored inventory. */
  updateScanFindings(repositoryId: number, manifestDigest: string, scanType: ScanType, findings: Finding[], severityCounts: SeverityCounts, vulnerabilitySourceUpdatedAt: Date | null, at: Date): Promise<void>;
}
