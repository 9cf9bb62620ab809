import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { Services } from '../app/compose.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ImageScanRecord } from '../domain/ports/scan-metadata.js';
import type { ImageIdentifier } from '../domain/registry/ecr-errors.js';
import { MAX_ECR_PAGE_SIZE } from '../domain/registry/page-tokens.js';
import type { Finding } from '../domain/scanning/osv/match.js';
import type { Severity } from '../domain/scanning/severity.js';
import { compareText } from '../domain/scanning/versions/characters.js';
import { type StoreFlags, storeOptions, withServices } from './store-options.js';

/** An image as the command line names it. */
export interface ImageArgument {
  repository: string;
  imageId: ImageIdentifier;
  /** As written, for messages. */
  label: string;
}

interface ScanFlags extends StoreFlags {
  json?: boolean;
}

/** Most severe first, as the report lists them. */
const REPORT_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
/** How often to look again while another process (a running server) has the scan. */
const POLL_MS = 500;

/** `repository[:tag|@digest]`, as docker names images; no tag means latest. Repository names have no colon. */
export function parseImageArgument(text: string): ImageArgument {
  const [, repository, tag, digest] = /^([^:@]+)(?::([^:@]+)|@(.+))?$/.exec(text) ?? [];
  if (repository === undefined) throw new InvalidArgumentError('expected repository[:tag|@digest]');
  const imageId = digest !== undefined ? { imageDigest: digest } : { imageTag: tag ?? 'latest' };
  return { repository, imageId, label: text };
}

/** StartImageScan's quota, said the CLI's way. */
async function quotaExceeded(services: Services, image: ImageArgument): Promise<DomainError> {
  const { scan } = await services.registry.scans.findings(image.repository, image.imageId, { maxResults: 1 });
  return new DomainError(
    'LIMIT_EXCEEDED',
    `${image.label} was last scanned at ${scan.requestedAt.toISOString()}: basic scanning scans an image at most once in 24 hours, scans on push included, ` +
      'as Amazon ECR does. Its findings are those of that scan (aws ecr describe-image-scan-findings).',
  );
}

/**
 * Requests a scan of the image and runs the pending scans in this process until the image's has
 * finished; while a running server has claimed it, waits for the server to finish it.
 */
async function scanImage(services: Services, image: ImageArgument): Promise<{ imageDigest: string; scan: ImageScanRecord }> {
  const { scans } = services.registry;
  const started = await scans.start(image.repository, image.imageId).catch(async (err: unknown) => {
    throw isDomainError(err, 'LIMIT_EXCEEDED') ? await quotaExceeded(services, image) : err;
  });
  const { imageDigest } = started;
  for (let waited = false; ; waited = true) {
    await services.scanRunner.drain();
    const scan = (await scans.scansOf(started.scan.repositoryId, [imageDigest])).get(imageDigest);
    if (scan === undefined) throw new DomainError('SCAN_NOT_FOUND', `the scan of ${image.label} is gone: the image was deleted, or the scan type changed, while it ran`);
    if (scan.status !== 'IN_PROGRESS') return { imageDigest, scan };
    if (!waited) process.stderr.write(`berth: another process (a running server) is scanning ${image.label}; waiting for it to finish\n`);
    await sleep(POLL_MS);
  }
}

async function allFindings(services: Services, repository: string, imageDigest: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  let nextToken: string | undefined;
  do {
    const page = await services.registry.scans.findings(repository, { imageDigest }, { maxResults: MAX_ECR_PAGE_SIZE, ...(nextToken !== undefined && { nextToken }) });
    findings.push(...page.findings);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return findings;
}

/** Columns padded to their widest cell, left-aligned (every column here is text). */
function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const severityRank = (severity: Severity) => REPORT_ORDER.indexOf(severity);

function render(image: ImageArgument, imageDigest: string, scan: ImageScanRecord, findings: Finding[]): string {
  const lines = [`${image.label} (${imageDigest}): ${scan.status}${scan.description ? `: ${scan.description}` : ''}`];
  if (scan.status !== 'COMPLETE') return lines.join('\n');
  if (scan.vulnerabilitySourceUpdatedAt) lines.push(`vulnerability data updated ${scan.vulnerabilitySourceUpdatedAt.toISOString()}`);
  const counts = REPORT_ORDER.flatMap((severity) => (scan.severityCounts?.[severity] ? [`${severity} ${scan.severityCounts[severity]}`] : []));
  lines.push(`${findings.length} finding(s)${counts.length ? `: ${counts.join(', ')}` : ''}`);
  if (findings.length === 0) return lines.join('\n');
  const sorted = [...findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || compareText(a.packageName, b.packageName) || compareText(a.vulnerabilityId, b.vulnerabilityId),
  );
  const rows = sorted.map((f) => [f.vulnerabilityId, f.severity, f.packageName, f.packageVersion, f.fixedInVersion ?? '-']);
  return [...lines, '', columns([['VULNERABILITY', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED IN'], ...rows])].join('\n');
}

/**
 * `berth scan <image>`: scans the image now, in this process (offline, in CI), and prints the
 * outcome: status, severity counts and findings. Exits 1 when the scan failed.
 */
export function registerScanCommand(program: Command): void {
  storeOptions(
    program
      .command('scan')
      .argument('<image>', 'repository[:tag|@digest]; the tag defaults to latest', parseImageArgument)
      .description('scan an image for vulnerabilities now and print its findings (basic scanning allows one scan per image in 24 hours, as ECR does)'),
  )
    .option('--json', 'print the status, severity counts and findings as JSON')
    .action(async (image: ImageArgument, { json = false, ...storeFlags }: ScanFlags) => {
      const output = await withServices(storeFlags, async (services) => {
        const { imageDigest, scan } = await scanImage(services, image);
        const findings = scan.status === 'COMPLETE' ? await allFindings(services, image.repository, imageDigest) : [];
        if (scan.status === 'COMPLETE' && scan.vulnerabilitySourceUpdatedAt === null) {
          process.stderr.write('berth: no vulnerability data has been imported, so none could be found: see berth vulndb import\n');
        }
        if (scan.status === 'FAILED') process.exitCode = 1;
        if (!json) return render(image, imageDigest, scan, findings);
        return JSON.stringify(
          {
            repositoryName: image.repository,
            imageDigest,
            imageScanStatus: { status: scan.status, description: scan.description },
            imageScanCompletedAt: scan.completedAt,
            vulnerabilitySourceUpdatedAt: scan.vulnerabilitySourceUpdatedAt,
            findingSeverityCounts: scan.severityCounts,
            findings,
          },
          null,
          2,
        );
      });
      process.stdout.write(`${output}\n`);
    });
}
