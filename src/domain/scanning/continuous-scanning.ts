import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { matchStoredInventory, severityCounts } from './scan-runner.js';
import type { ImageScans } from './image-scans.js';
import { repositoryScanning } from './scanning-configuration.js';

const BATCH = 100;

export interface RematchReport {
  images: number;
  /** Vulnerability ids found that the image's previous match did not report, summed over images. */
  newFindings: number;
}

/**
 * Enhanced scanning's CONTINUOUS_SCAN: when the vulnerability database changes, the stored
 * inventory of each continuously scanned image is matched again (no layer is read), its findings
 * replaced, and each new vulnerability recorded in the audit log as `scan.new-findings`.
 */
export class ContinuousScanning {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly scans: ImageScans,
  ) {}

  async rematch(): Promise<RematchReport> {
    const report: RematchReport = { images: 0, newFindings: 0 };
    const configuration = await this.scans.configuration();
    const updatedAt = await this.metadata.vulnerabilityDataUpdatedAt();
    if (configuration.scanType !== 'ENHANCED' || !updatedAt) return report;
    // Scans come grouped by repository: whether it is scanned continuously is decided once per repository.
    const continuous = new Map<string, boolean>();
    const isContinuous = async (name: string): Promise<boolean> => {
      if (!continuous.has(name)) {
        const repository = await this.metadata.getRepository(name);
        continuous.set(name, repository !== undefined && repositoryScanning(configuration, name, repository.settings.imageScanningConfiguration.scanOnPush).scanFrequency === 'CONTINUOUS_SCAN');
      }
      return continuous.get(name)!;
    };
    let after: { repositoryId: number; manifestDigest: string } | undefined;
    for (;;) {
      const stale = await this.metadata.listStaleScans('ENHANCED', updatedAt, after, BATCH);
      if (stale.length === 0) return report;
      for (const scan of stale) {
        after = { repositoryId: scan.repositoryId, manifestDigest: scan.manifestDigest };
        const name = scan.repositoryName;
        if (!(await isContinuous(name))) continue;
        const inventory = await this.metadata.getScanInventory(scan.repositoryId, scan.manifestDigest, 'ENHANCED');
        if (!inventory) continue;
        const before = new Set((await this.metadata.getScanFindings(scan.repositoryId, scan.manifestDigest, 'ENHANCED')).map((f) => `${f.vulnerabilityId} ${f.packageName}`));
        const findings = await matchStoredInventory(this.metadata, inventory);
        const added = findings.filter((f) => !before.has(`${f.vulnerabilityId} ${f.packageName}`));
        const now = this.clock.now();
        await this.metadata.transaction(async (tx) => {
          await tx.updateScanFindings(scan.repositoryId, scan.manifestDigest, 'ENHANCED', findings, severityCounts(findings), updatedAt, now);
          if (added.length > 0) {
            await tx.appendAuditEvents(
              added.map((f) => ({
                at: now,
                action: 'scan.new-findings',
                repositoryName: name,
                imageDigest: scan.manifestDigest,
                detail: { vulnerabilityId: f.vulnerabilityId, packageName: f.packageName, packageVersion: f.packageVersion, severity: f.severity, ...(f.fixedInVersion && { fixedInVersion: f.fixedInVersion }) },
              })),
            );
          }
        });
        report.images++;
        report.newFindings += added.length;
      }
    }
  }
}
