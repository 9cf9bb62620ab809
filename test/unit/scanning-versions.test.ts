/**
 * Version orders, tested with the examples each ecosystem documents (Debian policy §5.6.12, rpm's
 * rpmvercmp tests, apk-tools' version.data, PEP 440, semver.org §11, Go's module reference,
 * Maven's ComparableVersionTest and POM reference, RubyGems' Gem::Version tests).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apkOrdering } from '../../src/domain/scanning/versions/apk.js';
import { dpkgOrdering } from '../../src/domain/scanning/versions/dpkg.js';
import { goOrdering } from '../../src/domain/scanning/versions/go.js';
import { mavenOrdering } from '../../src/domain/scanning/versions/maven.js';
import type { VersionOrdering } from '../../src/domain/scanning/versions/ordering.js';
import { pep440Ordering } from '../../src/domain/scanning/versions/pep440.js';
import { versionOrderingFor } from '../../src/domain/scanning/versions/registry.js';
import { rpmOrdering } from '../../src/domain/scanning/versions/rpm.js';
import { rubyGemsOrdering } from '../../src/domain/scanning/versions/rubygems.js';
import { semverOrdering } from '../../src/domain/scanning/versions/semver.js';

/** Every pair of `versions`, in both directions, compares as their order in the list. */
function assertAscending(ordering: VersionOrdering, versions: string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      assert.equal(ordering.compare(versions[i]!, versions[j]!), -1, `${versions[i]} < ${versions[j]}`);
      assert.equal(ordering.compare(versions[j]!, versions[i]!), 1, `${versions[j]} > ${versions[i]}`);
    }
  }
}

function assertEquivalent(ordering: VersionOrdering, versions: string[]): void {
  for (const a of versions) for (const b of versions) assert.equal(ordering.compare(a, b), 0, `${a} = ${b}`);
}

/** Rows of [a, expected sign of compare(a, b), b]. */
function assertComparisons(ordering: VersionOrdering, rows: [string, '<' | '=' | '>', string][]): void {
  const signs = { '<': -1, '=': 0, '>': 1 };
  for (const [a, relation, b] of rows) {
    assert.equal(ordering.compare(a, b), signs[relation], `${a} ${relation} ${b}`);
    assert.equal(ordering.compare(b, a), -signs[relation] + 0, `${b} against ${a}`);
  }
}

function assertValidity(ordering: VersionOrdering, valid: string[], invalid: string[]): void {
  for (const version of valid) assert.equal(ordering.isValid(version), true, `${JSON.stringify(version)} is valid`);
  for (const version of invalid) assert.equal(ordering.isValid(version), false, `${JSON.stringify(version)} is invalid`);
}

