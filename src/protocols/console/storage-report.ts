import { invalidParameter } from '../../domain/model/invalid-parameter.js';
import type { AccessControl } from '../../domain/policy/access-control.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { StorageUsage } from '../../domain/registry/storage-usage.js';
import { type ConsoleCall, consoleAccessRequest, queryText } from './console-call.js';

/** How far back the chart of storage over time goes unless asked (`days`, up to the 400 days samples are kept). */
const HISTORY_DAYS = 30;
const MAX_HISTORY_DAYS = 400;
const DAY_MS = 86_400_000;

export interface StorageReportDeps {
  storageUsage: StorageUsage;
  access: AccessControl;
  clock: Clock;
}

export interface StorageReportView {
  pricePerGbMonth: number;
  /** Absent unless the caller may ecr:DescribeRegistry. */
  registry?: { bytes: number; images: number; monthlyCost: number };
  /** Only repositories the caller may ecr:DescribeRepositories. */
  repositories: Array<{ repositoryName: string; bytes: number; images: number; monthlyCost: number }>;
  /** The registry's total over time, oldest first; absent unless the caller may ecr:DescribeRegistry. */
  history?: Array<{ at: string; bytes: number }>;
}

/** GET /console/api/storage[?days=]: what `berth storage` reports, cut to what the caller may see. */
export async function storageReport(deps: StorageReportDeps, call: ConsoleCall, query: unknown): Promise<StorageReportView> {
  const days = historyDays(queryText(query, 'days'));
  const report = await deps.storageUsage.report();
  const [registryVisible, ...repositoriesVisible] = await Promise.all([
    deps.access.isAllowed(consoleAccessRequest(call, 'ecr:DescribeRegistry', { kind: 'registry' })),
    ...report.repositories.map((r) => deps.access.isAllowed(consoleAccessRequest(call, 'ecr:DescribeRepositories', { kind: 'repository', name: r.name }))),
  ]);
  const repositories = report.repositories
    .filter((_, i) => repositoriesVisible[i])
    .map((r) => ({ repositoryName: r.name, bytes: r.bytes, images: r.imageCount, monthlyCost: r.estimatedMonthlyCost }));
  if (!registryVisible) return { pricePerGbMonth: report.pricePerGbMonth, repositories };
  const history = await deps.storageUsage.history({ since: new Date(deps.clock.now().getTime() - days * DAY_MS) });
  return {
    pricePerGbMonth: report.pricePerGbMonth,
    registry: { bytes: report.totalBytes, images: report.repositories.reduce((sum, r) => sum + r.imageCount, 0), monthlyCost: report.estimatedMonthlyCost },
    repositories,
    history: history.map((point) => ({ at: point.at.toISOString(), bytes: point.bytes })),
  };
}

function historyDays(text: string | undefined): number {
  if (text === undefined) return HISTORY_DAYS;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) {
    throw invalidParameter('days', `Member must be a whole number from 1 to ${MAX_HISTORY_DAYS}`);
  }
  return days;
}
