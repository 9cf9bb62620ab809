/**
 * SBOM export over real inventories: this machine's dpkg database and Python packages, the npm
 * packages in node_modules, and the committed Alpine, RubyGems and Maven fixtures. Package URLs are
 * checked against the purl spec's own examples and against purls spelled out here from the raw
 * package data; the CycloneDX 1.5 and SPDX 2.3 documents against their exact expected shape and
 * against the rules of their JSON schemas.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseApkInstalled } from '../../src/domain/scanning/inventory/apk-installed.js';
import { parseDpkgStatus } from '../../src/domain/scanning/inventory/dpkg-status.js';
import { readJavaArchive } from '../../src/domain/scanning/inventory/java-archive.js';
import { DEFAULT_INVENTORY_LIMITS } from '../../src/domain/scanning/inventory/limits.js';
import type { InstalledPackage, Inventory, OperatingSystem } from '../../src/domain/scanning/inventory/model.js';
import { parseNpmPackage } from '../../src/domain/scanning/inventory/npm-package.js';
import { parseOsRelease } from '../../src/domain/scanning/inventory/os-release.js';
import { parsePythonMetadata } from '../../src/domain/scanning/inventory/python-metadata.js';
import { parseGemspec } from '../../src/domain/scanning/inventory/ruby-gemspec.js';
import { cycloneDxSbom } from '../../src/domain/scanning/sbom/cyclonedx.js';
import { isSpdxLicenseExpression } from '../../src/domain/scanning/sbom/license-expression.js';
import { imagePurl, packagePurl } from '../../src/domain/scanning/sbom/purl.js';
import { spdxSbom } from '../../src/domain/scanning/sbom/spdx.js';
import { dpkgMissing } from '../support/host-debian-image.js';
import { fixtures } from '../support/layer-builder.js';
import { repoRoot } from '../support/tools.js';

const DIST_PACKAGES = '/usr/lib/python3/dist-packages';
const DEBIAN_12: OperatingSystem = { id: 'debian', versionId: '12', codename: 'bookworm' };
const IMAGE = { repository: 'team/app', digest: `sha256:${'5e'.repeat(32)}`, tag: 'v1.2' };
const CREATION = { createdAt: new Date('2025-03-04T05:06:07.890Z'), uuid: '6f2c3c5e-1d5b-4c8e-9d7a-2b8e4f1a0c3d', toolVersion: '0.1.0' };
/** A purl as the spec's canonical form writes one: only these characters, and `%` only before two hex digits. */
const CANONICAL_PURL = /^pkg:[a-z]+\/(?:[A-Za-z0-9.\-_~:/@?=&]|%[0-9A-F]{2})+$/;

const hostOs = (): OperatingSystem => parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
const hostDebs = (): InstalledPackage[] => parseDpkgStatus(readFileSync('/var/lib/dpkg/status', 'utf8'), 'var/lib/dpkg/status');

/** Every package.json of node_modules/<name> and node_modules/@scope/<name>. */
function nodeModulesPackages(): InstalledPackage[] {
  const root = join(repoRoot, 'node_modules');
  const dirs = readdirSync(root).flatMap((name) => (name.startsWith('@') ? readdirSync(join(root, name)).map((inner) => `${name}/${inner}`) : [name]));
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .flatMap((dir) => parseNpmPackage(readFileSync(join(root, dir, 'package.json'), 'utf8'), `app/node_modules/${dir}/package.json`));
}