describe('dpkg versions', () => {
  it('orders ~ before everything, even the end, and letters before other characters (policy §5.6.12)', () => {
    assertAscending(dpkgOrdering, ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0+', '1.0.1', '1.0.9', '1.0.10', '1.1']);
  });

  it('compares the epoch first, then upstream version, then revision', () => {
    assertAscending(dpkgOrdering, ['2.36-9', '2.36-9+deb12u2', '2.36-9+deb12u3', '2.36-9+deb12u10', '2.36-10~0', '2.36-10', '2.37-1', '1:0.1']);
    assertComparisons(dpkgOrdering, [
      ['2.36-9+deb12u2', '<', '2.36-9+deb12u3'],
      ['3.0.11-1~deb12u2', '<', '3.0.13-1~deb12u1'],
      ['1.0-1~bpo12+1', '<', '1.0-1'],
    ]);
  });

  it('treats a missing epoch as 0, a missing revision as 0 and leading zeros as nothing', () => {
    assertEquivalent(dpkgOrdering, ['1.0', '0:1.0', '1.0-0', '1.00', '01.0']);
  });

  it('accepts what dpkg accepts without complaint', () => {
    assertValidity(
      dpkgOrdering,
      ['0', '1:2.36-9+deb12u3', '2.36-10~0', '1.2.3+dfsg1-1+b1', '7.88.1-10+deb12u5', '1.0-1~bpo12+1'],
      ['', 'a1.0', '1.0-', ':1.0', 'x:1.0', '1.0 1', '1.0_1', '1.0-1_2', '99999999999:1.0'],
    );
  });
});

describe('apk versions', () => {
  it('orders suffixes: _alpha, _beta, _pre, _rc before none before _cvs, _svn, _git, _hg, _p', () => {
    assertAscending(apkOrdering, [
      '1.0_alpha',
      '1.0_alpha1',
      '1.0_beta',
      '1.0_pre',
      '1.0_rc1',
      '1.0',
      '1.0-r1',
      '1.0_cvs',
      '1.0_svn',
      '1.0_git20240101',
      '1.0_hg',
      '1.0_p1',
      '1.0a',
      '1.0.1',
    ]);
  });

  it("agrees with apk-tools' test/version.data", () => {
    assertComparisons(apkOrdering, [
      ['2.34', '>', '0.1.0_alpha'],
      ['0.1.0_alpha2', '>', '0.1.0_alpha'],
      ['1.1', '>', '1.1_alpha1'],
      ['1.0.4-r3', '<', '1.0.4-r4'],
      ['2.3.0b-r1', '<', '2.3.0b-r2'],
      ['3.1_p16', '<', '3.1_p17'],
      ['1.06-r6', '<', '006'],
      ['1.02.07', '<', '1.02.10-r1'],
      ['0.59s-r11', '<', '0.65'],
      ['3.0.20060720', '<', '20060720'],
      ['2.12r-r4', '<', '2.12r-r5'],
      ['7.0.17', '<', '7.0.174'],
      ['4.5_p1-r1', '>', '4.5_p1'],
      ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
      ['1.0_p10-r0', '>', '1.0_p9-r0'],
      ['1.3_pre1-r1', '<', '1.3.2'],
      ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
      ['2.0.6', '=', '2.0.6'],
    ]);
  });

  it('compares a number with a leading zero as a string', () => {
    assertAscending(apkOrdering, ['1.01', '1.010', '1.02', '1.1']);
  });

  it('accepts the grammar digit{.digit}...{letter}{_suffix{digit}}...{~hash}{-r#} and nothing else', () => {
    assertValidity(
      apkOrdering,
      ['1', '3.1.4-r1', '2.3.0b-r1', '1.0_alpha_pre2', '1.0_git20240101-r3', '1.0~3ab9f0', '1.0_rc1~3ab9f0-r2'],
      // A digit may not follow a letter (6.6.4p1); a version starts with a digit; -r needs a number.
      ['', 'v1.0', '1.0-1', '1.0_foo', '1.0bc', '6.6.4p1-r1', '0.8.21.r2', '1.0-r', '1.0~', '1.0-r1_p1', '1..0'],
    );
  });
});

describe('RPM versions', () => {
  it("agrees with rpm's rpmvercmp tests", () => {
    assertComparisons(rpmOrdering, [
      ['1.0', '=', '1.0'],
      ['1.0', '<', '2.0'],
      ['2.0', '<', '2.0.1'],
      ['2.0.1a', '>', '2.0.1'],
      ['5.5p1', '<', '5.5p2'],
      ['5.5p1', '<', '5.5p10'],
      ['10xyz', '<', '10.1xyz'],
      ['xyz10', '<', 'xyz10.1'],
      ['xyz.4', '<', '8'],
      ['5.5p2', '<', '5.6p1'],
      ['6.0.rc1', '>', '6.0'],
      ['10b2', '>', '10a1'],
      ['1.0a', '<', '1.0aa'],
      ['10.0001', '=', '10.1'],
      ['10.0001', '<', '10.0039'],
      ['4.999.9', '<', '5.0'],
      ['20101121', '<', '20101122'],
      ['2.0', '=', '2_0'],
      ['a+', '=', 'a_'],
      ['+_', '=', '_+'],
    ]);
  });

  it('sorts ~ before everything and ^ after the end but before anything else', () => {
    assertComparisons(rpmOrdering, [
      ['1.0~rc1', '<', '1.0'],
      ['1.0~rc1', '<', '1.0~rc2'],
      ['1.0~rc1~git123', '<', '1.0~rc1'],
      ['1.0^', '>', '1.0'],
      ['1.0^git1', '>', '1.0'],
      ['1.0^git1', '<', '1.01'],
      ['1.0^20160101', '<', '1.0.1'],
      ['1.0^git1~pre', '<', '1.0^git1'],
      ['1.0~rc1^git1', '>', '1.0~rc1'],
      ['1.0^git1', '<', '1.0^git2'],
    ]);
  });

  it('compares epoch, then version, then release', () => {
    assertComparisons(rpmOrdering, [
      ['1:1.0-1', '>', '2.0-1'],
      ['0:1.0-1', '=', '1.0-1'],
      ['1.0-1.el9', '<', '1.0-2.el9'],
      ['3.0.7-27.el9', '<', '1:3.0.7-27.el9'],
      ['1:3.0.7-27.el9', '<', '1:3.0.7-28.el9'],
      ['0:1.9.5p2-10.el9_6.1', '>', '1.9.5p2-10.el9'],
    ]);
    assertValidity(rpmOrdering, ['1', '1:3.0.7-27.el9', '0:1.9.5p2-10.el9_6.1'], ['', ':1.0', 'a:1.0', '1:', '1.0 -1']);
  });
});

describe('PEP 440 versions', () => {
  it("orders PEP 440's example of every kind of release segment", () => {
    assertAscending(pep440Ordering, [
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0rc1.dev456',
      '1.0rc1',
      '1.0',
      '1.0+abc.5',
      '1.0+abc.7',
      '1.0+5',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.0.15',
      '1.1.dev1',
      '1!0.1',
    ]);
  });

  it('normalises spellings', () => {
    assertEquivalent(pep440Ordering, ['1.0', '1.0.0', 'v1.0', '1.0.0.0']);
    assertEquivalent(pep440Ordering, ['1.1a1', '1.1.alpha.1', '1.1-a1']);
    assertValidity(pep440Ordering, ['3.1.0', '2!1.0.post1'], ['', '2019-09-12', '0.2.0-n653', 'not a version']);
  });
});

describe('SemVer versions', () => {
  it('orders pre-releases as semver.org §11 does and ignores build metadata', () => {
    assertAscending(semverOrdering, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ]);
    assertEquivalent(semverOrdering, ['1.0.0', '1.0.0+build.1', 'v1.0.0']);
  });

  it('reads the shorthands some advisories write (8.0, 1.90) as full versions', () => {
    assertEquivalent(semverOrdering, ['8.0', '8.0.0']);
    assertComparisons(semverOrdering, [['1.90', '<', '1.90.2']]);
    assertValidity(semverOrdering, ['0.0.0', '1.2.3-rc.1+build'], ['', '01.0.0', '1.2.3.4', 'latest']);
  });
});

