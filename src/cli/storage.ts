import { type Command, Option } from 'commander';
import type { StorageHistoryPoint, StorageUsageReport } from '../domain/registry/storage-usage.js';
import { parseSince } from './audit.js';
import { type StoreFlags, storeOptions, withDomain } from './store-options.js';

interface StorageFlags extends StoreFlags {
  json?: boolean;
  history?: boolean;
  record?: boolean;
  repository?: string;
  since?: Date;
  storagePricePerGbMonth?: string;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units, as the price per GB counts them. */
export function humanBytes(bytes: number): string {
  let unit = 0;
  let value = bytes;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function dollars(amount: number): string {
  return amount > 0 && amount < 0.005 ? '<$0.01' : `$${amount.toFixed(2)}`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [header, ...rows].map(line).join('\n');
}

function render(report: StorageUsageReport): string {
  const rows = report.repositories.map((r) => [r.name, String(r.imageCount), humanBytes(r.bytes), dollars(r.estimatedMonthlyCost)]);
  const images = report.repositories.reduce((sum, r) => sum + r.imageCount, 0);
  rows.push(['total', String(images), humanBytes(report.totalBytes), dollars(report.estimatedMonthlyCost)]);
  return [
    table(['REPOSITORY', 'IMAGES', 'SIZE', 'EST. COST/MONTH'], rows),
    '',
    `The total counts each blob once; repositories sharing blobs save ${humanBytes(report.sharedSavingsBytes)} over the sum of their sizes.`,
    `Costs at $${report.pricePerGbMonth} per GB-month (storagePricePerGbMonth).`,
  ].join('\n');
}

function renderHistory(points: StorageHistoryPoint[], series: string): string {
  if (points.length === 0) return `no samples of ${series} (berth serve takes one every storageSampleInterval; berth storage --record takes one now)`;
  const rows = points.map((p) => [p.at.toISOString(), String(p.imageCount), humanBytes(p.bytes), dollars(p.estimatedMonthlyCost)]);
  return table(['TIME', 'IMAGES', 'SIZE', 'EST. COST/MONTH'], rows);
}

function renderRecorded(total: StorageHistoryPoint): string {
  return `recorded storage at ${total.at.toISOString()}: ${total.imageCount} images, ${humanBytes(total.bytes)} in all, ${dollars(total.estimatedMonthlyCost)}/month`;
}

/**
 * `berth storage`: bytes stored per repository and in all, with an estimated monthly cost; with
 * --history, the samples of them over time; with --record, a sample now.
 */
export function registerStorageCommands(program: Command): void {
  storeOptions(program.command('storage').description('bytes stored per repository and in all, and what they would cost a month on ECR'))
    .option('--storage-price-per-gb-month <usd>', 'price of a GB-month (BERTH_STORAGE_PRICE_PER_GB_MONTH; default 0.10, as ECR charges)')
    .addOption(new Option('--history', 'print the samples taken over time, oldest first, instead of the figures now').conflicts('record'))
    .option('--repository <name>', "with --history: this repository's samples instead of the registry's total")
    .option('--since <time>', 'with --history: only samples at or after this ISO 8601 time', parseSince)
    .option('--record', 'take a sample now (for cron, when the server does not sample: storageSampleInterval 0)')
    .option('--json', 'print the report, the samples or the sample taken as JSON')
    .action(async ({ json = false, history = false, record = false, repository, since, ...flags }: StorageFlags, command: Command) => {
      if (!history && (repository !== undefined || since !== undefined)) command.error('error: --repository and --since go with --history');
      await withDomain(flags, async ({ storageUsage }) => {
        if (history) {
          const points = await storageUsage.history({ repositoryName: repository, since });
          process.stdout.write(`${json ? JSON.stringify(points, null, 2) : renderHistory(points, repository ?? 'the registry')}\n`);
        } else if (record) {
          const total = await storageUsage.recordSample();
          process.stdout.write(`${json ? JSON.stringify(total, null, 2) : renderRecorded(total)}\n`);
        } else {
          const report = await storageUsage.report();
          process.stdout.write(`${json ? JSON.stringify(report, null, 2) : render(report)}\n`);
        }
      });
    });
}
