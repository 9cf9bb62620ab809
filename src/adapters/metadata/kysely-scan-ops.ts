import type { Kysely, Selectable } from 'kysely';
import type { ImageScanRecord, ScanClaim, ScanMetadataOps, ScanResult, ScanStatus, ScanTrigger, ScanType, SeverityCounts } from '../../domain/ports/scan-metadata.js';
import type { Inventory } from '../../domain/scanning/inventory/model.js';
import type { Finding } from '../../domain/scanning/osv/match.js';
import { KyselyVulnerabilityOps } from './kysely-vulnerability-ops.js';
import type { Database, ImageScansTable } from './schema.js';

/** Digests per `in` list, far below every driver's parameter limit. */
const CHUNK = 500;

/** Image scans: the durable scan jobs and their results, on either dialect. */
export class KyselyScanOps extends KyselyVulnerabilityOps implements ScanMetadataOps {
  async requestScan(input: { repositoryId: number; manifestDigest: string; scanType: ScanType; trigger: ScanTrigger; at: Date }): Promise<void> {
    const pending = {
      status: 'IN_PROGRESS' satisfies ScanStatus,
      description: null,
      trigger: input.trigger,
      requested_at: input.at.getTime(),
      completed_at: null,
      leased_until: null,
      attempts: 0,
    };
    await this.db
      .insertInto('image_scans')
      .values({ repository_id: input.repositoryId, manifest_digest: input.manifestDigest, scan_type: input.scanType, ...pending })
      // The previous result stays readable as inventory and findings until the new one replaces them.
      .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'scan_type']).doUpdateSet(pending))
      .execute();
  }

  async claimScan(now: Date, leaseUntil: Date): Promise<ScanClaim | undefined> {
    // Servers poll every second: looking first, without a transaction, keeps an idle poll from
    // taking SQLite's write lock (and the process's one connection while it waits for it).
    if (!(await this.dueScans(this.db, now).select('s.repository_id').limit(1).executeTakeFirst())) return undefined;
    return this.atomic(async (db) => {
      const due = await this.dueScans(db, now)
        .innerJoin('repositories as r', 'r.id', 's.repository_id')
        .select(['s.repository_id', 'r.name', 's.manifest_digest', 's.scan_type', 's.attempts'])
        .orderBy('s.requested_at')
        .limit(1)
        .$if(this.rowLocks, (q) => q.forUpdate().skipLocked())
        .executeTakeFirst();
      if (!due) return undefined;
      const attempts = due.attempts + 1;
      await db
        .updateTable('image_scans')
        .set({ leased_until: leaseUntil.getTime(), attempts })
        .where('repository_id', '=', due.repository_id)
        .where('manifest_digest', '=', due.manifest_digest)
        .where('scan_type', '=', due.scan_type)
        .execute();
      return { repositoryId: due.repository_id, repositoryName: due.name, manifestDigest: due.manifest_digest, scanType: due.scan_type as ScanType, attempts };
    });
  }

  async completeScan(repositoryId: number, manifestDigest: string, scanType: ScanType, claimedAttempts: number, result: ScanResult): Promise<boolean> {
    const updated = await this.db
      .updateTable('image_scans')
      .set({
        status: result.status,
        description: result.description,
        completed_at: result.completedAt.getTime(),
        leased_until: null,
        inventory: result.inventory && JSON.stringify(result.inventory),
        findings: JSON.stringify(result.findings),
        severity_counts: result.severityCounts && JSON.stringify(result.severityCounts),
        source_updated_at: result.vulnerabilitySourceUpdatedAt?.getTime() ?? null,
      })
      .where('repository_id', '=', repositoryId)
      .where('manifest_digest', '=', manifestDigest)
      .where('scan_type', '=', scanType)
      .where('status', '=', 'IN_PROGRESS')
      .where('attempts', '=', claimedAttempts)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  async getImageScan(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<ImageScanRecord | undefined> {
    return (await this.getImageScans(repositoryId, [manifestDigest], scanType)).get(manifestDigest);
  }

  async getImageScans(repositoryId: number, manifestDigests: readonly string[], scanType: ScanType): Promise<Map<string, ImageScanRecord>> {
    const scans = new Map<string, ImageScanRecord>();
    for (let i = 0; i < manifestDigests.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('image_scans')
        .select(RECORD_COLUMNS)
        .where('repository_id', '=', repositoryId)
        .where('scan_type', '=', scanType)
        .where('manifest_digest', 'in', manifestDigests.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) scans.set(row.manifest_digest, toImageScan(row));
    }
    return scans;
  }

  async getScanFindings(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<Finding[]> {
    const row = await this.scanRow(repositoryId, manifestDigest, scanType).select('findings').executeTakeFirst();
    return row?.findings ? (JSON.parse(row.findings) as Finding[]) : [];
  }

  async getScanInventory(repositoryId: number, manifestDigest: string, scanType: ScanType): Promise<Inventory | undefined> {
    const row = await this.scanRow(repositoryId, manifestDigest, scanType).select('inventory').executeTakeFirst();
    return row?.inventory ? (JSON.parse(row.inventory) as Inventory) : undefined;
  }

  async listStaleScans(scanType: ScanType, sourceUpdatedBefore: Date, after: { repositoryId: number; manifestDigest: string } | undefined, limit: number): Promise<(ImageScanRecord & { repositoryName: string })[]> {
    const rows = await this.db
      .selectFrom('image_scans as s')
      .innerJoin('repositories as r', 'r.id', 's.repository_id')
      .select(RECORD_COLUMNS.map((column) => `s.${column}` as const))
      .select('r.name')
      .where('s.scan_type', '=', scanType)
      .where('s.status', '=', 'COMPLETE')
      .where('s.inventory', 'is not', null)
      .where((w) => w.or([w('s.source_updated_at', 'is', null), w('s.source_updated_at', '<', sourceUpdatedBefore.getTime())]))
      .$if(after !== undefined, (q) =>
        q.where((w) =>
          w.or([
            w('s.repository_id', '>', after!.repositoryId),
            w.and([w('s.repository_id', '=', after!.repositoryId), w('s.manifest_digest', '>', after!.manifestDigest)]),
          ]),
        ),
      )
      .orderBy('s.repository_id')
      .orderBy('s.manifest_digest')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...toImageScan(row), repositoryName: row.name }));
  }

  async updateScanFindings(repositoryId: number, manifestDigest: string, scanType: ScanType, findings: Finding[], severityCounts: SeverityCounts, vulnerabilitySourceUpdatedAt: Date | null, at: Date): Promise<void> {
    await this.db
      .updateTable('image_scans')
      .set({ findings: JSON.stringify(findings), severity_counts: JSON.stringify(severityCounts), source_updated_at: vulnerabilitySourceUpdatedAt?.getTime() ?? null, completed_at: at.getTime() })
      .where('repository_id', '=', repositoryId)
      .where('manifest_digest', '=', manifestDigest)
      .where('scan_type', '=', scanType)
      .where('status', '=', 'COMPLETE')
      .execute();
  }

  private dueScans(db: Kysely<Database>, now: Date) {
    return db
      .selectFrom('image_scans as s')
      .where('s.status', '=', 'IN_PROGRESS')
      .where((w) => w.or([w('s.leased_until', 'is', null), w('s.leased_until', '<=', now.getTime())]));
  }

  private scanRow(repositoryId: number, manifestDigest: string, scanType: ScanType) {
    return this.db.selectFrom('image_scans').where('repository_id', '=', repositoryId).where('manifest_digest', '=', manifestDigest).where('scan_type', '=', scanType);
  }
}

const RECORD_COLUMNS = [
  'repository_id',
  'manifest_digest',
  'scan_type',
  'status',
  'description',
  'trigger',
  'requested_at',
  'completed_at',
  'source_updated_at',
  'severity_counts',
] as const satisfies readonly (keyof ImageScansTable)[];

function toImageScan(row: Pick<Selectable<ImageScansTable>, (typeof RECORD_COLUMNS)[number]>): ImageScanRecord {
  return {
    repositoryId: row.repository_id,
    manifestDigest: row.manifest_digest,
    scanType: row.scan_type as ScanType,
    status: row.status as ScanStatus,
    description: row.description,
    trigger: row.trigger as ScanTrigger,
    requestedAt: new Date(Number(row.requested_at)),
    completedAt: row.completed_at === null ? null : new Date(Number(row.completed_at)),
    vulnerabilitySourceUpdatedAt: row.source_updated_at === null ? null : new Date(Number(row.source_updated_at)),
    severityCounts: row.severity_counts === null ? null : (JSON.parse(row.severity_counts) as SeverityCounts),
  };
}