describe('Go module versions', () => {
  it('orders pseudo-versions as pre-releases of the version after their base', () => {
    assertAscending(goOrdering, [
      'v0.0.0-20191109021931-daa7c04131f5',
      'v0.0.1',
      'v1.2.3',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.4-pre',
      'v1.2.4-pre.0.20191109021931-daa7c04131f5',
      'v1.2.4',
      'v2.0.0+incompatible',
      'v2.0.1',
    ]);
  });

  it('compares with and without v, +incompatible and shorthands alike', () => {
    assertEquivalent(goOrdering, ['v1.2.3', '1.2.3']);
    assertEquivalent(goOrdering, ['v2.0.0+incompatible', 'v2.0.0', '2.0.0']);
    assertEquivalent(goOrdering, ['v1.2', 'v1.2.0']);
  });

  it('reads Go toolchain versions as the Go vulnerability database writes them', () => {
    assertEquivalent(goOrdering, ['go1.21', '1.21.0']);
    assertEquivalent(goOrdering, ['go1.22rc1', '1.22.0-rc.1']);
    assertAscending(goOrdering, ['go1.21', 'go1.21.5', 'go1.22beta1', 'go1.22rc1', 'go1.22', '1.22.1']);
    assertValidity(goOrdering, ['v1.2.3', 'go1.9.2'], ['(devel)', 'v1.2.3.4', '']);
  });
});

