/** ECR's finding severities, most severe first, and how the console orders and counts them. */
import type { FindingSeverity } from '../api/ecr.js';

export const SEVERITIES: readonly FindingSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/** 0 for CRITICAL up; anything unknown sorts after UNDEFINED. */
export function severityRank(severity: string | undefined): number {
  const rank = SEVERITIES.indexOf(severity as FindingSeverity);
  return rank === -1 ? SEVERITIES.length : rank;
}

export function severityLabel(severity: string): string {
  return severity.charAt(0) + severity.slice(1).toLowerCase();
}

export type SeverityCounts = Partial<Record<FindingSeverity, number>>;

export function totalFindings(counts: SeverityCounts | undefined): number {
  return Object.values(counts ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
}
