import { SemVer } from 'semver';
import { defineOrdering } from './ordering.js';

/**
 * Semantic Versioning 2.0 precedence: npm's order, and the order of OSV's SEMVER ranges. A leading
 * `v` is accepted (OSV writes versions without it, Go modules with it); build metadata is ignored.
 * Shorthands some advisories write (1.90, 8.0) and Go allows (v1, v1.2) read as 1.90.0, 8.0.0.
 */
const SHORTHAND = /^(v?\d+)(?:\.(\d+))?$/;

function strictSemver(version: string): SemVer | undefined {
  try {
    return new SemVer(version);
  } catch {
    return undefined;
  }
}

export function parseSemver(version: string): SemVer | undefined {
  const shorthand = SHORTHAND.exec(version);
  return strictSemver(shorthand ? `${shorthand[1]}.${shorthand[2] ?? '0'}.0` : version);
}

export const semverOrdering = defineOrdering('SemVer', parseSemver, (a, b) => a.compare(b));
