import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../src/domain/errors.js';
import { filterMatches, repositoryScanning, validateScanningConfiguration } from '../../src/domain/scanning/scanning-configuration.js';

const wildcard = (filter: string) => ({ filter, filterType: 'WILDCARD' as const });

describe('registry scanning configuration', () => {
  it('matches filters as ECR documents: a * pattern whole, a plain filter anywhere in the name', () => {
    assert.equal(filterMatches('prod*', 'prod-api'), true);
    assert.equal(filterMatches('prod*', 'team/prod-api'), false);
    assert.equal(filterMatches('*', 'anything/at/all'), true);
    assert.equal(filterMatches('prod', 'team/prod-api'), true);
    assert.equal(filterMatches('prod', 'team/staging'), false);
  });

  it('allows only scan on push for basic scanning', () => {
    assert.throws(
      () => validateScanningConfiguration({ scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [wildcard('*')] }] }),
      (err: unknown) => err instanceof DomainError && err.code === 'INVALID_PARAMETER' && /CONTINUOUS_SCAN is not supported for scanType BASIC/.test(err.message),
    );
    validateScanningConfiguration({ scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [wildcard('*')] }] });
  });

  it('applies the highest frequency among the matching rules, and a repository-level scanOnPush under basic scanning only', () => {
    const enhanced = {
      scanType: 'ENHANCED' as const,
      rules: [
        { scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [wildcard('team')] },
        { scanFrequency: 'CONTINUOUS_SCAN' as const, repositoryFilters: [wildcard('team/prod*'), wildcard('other')] },
      ],
    };
    assert.deepEqual(repositoryScanning(enhanced, 'team/prod-api', false), { scanType: 'ENHANCED', scanFrequency: 'CONTINUOUS_SCAN', scanOnPush: true, appliedScanFilters: [wildcard('team/prod*')] });
    assert.equal(repositoryScanning(enhanced, 'team/dev', false).scanFrequency, 'SCAN_ON_PUSH');
    assert.equal(repositoryScanning(enhanced, 'solo', true).scanFrequency, 'MANUAL');
    assert.equal(repositoryScanning({ scanType: 'BASIC', rules: [] }, 'solo', true).scanFrequency, 'SCAN_ON_PUSH');
    assert.equal(repositoryScanning({ scanType: 'BASIC', rules: [] }, 'solo', false).scanFrequency, 'MANUAL');
  });
});