describe('Maven versions', () => {
  it("orders ComparableVersionTest's qualifier and number lists", () => {
    assertAscending(mavenOrdering, [
      '1-alpha2snapshot',
      '1-alpha2',
      '1-alpha-123',
      '1-beta-2',
      '1-beta123',
      '1-m2',
      '1-m11',
      '1-rc',
      '1-cr2',
      '1-rc123',
      '1-SNAPSHOT',
      '1',
      '1-sp',
      '1-sp2',
      '1-sp123',
      '1-abc',
      '1-def',
      '1-pom-1',
      '1-1-snapshot',
      '1-1',
      '1-2',
      '1-123',
    ]);
    assertAscending(mavenOrdering, [
      '2.0',
      '2.0.a',
      '2-1',
      '2.0.2',
      '2.0.123',
      '2.1.0',
      '2.1-a',
      '2.1b',
      '2.1-c',
      '2.1-1',
      '2.1.0.1',
      '2.2',
      '2.123',
      '11.a2',
      '11.a11',
      '11.b2',
      '11.b11',
      '11.m2',
      '11.m11',
      '11',
      '11.a',
      '11b',
      '11c',
      '11m',
    ]);
  });

  it("agrees with the POM reference's examples", () => {
    assertComparisons(mavenOrdering, [
      ['1', '<', '1.1'],
      ['1-snapshot', '<', '1'],
      ['1', '<', '1-sp'],
      ['1-foo2', '<', '1-foo10'],
      ['1.foo', '=', '1-foo'],
      ['1-foo', '<', '1-1'],
      ['1-1', '<', '1.1'],
      ['1-sp', '>', '1-ga'],
      ['1-sp.1', '>', '1-ga.1'],
      ['1-sp-1', '<', '1-ga-1'],
      ['1-a1', '=', '1-alpha-1'],
      ['1.0-alpha1', '=', '1.0-ALPHA1'],
      ['1.7', '>', '1.K'],
      ['5.zebra', '>', '5.aardvark'],
      // MNG-7644: a qualifier after a dot sorts as after a hyphen.
      ['1.0.0.RC1', '<', '1.0.0-RC2'],
      // MNG-6964
      ['1-0.alpha', '<', '1'],
    ]);
    assertEquivalent(mavenOrdering, ['1.ga', '1-ga', '1-0', '1.0', '1', '1final', '1release', '1.0.0']);
    assertEquivalent(mavenOrdering, ['2.5.RELEASE', '2.5', '2.5.0.Final']);
  });

  it('compares long numbers exactly', () => {
    assertAscending(mavenOrdering, ['20190126.230843', '1234567890.12345', '123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta']);
    assertEquivalent(mavenOrdering, ['0000000000000000001', '01', '1']);
  });
});

describe('RubyGems versions', () => {
  it("agrees with Gem::Version's tests", () => {
    assertComparisons(rubyGemsOrdering, [
      ['1.0', '=', '1.0.0'],
      ['1.0', '>', '1.0.a'],
      ['1.8.2', '>', '0.0.0'],
      ['1.8.2', '>', '1.8.2.a'],
      ['1.8.2.b', '>', '1.8.2.a'],
      ['1.8.2.a10', '>', '1.8.2.a9'],
      ['', '=', '0'],
      ['0.beta.1', '=', '0.0.beta.1'],
      ['0.0.beta', '<', '0.0.beta.1'],
      ['0.0.beta', '<', '0.beta.1'],
      ['5.a', '<', '5.0.0.rc2'],
      ['5.x', '>', '5.0.0.rc2'],
    ]);
  });

  it('reads - as a pre-release and accepts only what Gem::Version.correct? does', () => {
    assertEquivalent(rubyGemsOrdering, ['1.0-1', '1.0.pre.1']);
    assertComparisons(rubyGemsOrdering, [['1.0-1', '<', '1.0']]);
    assertValidity(rubyGemsOrdering, ['1', '1.6.1.1', ' 2.2.4 ', '1.0-rc1'], ['junk', '1..0', '1.0-', '-1', 'v1.0']);
  });
});

describe('version orders by OSV ecosystem', () => {
  it('finds the order of each ecosystem Berth scans, with or without a release', () => {
    const cases: [string, VersionOrdering | undefined][] = [
      ['Debian', dpkgOrdering],
      ['Debian:12', dpkgOrdering],
      ['Ubuntu:22.04:LTS', dpkgOrdering],
      ['Alpine:v3.19', apkOrdering],
      ['Red Hat', rpmOrdering],
      ['Red Hat:enterprise_linux:9::baseos', rpmOrdering],
      ['Rocky Linux:9', rpmOrdering],
      ['AlmaLinux:9', rpmOrdering],
      ['PyPI', pep440Ordering],
      ['npm', semverOrdering],
      ['Go', goOrdering],
      ['Maven', mavenOrdering],
      ['Maven:https://maven.google.com', mavenOrdering],
      ['RubyGems', rubyGemsOrdering],
      ['crates.io', undefined],
      ['NuGet', undefined],
      ['constructor', undefined],
    ];
    for (const [ecosystem, ordering] of cases) assert.equal(versionOrderingFor(ecosystem), ordering, ecosystem);
  });

  it('refuses to compare a version its order cannot read', () => {
    assert.throws(() => dpkgOrdering.compare('1.0', 'not a version'), { name: 'RangeError', message: '"not a version" is not a dpkg version' });
  });
});
