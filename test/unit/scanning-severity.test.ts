/** Severity of findings, from real published OSV records (../shared/vulndb). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { OsvRecord } from '../../src/domain/scanning/osv/record.js';
import { assessSeverity, cvssBaseScore, severityForScore, type SeveritySource } from '../../src/domain/scanning/severity.js';
import { osvRecords, vulndbUnavailable } from '../support/osv-archive.js';

describe('CVSS base scores', () => {
  it("computes the scores of FIRST's documented examples", () => {
    // CVSS v2 guide §3.3.1 (CVE-2002-0392), v3.1 examples (CVE-2014-0160), v4.0 calculator defaults.
    assert.deepEqual(cvssBaseScore('CVSS_V2', 'AV:N/AC:L/Au:N/C:N/I:N/A:C'), { version: '2.0', baseScore: 7.8 });
    assert.deepEqual(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'), { version: '3.1', baseScore: 7.5 });
    assert.deepEqual(cvssBaseScore('CVSS_V3', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), { version: '3.0', baseScore: 9.8 });
    assert.deepEqual(cvssBaseScore('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), { version: '4.0', baseScore: 9.3 });
  });

  it('scores a v4.0 vector by its base metrics, not its threat metrics', () => {
    assert.deepEqual(cvssBaseScore('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:P'), { version: '4.0', baseScore: 8.7 });
  });

  it('gives nothing for an incomplete vector or a severity that is not CVSS', () => {
    assert.equal(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:N'), undefined);
    assert.equal(cvssBaseScore('CVSS_V3', 'garbage'), undefined);
    assert.equal(cvssBaseScore('Ubuntu', 'medium'), undefined);
  });

  it("maps scores to ECR's severities", () => {
    const cases: [number, string][] = [[10, 'CRITICAL'], [9, 'CRITICAL'], [8.9, 'HIGH'], [7, 'HIGH'], [6.9, 'MEDIUM'], [4, 'MEDIUM'], [3.9, 'LOW'], [0.1, 'LOW'], [0, 'INFORMATIONAL']];
    for (const [score, severity] of cases) assert.equal(severityForScore(score), severity, String(score));
  });
});

describe('severity of findings', { skip: vulndbUnavailable() }, () => {
  const records = new Map<string, OsvRecord>();
  before(async () => {
    const debian = await osvRecords('Debian', ['CVE-2023-4911', 'DSA-5514-1', 'CVE-2024-1271', 'CVE-2005-2151']);
    const npm = await osvRecords('npm', ['GHSA-g77x-44xx-532m', 'GHSA-q9r2-f3vc-rjg8', 'GHSA-8vq4-8hfp-29xh']);
    for (const record of [...debian, ...npm]) records.set(record.id, record);
  });
  /** A record with its affected entry for `ecosystem`. */
  const source = (id: string, ecosystem: string): SeveritySource => {
    const record = records.get(id)!;
    return { record, affected: record.affected!.find((affected) => affected.package?.ecosystem === ecosystem)! };
  };

  it("scores a CVSS vector, keeping Debian's urgency as the vendor's word", () => {
    assert.deepEqual(assessSeverity([source('CVE-2023-4911', 'Debian:12')]), {
      severity: 'HIGH',
      primaryCvss: { version: '3.1', baseScore: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', source: 'CVE-2023-4911' },
      cvss: [{ version: '3.1', baseScore: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', source: 'CVE-2023-4911' }],
      vendorSeverity: 'not yet assigned',
    });
  });

  it("takes a merged finding's severity from whichever record has one", () => {
    assert.equal(assessSeverity([source('DSA-5514-1', 'Debian:12')]).severity, 'UNDEFINED');
    assert.equal(assessSeverity([source('DSA-5514-1', 'Debian:12'), source('CVE-2023-4911', 'Debian:12')]).severity, 'HIGH');
  });

  it('prefers CVSS v3.1 to v4.0 and keeps both, with GitHub severity as the vendor word', () => {
    const assessed = assessSeverity([source('GHSA-g77x-44xx-532m', 'npm')]);
    assert.equal(assessed.severity, 'MEDIUM');
    assert.equal(assessed.vendorSeverity, 'MODERATE');
    assert.deepEqual(
      assessed.cvss.map(({ version, baseScore }) => [version, baseScore]),
      [['3.1', 5.9], ['4.0', 8.2]],
    );
    assert.equal(assessed.primaryCvss?.version, '3.1');
  });

  it('uses a v4.0 vector when it is the only one', () => {
    const assessed = assessSeverity([source('GHSA-8vq4-8hfp-29xh', 'npm')]);
    assert.deepEqual([assessed.severity, assessed.primaryCvss?.baseScore, assessed.vendorSeverity], ['HIGH', 8.7, 'HIGH']);
  });

  it("falls back to GitHub's severity without a vector", () => {
    assert.deepEqual(assessSeverity([source('GHSA-q9r2-f3vc-rjg8', 'npm')]), { severity: 'HIGH', cvss: [], vendorSeverity: 'HIGH' });
  });

  it("falls back to Debian's urgency without a vector", () => {
    assert.deepEqual(assessSeverity([source('CVE-2024-1271', 'Debian:12')]), { severity: 'INFORMATIONAL', cvss: [], vendorSeverity: 'unimportant' });
    assert.deepEqual(assessSeverity([source('CVE-2005-2151', 'Debian:12')]), { severity: 'LOW', cvss: [], vendorSeverity: 'low' });
  });
});
