// Findings as DescribeImageScanFindings shapes them: the basic shape's attributes, with Berth's
// fixed_in_version where a fix is known, and the enhanced shape's fixedInVersion alongside.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/domain/scanning/osv/match.js';
import { basicFinding, enhancedFinding } from '../../src/protocols/ecr/scan-findings.js';

const finding: Finding = {
  vulnerabilityId: 'CVE-2023-4911',
  relatedVulnerabilities: ['DSA-5514-1'],
  recordIds: ['CVE-2023-4911'],
  ecosystem: 'Debian:12',
  packageName: 'glibc',
  packageVersion: '2.36-9+deb12u1',
  packages: [{ type: 'deb', name: 'libc6', version: '2.36-9+deb12u1', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u1', arch: 'amd64', path: 'var/lib/dpkg/status' }],
  fixedInVersion: '2.36-9+deb12u3',
  severity: 'HIGH',
  cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', baseScore: 7.8, source: 'CVE-2023-4911' }],
  description: 'Buffer overflow in ld.so (Looney Tunables).',
  uri: 'https://security-tracker.debian.org/tracker/CVE-2023-4911',
  referenceUrls: [],
  modifiedAt: '2024-01-01T00:00:00Z',
};

describe('scan findings on the ECR wire', () => {
  it('gives basic findings the package, the CVSS score and the fixed version as attributes', () => {
    assert.deepEqual(basicFinding(finding), {
      name: 'CVE-2023-4911',
      description: finding.description,
      uri: finding.uri,
      severity: 'HIGH',
      attributes: [
        { key: 'package_version', value: '2.36-9+deb12u1' },
        { key: 'package_name', value: 'glibc' },
        { key: 'fixed_in_version', value: '2.36-9+deb12u3' },
        { key: 'CVSS3_VECTOR', value: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' },
        { key: 'CVSS3_SCORE', value: '7.8' },
      ],
    });
  });

  it('leaves fixed_in_version out when no fix is known', () => {
    const { fixedInVersion: _fixed, ...unfixed } = finding;
    assert.ok(!basicFinding(unfixed).attributes!.some((a) => a.key === 'fixed_in_version'));
  });

  it('puts the same fixed version on every vulnerable package of the enhanced shape', () => {
    const image = { repositoryName: 'app', imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['v1'], pushedAt: new Date(0), observedAt: new Date(0) };
    const enhanced = enhancedFinding(finding, image, { account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(enhanced.packageVulnerabilityDetails?.vulnerablePackages?.map((p) => p.fixedInVersion), ['2.36-9+deb12u3']);
  });
});
