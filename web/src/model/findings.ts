/** Scan findings of either scan type (basic or enhanced) as one row shape for the findings table. */
import type { EnhancedImageScanFinding, ImageScanFinding } from '../api/ecr.js';

export interface FindingRow {
  key: string;
  name: string;
  severity: string;
  description: string | undefined;
  packageName: string | undefined;
  packageVersion: string | undefined;
  fixedIn: string | undefined;
  uri: string | undefined;
  score: number | undefined;
}

function attribute(finding: ImageScanFinding, ...keys: string[]): string | undefined {
  return finding.attributes?.find((a) => keys.includes(a.key))?.value;
}

export function basicFindingRow(finding: ImageScanFinding, index: number): FindingRow {
  const score = attribute(finding, 'CVSS4_SCORE', 'CVSS3_SCORE', 'CVSS2_SCORE');
  const packageName = attribute(finding, 'package_name');
  return {
    key: `${finding.name}|${packageName}|${index}`,
    name: finding.name ?? 'Unnamed finding',
    severity: finding.severity ?? 'UNDEFINED',
    description: finding.description,
    packageName,
    packageVersion: attribute(finding, 'package_version'),
    fixedIn: attribute(finding, 'fixed_in_version'),
    uri: finding.uri,
    score: score === undefined ? undefined : Number(score),
  };
}

export function enhancedFindingRow(finding: EnhancedImageScanFinding, index: number): FindingRow {
  const details = finding.packageVulnerabilityDetails;
  const packages = details?.vulnerablePackages ?? [];
  const fixed = [...new Set(packages.map((p) => p.fixedInVersion).filter(Boolean))];
  return {
    key: finding.findingArn ?? `${details?.vulnerabilityId}|${index}`,
    name: details?.vulnerabilityId ?? finding.title ?? 'Unnamed finding',
    severity: finding.severity ?? 'UNDEFINED',
    description: finding.description,
    packageName: [...new Set(packages.map((p) => p.name))].join(', ') || undefined,
    packageVersion: [...new Set(packages.map((p) => p.version))].join(', ') || undefined,
    fixedIn: fixed.join(', ') || undefined,
    uri: details?.sourceUrl ?? finding.remediation?.recommendation?.url,
    score: finding.score,
  };
}
