import type { Command } from 'commander';
import type { VulnerabilitySourceStatus } from '../domain/ports/vulnerability-metadata.js';
import { type ImportProgress, importOsv, type OsvImportReport } from '../domain/scanning/vulndb/import.js';
import { ProgressBar } from './progress-bar.js';
import { humanBytes, table } from './storage.js';
import { type StoreFlags, storeOptions, withDomain } from './store-options.js';

interface ImportFlags extends StoreFlags {
  name?: string;
}

interface StatusFlags extends StoreFlags {
  json?: boolean;
}

const count = new Intl.NumberFormat('en-US');

/** Draws an import's progress: entries (or bytes, while downloading) done of all, and the rate since the phase began. */
function progressDrawer(bar: ProgressBar): (progress: ImportProgress) => void {
  let phase: ImportProgress['phase'] | undefined;
  let began = 0;
  return (progress) => {
    if (progress.phase !== phase) [phase, began] = [progress.phase, Date.now()];
    const seconds = Math.max((Date.now() - began) / 1000, 0.001);
    if (progress.phase === 'downloading') {
      const of = progress.totalBytes === undefined ? '' : ` of ${humanBytes(progress.totalBytes)}`;
      bar.show(`${progress.source}: downloading ${humanBytes(progress.bytes)}${of}, ${humanBytes(Math.round(progress.bytes / seconds))}/s`, progress.totalBytes && progress.bytes / progress.totalBytes);
    } else {
      const rate = count.format(Math.round(progress.done / seconds));
      bar.show(`${progress.source}: ${count.format(progress.done)}/${count.format(progress.total)} records, ${rate}/s`, progress.total === 0 ? 1 : progress.done / progress.total);
    }
  };
}

function summary(report: OsvImportReport): string {
  const counts = `${report.stored} imported, ${report.unchanged} unchanged, ${report.removed} removed, ${report.invalid} invalid`;
  return `${report.source}: ${report.records} records (${counts}) in ${report.seconds.toFixed(1)} s from ${report.location}`;
}

function renderStatus(sources: VulnerabilitySourceStatus[]): string {
  if (sources.length === 0) return 'no vulnerability data yet: import OSV records with berth vulndb import';
  const rows = sources.map((s) => [s.name, String(s.recordCount), s.lastImportedAt.toISOString(), s.newestModified?.toISOString() ?? '-', s.location]);
  return table(['SOURCE', 'RECORDS', 'LAST IMPORT', 'NEWEST RECORD', 'LOCATION'], rows);
}

/** `berth vulndb import` and `berth vulndb status`: the OSV records scans are matched against. */
export function registerVulndbCommands(program: Command): void {
  const vulndb = program.command('vulndb').description('the vulnerability database scans are matched against: OSV records');

  storeOptions(
    vulndb
      .command('import <location...>')
      .description(
        'import OSV records from a zip archive as osv.dev publishes them (<ecosystem>/all.zip), a directory of *.json records, ' +
          'one JSON record, or the http(s) URL of a zip archive; importing again only writes what changed (safe while the server runs)',
      ),
  )
    .option('--name <source>', 'the source to import into (default: from the location, so …/PyPI/all.zip is PyPI); with one location only')
    .action(async (locations: string[], { name, ...storeFlags }: ImportFlags, command: Command) => {
      if (name !== undefined && locations.length > 1) command.error('error: --name goes with one location');
      await withDomain(storeFlags, async ({ metadata }) => {
        for (const location of locations) {
          const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
          try {
            const report = await importOsv({ location, ...(name !== undefined && { name }) }, metadata, bar && progressDrawer(bar));
            bar?.clear();
            process.stdout.write(`${summary(report)}\n`);
            for (const problem of report.problems) process.stderr.write(`  invalid ${problem.entry}: ${problem.reason}\n`);
            if (report.invalid > report.problems.length) process.stderr.write(`  … and ${report.invalid - report.problems.length} more invalid\n`);
          } catch (err) {
            bar?.clear();
            process.stderr.write(`berth: cannot import ${location}: ${(err as Error).message}\n`);
            process.exitCode = 1;
          }
        }
      });
    });

  storeOptions(vulndb.command('status').description('the sources imported: records, last import and newest record of each'))
    .option('--json', 'print the status as JSON')
    .action(async ({ json = false, ...storeFlags }: StatusFlags) => {
      await withDomain(storeFlags, async ({ metadata }) => {
        const sources = await metadata.vulnerabilitySources();
        if (json) {
          const updatedAt = await metadata.vulnerabilityDataUpdatedAt();
          const printed = sources.map((source) => ({ ...source, newestModified: source.newestModified ?? null }));
          process.stdout.write(`${JSON.stringify({ updatedAt: updatedAt ?? null, sources: printed }, null, 2)}\n`);
        } else {
          process.stdout.write(`${renderStatus(sources)}\n`);
        }
      });
    });
}
