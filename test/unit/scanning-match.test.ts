/** Matching installed packages against real published OSV records (../shared/vulndb). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InstalledPackage, Inventory, OperatingSystem } from '../../src/domain/scanning/inventory/model.js';
import { osvPackageRef } from '../../src/domain/scanning/osv/ecosystems.js';
import { isAffected, matchInventory, type AffectedEntry, type VulnerabilityLookup } from '../../src/domain/scanning/osv/match.js';
import type { OsvAffected, OsvRecord } from '../../src/domain/scanning/osv/record.js';
import { apkOrdering } from '../../src/domain/scanning/versions/apk.js';
import { dpkgOrdering } from '../../src/domain/scanning/versions/dpkg.js';
import { goOrdering } from '../../src/domain/scanning/versions/go.js';
import { mavenOrdering } from '../../src/domain/scanning/versions/maven.js';
import type { VersionOrdering } from '../../src/domain/scanning/versions/ordering.js';
import { pep440Ordering } from '../../src/domain/scanning/versions/pep440.js';
import { rubyGemsOrdering } from '../../src/domain/scanning/versions/rubygems.js';
import { semverOrdering } from '../../src/domain/scanning/versions/semver.js';
import { packageKey } from '../../src/domain/scanning/vulndb/package-key.js';
import { osvRecords, vulndbUnavailable } from '../support/osv-archive.js';

const DEBIAN_12: OperatingSystem = { id: 'debian', versionId: '12', codename: 'bookworm' };
const ALPINE_3_19: OperatingSystem = { id: 'alpine', versionId: '3.19.1' };

const deb = (name: string, source: string, sourceVersion: string): InstalledPackage => ({
  type: 'deb',
  name,
  version: sourceVersion,
  sourceName: source,
  sourceVersion,
  path: 'var/lib/dpkg/status',
});

/** The vulnerability database as the store answers it, over these records, counting its calls. */
function databaseOf(records: OsvRecord[]): VulnerabilityLookup & { calls: [string, readonly string[]][] } {
  const entries = new Map<string, AffectedEntry[]>();
  const byId = new Map(records.map((record) => [record.id, record]));
  for (const record of records) {
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem === undefined || affected.package.name === undefined) continue;
      const key = `${affected.package.ecosystem} ${packageKey(affected.package.ecosystem, affected.package.name)}`;
      entries.set(key, [...(entries.get(key) ?? []), { recordId: record.id, withdrawn: record.withdrawn !== undefined, affected }]);
    }
  }
  const calls: [string, readonly string[]][] = [];
  return {
    calls,
    async affected(ecosystem: string, names: readonly string[]) {
      calls.push([ecosystem, names]);
      return names.flatMap((name) => entries.get(`${ecosystem} ${name}`) ?? []);
    },
    async records(ids: readonly string[]) {
      return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
    },
  };
}

