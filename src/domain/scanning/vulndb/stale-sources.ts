import type { Clock } from '../../ports/clock.js';
import type { VulnerabilityMetadataOps } from '../../ports/vulnerability-metadata.js';
import { importOsv, type OsvImportReport, sourceNameOf } from './import.js';

export type SourceUpdate = { location: string; report: OsvImportReport } | { location: string; error: Error };

/**
 * Imports each of `locations` whose source was last imported `maxAgeMs` ago or more (or never),
 * one after the other. Staleness is read from the database, so several nodes sharing it import a
 * source about once per period between them, and a restart does not import again. A source that
 * fails is reported and the others still run.
 */
export async function importStaleSources(
  locations: readonly string[],
  port: VulnerabilityMetadataOps,
  maxAgeMs: number,
  clock: Clock,
): Promise<SourceUpdate[]> {
  const updates: SourceUpdate[] = [];
  for (const location of locations) {
    const status = (await port.vulnerabilitySources()).find((source) => source.name === sourceNameOf(location));
    if (status !== undefined && clock.now().getTime() - status.lastImportedAt.getTime() < maxAgeMs) continue;
    try {
      updates.push({ location, report: await importOsv({ location }, port, undefined, clock) });
    } catch (err) {
      updates.push({ location, error: err as Error });
    }
  }
  return updates;
}
