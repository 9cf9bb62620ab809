/**
 * Real published OSV records for tests, read from the archives beside the repository
 * (../shared/vulndb/<ecosystem>/all.zip, see PROVENANCE.md there). Tests that need them skip
 * with `vulndbUnavailable()` as the reason when the archives are absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import type { OsvRecord } from '../../src/domain/scanning/osv/record.js';
import { repoRoot } from './tools.js';

export type ArchivedEcosystem = 'Debian' | 'PyPI' | 'npm';

export const VULNDB_DIR = path.join(repoRoot, '..', 'shared', 'vulndb');

export function osvArchive(ecosystem: ArchivedEcosystem): string {
  return path.join(VULNDB_DIR, ecosystem, 'all.zip');
}

/** Why the archives cannot be used, or undefined when they can: pass it as `{ skip }`. */
export function vulndbUnavailable(): string | undefined {
  const missing = (['Debian', 'PyPI', 'npm'] as const).map(osvArchive).filter((archive) => !existsSync(archive));
  return missing.length > 0 ? `real OSV archives missing: ${missing.join(', ')}` : undefined;
}

/** The JSON texts of the records with these ids, exactly as archived; rejects when one is missing. */
export async function osvRecordTexts(ecosystem: ArchivedEcosystem, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = new Set(ids.map((id) => `${id}.json`));
  const texts = new Map<string, string>();
  const zip = await yauzl.openPromise(osvArchive(ecosystem), { lazyEntries: true });
  try {
    for await (const entry of zip.eachEntry()) {
      if (!wanted.has(entry.fileName)) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      texts.set(entry.fileName.slice(0, -'.json'.length), Buffer.concat(chunks).toString('utf8'));
      if (texts.size === wanted.size) break;
    }
  } finally {
    zip.close();
  }
  const missing = ids.filter((id) => !texts.has(id));
  if (missing.length > 0) throw new Error(`not in the ${ecosystem} archive: ${missing.join(', ')}`);
  return texts;
}

/** The records with these ids, in the order asked. */
export async function osvRecords(ecosystem: ArchivedEcosystem, ids: readonly string[]): Promise<OsvRecord[]> {
  const texts = await osvRecordTexts(ecosystem, ids);
  return ids.map((id) => JSON.parse(texts.get(id)!) as OsvRecord);
}