describe('OSV evaluation of one affected entry', { skip: vulndbUnavailable() }, () => {
  const records = new Map<string, OsvRecord>();
  before(async () => {
    const found = [
      ...(await osvRecords('Debian', ['CVE-2023-4911', 'CVE-2023-5678'])),
      ...(await osvRecords('PyPI', ['PYSEC-2021-428'])),
      ...(await osvRecords('npm', ['GHSA-mpp5-2x55-49xw', 'GHSA-fw5f-7c6c-3vmv', 'GHSA-q69p-5h74-w36f', 'GHSA-5844-q3fc-56rh'])),
    ];
    for (const record of found) records.set(record.id, record);
  });
  /** The record's entries for this package, each evaluated; affected when any is. */
  const affects = (id: string, ecosystem: string, name: string, version: string, ordering: VersionOrdering = dpkgOrdering) => {
    const entries = records.get(id)!.affected!.filter((affected: OsvAffected) => affected.package?.ecosystem === ecosystem && affected.package.name === name);
    assert.ok(entries.length > 0, `${id} names ${ecosystem} ${name}`);
    return entries.some((affected) => isAffected(affected, version, ordering));
  };

  it('reads a Debian range: fixed is the first version not affected', () => {
    assert.equal(affects('CVE-2023-4911', 'Debian:12', 'glibc', '2.36-9+deb12u2'), true);
    assert.equal(affects('CVE-2023-4911', 'Debian:12', 'glibc', '2.36-9+deb12u3'), false);
    assert.equal(affects('CVE-2023-4911', 'Debian:12', 'glibc', '2.36-9+deb12u10'), false);
    assert.equal(affects('CVE-2023-4911', 'Debian:12', 'glibc', '2.31-13'), true);
  });

  it('orders Alpine versions by apk', () => {
    assert.equal(affects('CVE-2023-5678', 'Alpine:v3.19', 'openssl', '3.1.4-r0', apkOrdering), true);
    assert.equal(affects('CVE-2023-5678', 'Alpine:v3.19', 'openssl', '3.1.4-r1', apkOrdering), false);
  });

  it('reads several introduced/fixed pairs in one range, and ignores GIT ranges', () => {
    const nbdime = (version: string) => records.get('PYSEC-2021-428')!.affected!.some((affected) => isAffected(affected, version, pep440Ordering));
    assert.deepEqual(
      ['0.1.0.dev', '1.1.0', '1.1.1', '1.2.0', '2.0.0', '2.1.1', '3.1.0', '3.1.1', '4.0.0'].map(nbdime),
      [true, true, false, false, true, false, true, false, false],
    );
  });

  it('reads SEMVER ranges in SemVer order, last_affected included', () => {
    const svg2png = records.get('GHSA-mpp5-2x55-49xw')!.affected![0]!;
    assert.deepEqual(['4.1.0', '4.1.1', '4.1.2', '5.0.0-beta.1'].map((version) => isAffected(svg2png, version, semverOrdering)), [true, true, false, false]);
  });

  it("reads GitHub's shorthand SEMVER bounds (fixed: 8.0)", () => {
    assert.equal(affects('GHSA-fw5f-7c6c-3vmv', 'npm', 'primefaces', '7.0.0', semverOrdering), true);
    assert.equal(affects('GHSA-fw5f-7c6c-3vmv', 'npm', 'primefaces', '8.0.0', semverOrdering), false);
  });

  it('orders Maven, RubyGems and Go versions by their own rules', () => {
    const cases: [string, string, string, string, boolean, VersionOrdering][] = [
      ['GHSA-fw5f-7c6c-3vmv', 'Maven', 'org.primefaces:primefaces', '7.0.11', true, mavenOrdering],
      ['GHSA-fw5f-7c6c-3vmv', 'Maven', 'org.primefaces:primefaces', '8.0.RC1', true, mavenOrdering],
      ['GHSA-fw5f-7c6c-3vmv', 'Maven', 'org.primefaces:primefaces', '8.0', false, mavenOrdering],
      ['GHSA-5844-q3fc-56rh', 'Maven', 'com.pubnub:pubnub', '4.6.5', true, mavenOrdering],
      ['GHSA-5844-q3fc-56rh', 'Maven', 'com.pubnub:pubnub', '4.6.6', false, mavenOrdering],
      ['GHSA-q69p-5h74-w36f', 'RubyGems', 'mapbox-rails', '1.6.1.1', true, rubyGemsOrdering],
      ['GHSA-q69p-5h74-w36f', 'RubyGems', 'mapbox-rails', '1.6.6', false, rubyGemsOrdering],
      ['GHSA-q69p-5h74-w36f', 'RubyGems', 'mapbox-rails', '2.2.3', true, rubyGemsOrdering],
      ['GHSA-q69p-5h74-w36f', 'RubyGems', 'mapbox-rails', '0.9.0', false, rubyGemsOrdering],
      ['GHSA-5844-q3fc-56rh', 'Go', 'github.com/pubnub/go/v7', 'v7.1.2', true, goOrdering],
      ['GHSA-5844-q3fc-56rh', 'Go', 'github.com/pubnub/go/v7', 'v7.2.0', false, goOrdering],
      ['GHSA-5844-q3fc-56rh', 'Go', 'github.com/pubnub/go', 'v4.10.0+incompatible', true, goOrdering],
      ['GHSA-5844-q3fc-56rh', 'Go', 'github.com/pubnub/go', 'v4.10.1-0.20200101000000-abcdefabcdef', false, goOrdering],
    ];
    for (const [id, ecosystem, name, version, expected, ordering] of cases) {
      assert.equal(affects(id, ecosystem, name, version, ordering), expected, `${name} ${version}`);
    }
  });

  it('matches a version it cannot order only by the versions list', () => {
    const glibc = records.get('CVE-2023-4911')!.affected!.find((affected) => affected.package?.ecosystem === 'Debian:12')!;
    assert.equal(isAffected(glibc, 'not a version', dpkgOrdering), false);
    const nbdime = records.get('PYSEC-2021-428')!.affected![0]!;
    assert.equal(isAffected(nbdime, '0.1.0.dev', pep440Ordering), true);
  });
});

