import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { VulnerabilityMetadataOps } from '../../ports/vulnerability-metadata.js';
import type { OsvRecord } from '../osv/record.js';
import { downloadToTempFile } from './download.js';
import { openOsvEntries } from './osv-entries.js';
import { parseOsvRecord } from './record-validation.js';

/** Records per transaction: large enough to amortise a commit, small enough to keep memory flat. */
const BATCH = 250;
/** Invalid entries reported by name and reason; beyond these they are only counted. */
const MAX_PROBLEMS = 100;

export interface OsvSource {
  /** A path (zip archive, directory of *.json, one JSON file) or an http(s) URL of a zip archive. */
  location: string;
  /** Default: from the location (`…/PyPI/all.zip` is PyPI; `…/advisories/` is advisories). */
  name?: string;
}

export type ImportProgress =
  | { phase: 'downloading'; source: string; bytes: number; totalBytes: number | undefined }
  | { phase: 'importing'; source: string; done: number; total: number; stored: number; unchanged: number; invalid: number };

export interface InvalidRecord {
  /** The zip entry or file. */
  entry: string;
  reason: string;
}

export interface OsvImportReport {
  source: string;
  /** The URL, or the absolute path, it was read from. */
  location: string;
  /** Valid records read. */
  records: number;
  /** New or changed records written. */
  stored: number;
  /** Records the database already had as they are. */
  unchanged: number;
  /** Records of the source's previous import that this one no longer held. */
  removed: number;
  invalid: number;
  /** The first invalid entries, with why. */
  problems: InvalidRecord[];
  newestModified: Date | undefined;
  importedAt: Date;
  seconds: number;
}

const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/** The name a source is known by when none is given: its file or directory name, or for `<name>/all.zip` the directory's. */
export function sourceNameOf(location: string): string {
  const path = isUrl(location) ? decodeURIComponent(new URL(location).pathname) : resolve(location);
  const parts = path.split('/').filter((part) => part !== '');
  const last = parts.at(-1) ?? location;
  const named = last.toLowerCase() === 'all.zip' && parts.length > 1 ? parts.at(-2)! : last;
  return named.replace(/\.(zip|json)$/i, '');
}

/**
 * Imports every record of an OSV source into the database, a batch of records per transaction, and
 * then records the import (the source's records it no longer holds are removed). Records the
 * database already has as published are skipped, so importing again is quick and changes
 * nothing. Invalid records are counted and reported, not fatal; an unreadable source is.
 */
export async function importOsv(
  source: OsvSource,
  port: VulnerabilityMetadataOps,
  onProgress: (progress: ImportProgress) => void = () => {},
  clock: Clock = systemClock,
): Promise<OsvImportReport> {
  const name = source.name ?? sourceNameOf(source.location);
  if (!isUrl(source.location)) return importFile(source.location, { name, location: resolve(source.location) }, port, onProgress, clock);
  const download = await downloadToTempFile(source.location, (bytes, totalBytes) => onProgress({ phase: 'downloading', source: name, bytes, totalBytes }));
  try {
    return await importFile(download.path, { name, location: source.location }, port, onProgress, clock);
  } finally {
    await download.remove();
  }
}

async function importFile(
  path: string,
  source: { name: string; location: string },
  port: VulnerabilityMetadataOps,
  onProgress: (progress: ImportProgress) => void,
  clock: Clock,
): Promise<OsvImportReport> {
  const started = performance.now();
  const { total, entries } = await openOsvEntries(path);
  const progress = { phase: 'importing' as const, source: source.name, done: 0, total, stored: 0, unchanged: 0, invalid: 0 };
  onProgress({ ...progress });
  const heldIds: string[] = [];
  const problems: InvalidRecord[] = [];
  let newest: number | undefined;
  let batch: OsvRecord[] = [];
  const flush = async () => {
    const result = await port.upsertOsvRecords(source.name, batch);
    progress.stored += result.stored;
    progress.unchanged += result.unchanged;
    batch = [];
    onProgress({ ...progress });
  };

  for await (const entry of entries) {
    progress.done++;
    if ('ignored' in entry) continue;
    const parsed = 'text' in entry ? parseOsvRecord(entry.text) : { problem: entry.problem };
    if ('record' in parsed) {
      const { record } = parsed;
      heldIds.push(record.id);
      newest = Math.max(newest ?? 0, Date.parse(record.modified));
      batch.push(record);
      if (batch.length >= BATCH) await flush();
    } else {
      progress.invalid++;
      // A stored copy of a record that is unreadable now is kept rather than removed.
      heldIds.push(parsed.id ?? entry.name.replace(/^.*\//, '').replace(/\.json$/, ''));
      if (problems.length < MAX_PROBLEMS) problems.push({ entry: entry.name, reason: parsed.problem });
    }
  }
  await flush();

  const records = heldIds.length - progress.invalid;
  const importedAt = clock.now();
  const newestModified = newest === undefined ? undefined : new Date(newest);
  const removed = await port.completeOsvImport({ source: source.name, location: source.location, recordCount: records, heldIds, newestModified, importedAt });
  return {
    source: source.name,
    location: source.location,
    records,
    stored: progress.stored,
    unchanged: progress.unchanged,
    removed,
    invalid: progress.invalid,
    problems,
    newestModified,
    importedAt,
    seconds: (performance.now() - started) / 1000,
  };
}