function npmPackage(name: string, path = `app/node_modules/${name}/package.json`): InstalledPackage {
  return parseNpmPackage(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'), path)[0]!;
}

/** The host's Python distribution named `name` (its dist-info or egg-info directory, whatever its version). */
function pythonPackage(directoryName: string): InstalledPackage {
  const dir = readdirSync(DIST_PACKAGES).find((entry) => entry.startsWith(`${directoryName}-`) && /\.(dist|egg)-info$/.test(entry));
  assert.ok(dir, `${directoryName} is installed in ${DIST_PACKAGES}`);
  const file = dir.endsWith('.dist-info') ? 'METADATA' : 'PKG-INFO';
  return parsePythonMetadata(readFileSync(join(DIST_PACKAGES, dir, file), 'utf8'), `${DIST_PACKAGES.slice(1)}/${dir}/${file}`)[0]!;
}

const pythonMissing = ['PyYAML', 'lazr.uri', 'python_apt', 'cryptography', 'distro'].every((name) => existsSync(DIST_PACKAGES) && readdirSync(DIST_PACKAGES).some((e) => e.startsWith(`${name}-`)))
  ? undefined
  : `needs Debian 12's Python packages in ${DIST_PACKAGES}`;

/** Debian package names and versions, and npm versions, have one character a purl encodes: `+`. */
const plusEncoded = (text: string) => text.replaceAll('+', '%2B');

describe('package URLs', () => {
  it("follow the purl spec's examples for each package type Berth reads, and for the image", () => {
    const alpine: OperatingSystem = { id: 'alpine', versionId: '3.18.4' };
    const fedora: OperatingSystem = { id: 'fedora', versionId: '25' };
    const cases: [InstalledPackage, OperatingSystem | undefined, string][] = [
      [{ type: 'deb', name: 'attr', version: '1:2.4.47-2+b1', arch: 'amd64', path: 'var/lib/dpkg/status' }, DEBIAN_12, 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12'],
      [{ type: 'apk', name: 'curl', version: '7.83.0-r0', arch: 'x86', path: 'lib/apk/db/installed' }, alpine, 'pkg:apk/alpine/curl@7.83.0-r0?arch=x86&distro=alpine-3.18.4'],
      // The epoch is a qualifier, not part of the version.
      [{ type: 'rpm', name: 'centerim', version: '1:4.22.10-1.el6', arch: 'i686', path: 'var/lib/rpm/rpmdb.sqlite' }, fedora, 'pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1'],
      [{ type: 'rpm', name: 'curl', version: '7.50.3-1.fc25', arch: 'i386', path: 'var/lib/rpm/rpmdb.sqlite' }, fedora, 'pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25'],
      [{ type: 'pypi', name: 'Django_Allauth', version: '12.23', path: 'x/METADATA' }, undefined, 'pkg:pypi/django-allauth@12.23'],
      [{ type: 'npm', name: '@angular/animation', version: '12.3.1', path: 'x/package.json' }, undefined, 'pkg:npm/%40angular/animation@12.3.1'],
      [{ type: 'npm', name: 'foobar', version: '12.3.1', path: 'x/package.json' }, undefined, 'pkg:npm/foobar@12.3.1'],
      [{ type: 'golang', name: 'github.com/gorilla/context', version: '234fd47e07d1004f0aed9c', path: 'usr/bin/x' }, undefined, 'pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c'],
      [{ type: 'maven', name: 'org.apache.xmlgraphics:batik-anim', version: '1.9.1', path: 'x.jar' }, undefined, 'pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1'],
      [{ type: 'gem', name: 'ruby-advisory-db-check', version: '0.12.4', path: 'x.gemspec' }, undefined, 'pkg:gem/ruby-advisory-db-check@0.12.4'],
    ];
    for (const [pkg, os, purl] of cases) assert.equal(packagePurl(pkg, os), purl);
    // The spec's canonical image: the digest's colon kept, the slashes of repository_url encoded.
    assert.equal(imagePurl({ repository: 'library/debian', digest: 'sha256:244fd47e07d10', tag: 'latest', registryHost: 'docker.io' }), 'pkg:oci/debian@sha256:244fd47e07d10?repository_url=docker.io%2Flibrary%2Fdebian&tag=latest');
    assert.equal(imagePurl({ repository: 'team/app', digest: 'sha256:244fd47e07d10' }), 'pkg:oci/app@sha256:244fd47e07d10');
  });

  it('percent-encode UTF-8 outside A-Z a-z 0-9 . - _ ~ and the colon, even for names no package manager allows', () => {
    const odd = (name: string, version = '1.0'): InstalledPackage => ({ type: 'gem', name, version, path: 'x.gemspec' });
    assert.equal(packagePurl(odd('a b/c?d#e@f'), undefined), 'pkg:gem/a%20b%2Fc%3Fd%23e%40f@1.0');
    assert.equal(packagePurl(odd('ünï', '1.0+local!'), undefined), 'pkg:gem/%C3%BCn%C3%AF@1.0%2Blocal%21');
    // A lone surrogate (possible in a hostile package.json) is written as U+FFFD rather than failing the export.
    assert.equal(packagePurl(odd('x\uD800'), undefined), 'pkg:gem/x%EF%BF%BD@1.0');
    // No OS known: a distribution package has no vendor or distro to name.
    assert.equal(packagePurl({ type: 'deb', name: 'bash', version: '5.2.15-2+b2', path: 'var/lib/dpkg/status' }, undefined), 'pkg:deb/bash@5.2.15-2%2Bb2');
  });

  it("are those of every package in this machine's dpkg database", { skip: dpkgMissing }, () => {
    const debs = hostDebs();
    assert.ok(debs.length > 100);
    assert.ok(debs.some((p) => p.version.includes(':')) && debs.some((p) => p.version.includes('+')) && debs.some((p) => p.name.includes('+')), 'the host has epochs, and + in names and versions');
    for (const pkg of debs) {
      assert.equal(packagePurl(pkg, hostOs()), `pkg:deb/debian/${plusEncoded(pkg.name)}@${plusEncoded(pkg.version)}?arch=${pkg.arch}&distro=debian-12`);
    }
  });

  it('are those of every npm package in node_modules, scoped ones with the @ encoded', () => {
    const packages = nodeModulesPackages();
    assert.ok(packages.some((p) => p.name.startsWith('@')) && packages.some((p) => !p.name.startsWith('@')));
    for (const pkg of packages) {
      const [scope, name] = pkg.name.startsWith('@') ? pkg.name.slice(1).split('/') : [undefined, pkg.name];
      assert.equal(packagePurl(pkg, undefined), `pkg:npm/${scope === undefined ? '' : `%40${scope}/`}${name}@${plusEncoded(pkg.version)}`);
    }
  });

  it("normalise the host's Python package names as PEP 503 does", { skip: pythonMissing }, () => {
    assert.match(packagePurl(pythonPackage('PyYAML'), undefined), /^pkg:pypi\/pyyaml@\d/);
    assert.match(packagePurl(pythonPackage('lazr.uri'), undefined), /^pkg:pypi\/lazr-uri@\d/);
    assert.match(packagePurl(pythonPackage('python_apt'), undefined), /^pkg:pypi\/python-apt@\d/);
  });

  it('are those of the committed Alpine, RubyGems and Maven fixtures', async () => {
    const apk = parseApkInstalled(readFileSync(join(fixtures, 'alpine-3.18-installed'), 'utf8'), 'lib/apk/db/installed');
    assert.deepEqual(
      apk.map((pkg) => packagePurl(pkg, { id: 'alpine', versionId: '3.18.0' })),
      apk.map((pkg) => `pkg:apk/alpine/${pkg.name}@${pkg.version}?arch=aarch64&distro=alpine-3.18.0`),
    );
    assert.ok(apk.some((pkg) => pkg.name === 'musl'));
    const [rack] = parseGemspec(readFileSync(join(fixtures, 'rack-2.2.22.gemspec'), 'utf8'), 'usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec');
    assert.equal(packagePurl(rack!, undefined), 'pkg:gem/rack@2.2.22');
    const jar = await readJavaArchive(join(fixtures, 'slf4j-nop-1.7.36.jar'), 'app/lib/slf4j-nop-1.7.36.jar', DEFAULT_INVENTORY_LIMITS, assert.fail);
    assert.deepEqual(
      jar.map((pkg) => packagePurl(pkg, undefined)),
      ['pkg:maven/org.slf4j/slf4j-nop@1.7.36'],
    );
  });
});

describe('SPDX licence expressions', () => {
  it('are told from free text by their grammar', () => {
    for (const expression of ['MIT', 'BSD-3-Clause OR Apache-2.0', '(MIT OR Apache-2.0) AND BSD-2-Clause', 'GPL-2.0+', 'GPL-2.0-or-later WITH Classpath-exception-2.0', 'LicenseRef-custom', 'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2']) {
      assert.equal(isSpdxLicenseExpression(expression), true, expression);
    }
    for (const text of ['Apache License, Version 2.0', 'GNU GPL', 'MIT License', 'Expat (MIT/X11)', 'MIT OR', '(MIT', 'MIT)', 'AND', 'MIT WITH', 'MIT WITH GPL-2.0+', '', 'SEE LICENSE IN LICENSE.md']) {
      assert.equal(isSpdxLicenseExpression(text), false, text);
    }
  });
});

/** A small real inventory: the host's libc6, the repository's semver, and two of the host's Python packages (one licence an expression, one free text). */
function smallInventory(): Inventory {
  const libc6 = hostDebs().find((pkg) => pkg.name === 'libc6')!;
  return { os: hostOs(), packages: [pythonPackage('distro'), npmPackage('semver'), pythonPackage('cryptography'), libc6] };
}

describe('CycloneDX 1.5', { skip: dpkgMissing ?? pythonMissing }, () => {
  it('writes the image, its operating system and its packages, exactly', () => {
    const inventory = smallInventory();
    const [distro, semver, cryptography, libc6] = inventory.packages as [InstalledPackage, InstalledPackage, InstalledPackage, InstalledPackage];
    const libc6Purl = `pkg:deb/debian/libc6@${plusEncoded(libc6.version)}?arch=amd64&distro=debian-12`;
    const path = (pkg: InstalledPackage) => ({ name: 'berth:path', value: pkg.path });
    const library = (pkg: InstalledPackage, purl: string, license: object) => ({
      'bom-ref': purl,
      type: 'library',
      name: pkg.name,
      version: pkg.version,
      licenses: [license],
      purl,
      properties: [path(pkg)],
    });
    assert.deepEqual(cycloneDxSbom(inventory, IMAGE, CREATION), {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: `urn:uuid:${CREATION.uuid}`,
      version: 1,
      metadata: {
        timestamp: '2025-03-04T05:06:07.890Z',
        tools: { components: [{ type: 'application', name: 'berth', version: '0.1.0' }] },
        component: {
          'bom-ref': `pkg:oci/app@${IMAGE.digest}?tag=v1.2`,
          type: 'container',
          name: 'team/app',
          version: IMAGE.digest,
          purl: `pkg:oci/app@${IMAGE.digest}?tag=v1.2`,
        },
      },
      components: [
        { 'bom-ref': 'os:debian@12', type: 'operating-system', name: 'debian', version: '12', description: 'Debian GNU/Linux 12 (bookworm)' },
        {
          'bom-ref': libc6Purl,
          type: 'library',
          name: 'libc6',
          version: libc6.version,
          purl: libc6Purl,
          properties: [path(libc6), { name: 'berth:source-name', value: 'glibc' }, { name: 'berth:source-version', value: libc6.sourceVersion }],
        },
        library(semver, `pkg:npm/semver@${semver.version}`, { expression: 'ISC' }),
        library(cryptography, `pkg:pypi/cryptography@${cryptography.version}`, { expression: 'BSD-3-Clause OR Apache-2.0' }),
        library(distro, `pkg:pypi/distro@${distro.version}`, { license: { name: 'Apache License, Version 2.0' } }),
      ],
    });
  });

  it("describes a whole real image inventory as the schema requires, the same whatever order the packages were read in", () => {
    const packages = [...hostDebs(), ...nodeModulesPackages(), pythonPackage('PyYAML'), pythonPackage('distro'), npmPackage('semver', 'srv/node_modules/semver/package.json')];
    const inventory: Inventory = { os: hostOs(), packages };
    const bom = cycloneDxSbom(inventory, IMAGE, CREATION);
    assert.deepEqual(cycloneDxSbom({ ...inventory, packages: [...packages].reverse() }, IMAGE, CREATION), bom);

    assert.equal(bom.components.length, packages.length + 1);
    const refs = bom.components.map((c) => c['bom-ref']);
    assert.equal(new Set([...refs, bom.metadata.component['bom-ref']]).size, refs.length + 1, 'bom-refs are unique');
    // semver installed at two paths: one purl, two components told apart by their bom-ref and path.
    const semvers = bom.components.filter((c) => c.name === 'semver');
    assert.deepEqual(
      semvers.map((c) => [c['bom-ref'], c.properties?.[0]?.value]),
      [
        [semvers[0]!.purl, 'app/node_modules/semver/package.json'],
        [`${semvers[0]!.purl}#2`, 'srv/node_modules/semver/package.json'],
      ],
    );
    assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const component of bom.components.slice(1)) {
      assert.equal(component.type, 'library');
      assert.match(component.purl!, CANONICAL_PURL);
      assert.ok(component.name && component.version);
      assert.equal(component.properties?.[0]?.name, 'berth:path');
      // A licence is an expression or a name, one of them, never both (the schema's choice).
      for (const license of component.licenses ?? []) assert.equal(Object.keys(license).length, 1);
    }
    assert.ok(bom.components.every((c) => c.purl === undefined || !c.purl.startsWith('pkg:deb/') || c.properties?.some((p) => p.name === 'berth:source-name')));
  });
});

describe('SPDX 2.3', { skip: dpkgMissing ?? pythonMissing }, () => {
  it('writes the document describing the image, which contains its operating system and packages, exactly', () => {
    const inventory = smallInventory();
    const [distro, semver, cryptography, libc6] = inventory.packages as [InstalledPackage, InstalledPackage, InstalledPackage, InstalledPackage];
    const unasserted = { downloadLocation: 'NOASSERTION', filesAnalyzed: false, licenseConcluded: 'NOASSERTION' };
    const purl = (locator: string) => [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: locator }];
    // Ids keep letters, digits, dots and dashes; the `+` of a Debian version becomes a dash.
    const id = (type: string, pkg: InstalledPackage) => `SPDXRef-Package-${type}-${pkg.name}-${pkg.version.replace('+', '-')}`;
    const library = (type: string, pkg: InstalledPackage, locator: string, licenseDeclared: string, sourceInfo = `found in ${pkg.path}`) => ({
      SPDXID: id(type, pkg),
      name: pkg.name,
      versionInfo: pkg.version,
      ...unasserted,
      licenseDeclared,
      sourceInfo,
      externalRefs: purl(locator),
      primaryPackagePurpose: 'LIBRARY',
    });
    assert.deepEqual(spdxSbom(inventory, IMAGE, CREATION), {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: `team/app@${IMAGE.digest}`,
      documentNamespace: `https://spdx.org/spdxdocs/berth/team/app@${IMAGE.digest}-${CREATION.uuid}`,
      creationInfo: { created: '2025-03-04T05:06:07Z', creators: ['Tool: berth-0.1.0'] },
      hasExtractedLicensingInfos: [{ licenseId: 'LicenseRef-Apache-License-Version-2.0', extractedText: 'Apache License, Version 2.0', name: 'Apache License, Version 2.0' }],
      packages: [
        {
          SPDXID: 'SPDXRef-Image',
          name: 'team/app',
          versionInfo: IMAGE.digest,
          ...unasserted,
          licenseDeclared: 'NOASSERTION',
          checksums: [{ algorithm: 'SHA256', checksumValue: '5e'.repeat(32) }],
          externalRefs: purl(`pkg:oci/app@${IMAGE.digest}?tag=v1.2`),
          primaryPackagePurpose: 'CONTAINER',
        },
        {
          SPDXID: 'SPDXRef-OperatingSystem',
          name: 'debian',
          versionInfo: '12',
          ...unasserted,
          licenseDeclared: 'NOASSERTION',
          description: 'Debian GNU/Linux 12 (bookworm)',
          primaryPackagePurpose: 'OPERATING-SYSTEM',
        },
        library('deb', libc6, `pkg:deb/debian/libc6@${plusEncoded(libc6.version)}?arch=amd64&distro=debian-12`, 'NOASSERTION', `found in var/lib/dpkg/status, built from source package glibc ${libc6.sourceVersion}`),
        library('npm', semver, `pkg:npm/semver@${semver.version}`, 'ISC'),
        library('pypi', cryptography, `pkg:pypi/cryptography@${cryptography.version}`, 'BSD-3-Clause OR Apache-2.0'),
        library('pypi', distro, `pkg:pypi/distro@${distro.version}`, 'LicenseRef-Apache-License-Version-2.0'),
      ],
      relationships: [
        { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' },
        ...['SPDXRef-OperatingSystem', id('deb', libc6), id('npm', semver), id('pypi', cryptography), id('pypi', distro)].map((related) => ({
          spdxElementId: 'SPDXRef-Image',
          relationshipType: 'CONTAINS',
          relatedSpdxElement: related,
        })),
      ],
    });
  });

  it('describes a whole real image inventory as the schema requires: valid and unique ids, relationships between them, licences as expressions', () => {
    const python = ['PyYAML', 'lazr.uri', 'python_apt', 'cryptography', 'distro'].map(pythonPackage);
    const packages = [...hostDebs(), ...nodeModulesPackages(), ...python, npmPackage('semver', 'srv/node_modules/semver/package.json')];
    // A package named as no package manager would: ids stay within the characters SPDX allows.
    packages.push({ type: 'gem', name: 'odd name/ünï', version: '1.0', path: 'x.gemspec', license: 'Freeware, ask (c) 2024' });
    const document = spdxSbom({ os: hostOs(), packages }, { repository: 'team/app', digest: IMAGE.digest }, CREATION);

    assert.match(document.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(document.packages.length, packages.length + 2);
    const ids = document.packages.map((p) => p.SPDXID);
    assert.equal(new Set(ids).size, ids.length, 'SPDX ids are unique');
    for (const id of ids) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.ok(ids.includes('SPDXRef-Package-gem-odd-name-n-1.0'), 'runs of other characters are one dash');
    assert.deepEqual(
      document.relationships.map((r) => r.relatedSpdxElement),
      ids,
      'the document describes the image, which contains everything else',
    );
    const extracted = new Set(document.hasExtractedLicensingInfos?.map((info) => info.licenseId));
    assert.deepEqual(
      [...extracted].sort(),
      ['LicenseRef-Apache-License-Version-2.0', 'LicenseRef-Freeware-ask-c-2024', 'LicenseRef-GNU-GPL', 'LicenseRef-LGPL-v3'],
    );
    for (const pkg of document.packages) {
      assert.ok(pkg.licenseDeclared === 'NOASSERTION' || isSpdxLicenseExpression(pkg.licenseDeclared), pkg.licenseDeclared);
      for (const ref of pkg.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) assert.ok(extracted.has(ref), `${ref} has its text in the document`);
      for (const ref of pkg.externalRefs ?? []) assert.match(ref.referenceLocator, CANONICAL_PURL);
    }
  });
});