describe("the schema's evaluation rules", () => {
  // Range fragments in the shapes of the schema's own examples (https://ossf.github.io/osv-schema/#examples), not records.
  const semver = (...events: Record<string, string>[]): OsvAffected => ({ ranges: [{ type: 'SEMVER', events }] });

  it('sorts events before evaluating them', () => {
    const unsorted = semver({ introduced: '3.0.0' }, { fixed: '3.2.5' }, { introduced: '1.0.0' }, { fixed: '1.0.2' });
    assert.deepEqual(['0.9.0', '1.0.0', '1.0.1', '1.0.2', '2.0.0', '3.0.0', '3.2.4', '3.2.5'].map((v) => isAffected(unsorted, v, semverOrdering)), [
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it('reads introduced "0" as before every version and only limits with limit', () => {
    const everything = semver({ introduced: '0' });
    assert.equal(isAffected(everything, '0.0.0-alpha', semverOrdering), true);
    const limited = semver({ introduced: '1.0.0' }, { limit: '2.0.0' });
    assert.deepEqual(['0.9.0', '1.5.0', '2.0.0', '3.0.0'].map((v) => isAffected(limited, v, semverOrdering)), [false, true, false, false]);
    const unlimited = semver({ introduced: '1.0.0' }, { limit: '*' });
    assert.equal(isAffected(unlimited, '9.0.0', semverOrdering), true);
  });

  it('reads an empty range (introduced and fixed at one version) as affecting nothing', () => {
    assert.equal(isAffected(semver({ introduced: '1.0.0' }, { fixed: '1.0.0' }), '1.0.0', semverOrdering), false);
  });
});

describe('OSV packages of installed packages', () => {
  const pkg = (type: InstalledPackage['type'], name: string, version: string, source?: Partial<InstalledPackage>): InstalledPackage => ({ type, name, version, path: 'x', ...source });

  it('looks distribution packages up by source package in the release', () => {
    assert.deepEqual(osvPackageRef(DEBIAN_12, deb('libc6', 'glibc', '2.36-9+deb12u2')), { ecosystems: ['Debian:12'], name: 'glibc', version: '2.36-9+deb12u2' });
    // A binNMU: the binary's version is not the source's.
    assert.deepEqual(osvPackageRef(DEBIAN_12, pkg('deb', 'libfoo1', '1.0-1+b1', { sourceName: 'foo', sourceVersion: '1.0-1' })), { ecosystems: ['Debian:12'], name: 'foo', version: '1.0-1' });
    assert.deepEqual(osvPackageRef(DEBIAN_12, pkg('deb', 'bash', '5.2.15-2+b2')), { ecosystems: ['Debian:12'], name: 'bash', version: '5.2.15-2+b2' });
    assert.deepEqual(osvPackageRef({ id: 'ubuntu', versionId: '22.04' }, pkg('deb', 'libssl3', '3.0.2-0ubuntu1.15', { sourceName: 'openssl' }))?.ecosystems, ['Ubuntu:22.04:LTS']);
    assert.deepEqual(osvPackageRef({ id: 'ubuntu', versionId: '23.10' }, pkg('deb', 'bash', '5.2.15-2'))?.ecosystems, ['Ubuntu:23.10']);
    assert.deepEqual(osvPackageRef(ALPINE_3_19, pkg('apk', 'libcrypto3', '3.1.4-r0', { sourceName: 'openssl' })), { ecosystems: ['Alpine:v3.19'], name: 'openssl', version: '3.1.4-r0' });
    assert.deepEqual(osvPackageRef({ id: 'rocky', versionId: '9.3' }, pkg('rpm', 'openssl-libs', '1:3.0.7-27.el9', { sourceName: 'openssl' })), {
      ecosystems: ['Rocky Linux:9'],
      name: 'openssl',
      version: '1:3.0.7-27.el9',
    });
    assert.deepEqual(osvPackageRef({ id: 'almalinux', versionId: '9.4' }, pkg('rpm', 'bash', '5.1.8-9.el9'))?.ecosystems, ['AlmaLinux:9']);
    assert.deepEqual(osvPackageRef({ id: 'rhel', versionId: '9.3' }, pkg('rpm', 'bash', '5.1.8-9.el9'))?.ecosystems, [
      'Red Hat:enterprise_linux:9::baseos',
      'Red Hat:enterprise_linux:9::appstream',
    ]);
  });

  it('looks language packages up by their ecosystem, PyPI names normalised', () => {
    assert.deepEqual(osvPackageRef(undefined, pkg('pypi', 'Flask_Caching', '1.10.1')), { ecosystems: ['PyPI'], name: 'flask-caching', version: '1.10.1' });
    assert.deepEqual(osvPackageRef(DEBIAN_12, pkg('npm', '@solana/web3.js', '1.90.1'))?.ecosystems, ['npm']);
    assert.deepEqual(osvPackageRef(undefined, pkg('golang', 'github.com/pubnub/go/v7', 'v7.1.2'))?.ecosystems, ['Go']);
    assert.deepEqual(osvPackageRef(undefined, pkg('maven', 'com.pubnub:pubnub', '4.6.5'))?.name, 'com.pubnub:pubnub');
    assert.deepEqual(osvPackageRef(undefined, pkg('gem', 'mapbox-rails', '1.6.1.1'))?.ecosystems, ['RubyGems']);
  });

  it('has none for packages of an unknown or mismatched distribution', () => {
    assert.equal(osvPackageRef(undefined, deb('libc6', 'glibc', '2.36-9')), undefined);
    assert.equal(osvPackageRef(ALPINE_3_19, deb('libc6', 'glibc', '2.36-9')), undefined);
    assert.equal(osvPackageRef({ id: 'fedora', versionId: '40' }, pkg('rpm', 'bash', '5.2.26-3.fc40')), undefined);
    assert.equal(osvPackageRef({ id: 'debian', versionId: '' }, deb('libc6', 'glibc', '2.36-9')), undefined);
  });
});

describe('matching an inventory', { skip: vulndbUnavailable() }, () => {
  const records = new Map<string, OsvRecord>();
  before(async () => {
    const found = [
      ...(await osvRecords('Debian', ['CVE-2023-4911', 'DSA-5514-1', 'CVE-2023-5678'])),
      ...(await osvRecords('PyPI', ['PYSEC-2021-428', 'PYSEC-2021-13', 'PYSEC-2021-861'])),
      ...(await osvRecords('npm', ['GHSA-p6rw-44q7-3fw4', 'GHSA-mpp5-2x55-49xw', 'GHSA-5844-q3fc-56rh', 'GHSA-q69p-5h74-w36f'])),
    ];
    for (const record of found) records.set(record.id, record);
  });
  const database = (...ids: string[]) => databaseOf(ids.map((id) => records.get(id)!));
  const glibc = (version: string): Inventory => ({ os: DEBIAN_12, packages: [deb('libc6', 'glibc', version), deb('libc-bin', 'glibc', version), deb('zlib1g', 'zlib', '1:1.2.13.dfsg-1')] });

  it('reports CVE-2023-4911 once for glibc 2.36-9+deb12u2, with DSA-5514-1 folded in', async () => {
    const lookup = database('CVE-2023-4911', 'DSA-5514-1');
    const [finding, ...others] = await matchInventory(glibc('2.36-9+deb12u2'), lookup);
    assert.deepEqual(others, []);
    assert.deepEqual(lookup.calls, [['Debian:12', ['glibc', 'zlib']]]);
    const { description, referenceUrls, ...rest } = finding!;
    assert.deepEqual(rest, {
      vulnerabilityId: 'CVE-2023-4911',
      relatedVulnerabilities: ['DSA-5514-1'],
      recordIds: ['CVE-2023-4911', 'DSA-5514-1'],
      ecosystem: 'Debian:12',
      packageName: 'glibc',
      packageVersion: '2.36-9+deb12u2',
      packages: glibc('2.36-9+deb12u2').packages.slice(0, 2),
      fixedInVersion: '2.36-9+deb12u3',
      severity: 'HIGH',
      primaryCvss: { version: '3.1', baseScore: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', source: 'CVE-2023-4911' },
      cvss: [{ version: '3.1', baseScore: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', source: 'CVE-2023-4911' }],
      vendorSeverity: 'not yet assigned',
      title: 'glibc - security update',
      uri: 'https://security-tracker.debian.org/tracker/CVE-2023-4911',
      publishedAt: '2023-10-03T18:15:10Z',
      modifiedAt: '2025-01-27T23:52:29.288316Z',
    });
    assert.match(description, /^A buffer overflow was discovered in the GNU C Library's dynamic loader ld\.so/);
    assert.ok(referenceUrls.includes('https://www.debian.org/security/2023/dsa-5514'));
  });

  it('reports nothing for glibc 2.36-9+deb12u3, where it is fixed', async () => {
    assert.deepEqual(await matchInventory(glibc('2.36-9+deb12u3'), database('CVE-2023-4911', 'DSA-5514-1')), []);
  });

  it('reports a Debian advisory under its own id when none of its CVEs matched', async () => {
    const findings = await matchInventory(glibc('2.36-9+deb12u2'), database('DSA-5514-1'));
    assert.deepEqual(
      findings.map(({ vulnerabilityId, relatedVulnerabilities, fixedInVersion, severity }) => ({ vulnerabilityId, relatedVulnerabilities, fixedInVersion, severity })),
      [{ vulnerabilityId: 'DSA-5514-1', relatedVulnerabilities: [], fixedInVersion: '2.36-9+deb12u3', severity: 'UNDEFINED' }],
    );
  });

  it('merges records that are aliases of each other under the CVE', async () => {
    const inventory: Inventory = { packages: [{ type: 'pypi', name: 'NBDime', version: '3.1.0', path: 'usr/lib/python3/dist-packages/nbdime-3.1.0.dist-info/METADATA' }] };
    const findings = await matchInventory(inventory, database('PYSEC-2021-428', 'GHSA-p6rw-44q7-3fw4'));
    assert.deepEqual(
      findings.map(({ vulnerabilityId, relatedVulnerabilities, recordIds, packageName, fixedInVersion, severity, vendorSeverity, uri }) => ({
        vulnerabilityId,
        relatedVulnerabilities,
        recordIds,
        packageName,
        fixedInVersion,
        severity,
        vendorSeverity,
        uri,
      })),
      [
        {
          vulnerabilityId: 'CVE-2021-41134',
          relatedVulnerabilities: ['GHSA-p6rw-44q7-3fw4', 'PYSEC-2021-428'],
          recordIds: ['GHSA-p6rw-44q7-3fw4', 'PYSEC-2021-428'],
          packageName: 'nbdime',
          fixedInVersion: '3.1.1',
          severity: 'HIGH',
          vendorSeverity: 'MODERATE',
          uri: 'https://nvd.nist.gov/vuln/detail/CVE-2021-41134',
        },
      ],
    );
  });

  it('leaves withdrawn records out', async () => {
    const caching = records.get('PYSEC-2021-13')!;
    assert.equal(isAffected(caching.affected![0]!, '1.10.1', pep440Ordering), true);
    const inventory: Inventory = { packages: [{ type: 'pypi', name: 'Flask_Caching', version: '1.10.1', path: 'x' }] };
    assert.deepEqual(await matchInventory(inventory, database('PYSEC-2021-13')), []);
  });

  it('reports one finding per vulnerable package, each with its own fix', async () => {
    const inventory: Inventory = {
      os: ALPINE_3_19,
      packages: [
        { type: 'apk', name: 'libcrypto3', version: '3.1.4-r0', sourceName: 'openssl', path: 'lib/apk/db/installed' },
        { type: 'pypi', name: 'awsiotsdk', version: '1.5.17', path: 'x' },
        { type: 'npm', name: 'svg2png', version: '4.1.1', path: 'x' },
        { type: 'maven', name: 'com.pubnub:pubnub', version: '4.6.5', path: 'x' },
        { type: 'golang', name: 'github.com/pubnub/go/v7', version: 'v7.1.2', path: 'x' },
        { type: 'gem', name: 'mapbox-rails', version: '1.6.1.1', path: 'x' },
        { type: 'npm', name: 'pubnub', version: '7.4.0', path: 'x' },
      ],
    };
    const findings = await matchInventory(inventory, database('CVE-2023-5678', 'PYSEC-2021-861', 'GHSA-mpp5-2x55-49xw', 'GHSA-5844-q3fc-56rh', 'GHSA-q69p-5h74-w36f'));
    assert.deepEqual(
      findings.map(({ ecosystem, packageName, packageVersion, vulnerabilityId, fixedInVersion, severity }) => [ecosystem, packageName, packageVersion, vulnerabilityId, fixedInVersion, severity]),
      [
        ['PyPI', 'awsiotsdk', '1.5.17', 'CVE-2021-40828', '1.5.18', 'UNDEFINED'],
        ['Maven', 'com.pubnub:pubnub', '4.6.5', 'CVE-2023-26154', undefined, 'MEDIUM'],
        ['Go', 'github.com/pubnub/go/v7', 'v7.1.2', 'CVE-2023-26154', '7.2.0', 'MEDIUM'],
        ['RubyGems', 'mapbox-rails', '1.6.1.1', 'CVE-2017-1000043', '1.6.6', 'MEDIUM'],
        ['Alpine:v3.19', 'openssl', '3.1.4-r0', 'CVE-2023-5678', '3.1.4-r1', 'MEDIUM'],
        ['npm', 'svg2png', '4.1.1', 'CVE-2020-11887', undefined, 'MEDIUM'],
      ],
    );
  });

  it('asks the database nothing for packages it has no ecosystem for', async () => {
    const lookup = database('CVE-2023-4911');
    const inventory: Inventory = { os: { id: 'fedora', versionId: '40' }, packages: [{ type: 'rpm', name: 'glibc', version: '2.39-6.fc40', path: 'x' }] };
    assert.deepEqual(await matchInventory(inventory, lookup), []);
    assert.deepEqual(lookup.calls, []);
  });
});
