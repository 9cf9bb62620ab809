import { DomainError } from '../errors.js';
import { matchesWildcard } from '../model/wildcard.js';
import type { ScanType } from '../ports/scan-metadata.js';

export type ScanFrequency = 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';

export interface ScanningRepositoryFilter {
  filter: string;
  filterType: 'WILDCARD';
}

export interface RegistryScanningRule {
  scanFrequency: ScanFrequency;
  repositoryFilters: ScanningRepositoryFilter[];
}

export interface RegistryScanningConfiguration {
  scanType: ScanType;
  rules: RegistryScanningRule[];
}

/** What applies to one repository (ECR's RepositoryScanningConfiguration without the name and ARN). */
export interface RepositoryScanning {
  scanType: ScanType;
  scanFrequency: ScanFrequency;
  scanOnPush: boolean;
  appliedScanFilters: ScanningRepositoryFilter[];
}

/** Without a registry configuration ECR scans BASIC, manually. */
export const DEFAULT_SCANNING_CONFIGURATION: RegistryScanningConfiguration = { scanType: 'BASIC', rules: [] };

/** Which frequencies each scan type allows (ECR: basic scanning only scans on push, or by hand). */
const ALLOWED_FREQUENCIES: Record<ScanType, readonly ScanFrequency[]> = {
  BASIC: ['SCAN_ON_PUSH'],
  ENHANCED: ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN'],
};

/** A rule's frequency outranks another's when both match: continuous scanning includes scanning on push. */
const FREQUENCY_RANK: Record<ScanFrequency, number> = { MANUAL: 0, SCAN_ON_PUSH: 1, CONTINUOUS_SCAN: 2 };

/** Checks what the service model cannot: which frequencies the scan type allows. */
export function validateScanningConfiguration(configuration: RegistryScanningConfiguration): RegistryScanningConfiguration {
  for (const rule of configuration.rules) {
    if (!ALLOWED_FREQUENCIES[configuration.scanType].includes(rule.scanFrequency)) {
      throw new DomainError(
        'INVALID_PARAMETER',
        `Invalid parameter at 'rules' failed to satisfy constraint: 'scanFrequency ${rule.scanFrequency} is not supported for scanType ${configuration.scanType}; ${configuration.scanType} supports ${ALLOWED_FREQUENCIES[configuration.scanType].join(', ')}'`,
      );
    }
  }
  return configuration;
}

/**
 * A WILDCARD filter with `*` must match the whole name; one without matches any name containing
 * it (ECR's documented behaviour: "prod" selects "prod-api" and "team/prod").
 */
export function filterMatches(filter: string, repositoryName: string): boolean {
  return filter.includes('*') ? matchesWildcard(filter, repositoryName) : repositoryName.includes(filter);
}

/**
 * The scanning that applies to a repository: the highest-ranked registry rule with a filter that
 * matches it. Basic scanning also honours the repository's own `scanOnPush` (ECR's older,
 * repository-level setting, which create-repository still takes); enhanced scanning only its rules.
 */
export function repositoryScanning(configuration: RegistryScanningConfiguration, repositoryName: string, repositoryScanOnPush: boolean): RepositoryScanning {
  let best: RepositoryScanning = { scanType: configuration.scanType, scanFrequency: 'MANUAL', scanOnPush: false, appliedScanFilters: [] };
  for (const rule of configuration.rules) {
    const applied = rule.repositoryFilters.filter((f) => filterMatches(f.filter, repositoryName));
    if (applied.length > 0 && FREQUENCY_RANK[rule.scanFrequency] > FREQUENCY_RANK[best.scanFrequency]) {
      best = { scanType: configuration.scanType, scanFrequency: rule.scanFrequency, scanOnPush: true, appliedScanFilters: applied };
    }
  }
  if (best.scanFrequency === 'MANUAL' && configuration.scanType === 'BASIC' && repositoryScanOnPush) {
    best = { ...best, scanFrequency: 'SCAN_ON_PUSH', scanOnPush: true };
  }
  return best;
}
