/**
 * readInventory over real content: layers built from the host's dpkg database, Python and npm
 * packages, Go binaries, jars, a gemspec, an Alpine database and an rpmdb made by rpm itself, each
 * checked against a ground truth computed another way (dpkg-query, rpm -qa, directory names, the
 * files' own text).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InstalledPackage } from '../../src/domain/scanning/inventory/model.js';
import { fixtures, gzip, gzipLayers, imageLayer, scanLayers, tarLayer, zipArchive, zstd, zstdAvailable, type LayerEntry } from '../support/layer-builder.js';
import { repoRoot, which } from '../support/tools.js';

const hostStatus = readFileSync('/var/lib/dpkg/status');
const hostOsRelease = readFileSync('/usr/lib/os-release');
const distPackages = '/usr/lib/python3/dist-packages';
const repoFile = (path: string) => readFileSync(join(repoRoot, path));

/** The host's installed packages as dpkg itself reports them: the ground truth for the dpkg reader. */
function dpkgQueryPackages(path: string): InstalledPackage[] {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}|${Package}|${Version}|${source:Package}|${source:Version}|${Architecture}\n'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => /^[ih]i/.test(line))
    .map((line) => {
      const [, name, version, sourceName, sourceVersion, arch] = line.split('|') as [string, string, string, string, string, string];
      return { type: 'deb' as const, name, version, sourceName, sourceVersion, arch, path };
    });
}

function byTypeNameVersion(packages: InstalledPackage[]): string[] {
  return packages.map((p) => `${p.type} ${p.name} ${p.version} ${p.path}`).sort();
}

const debianBase: LayerEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  { name: 'usr/lib/os-release', content: hostOsRelease },
  { name: 'var/lib/dpkg/status', content: hostStatus },
];

describe('image inventory from real layers', () => {
  it('reads a Debian base layer: the OS through the os-release symlink, and dpkg packages mapped to their source packages', async () => {
    const inventory = await scanLayers(await gzipLayers(debianBase));
    assert.deepEqual(inventory.os, { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    const expected = dpkgQueryPackages('var/lib/dpkg/status');
    assert.ok(expected.length > 100, 'the host has a real dpkg database');
    assert.deepEqual(
      [...inventory.packages].sort((a, b) => a.name.localeCompare(b.name) || a.arch!.localeCompare(b.arch!)),
      [...expected].sort((a, b) => a.name.localeCompare(b.name) || a.arch!.localeCompare(b.arch!)),
    );
    assert.equal(inventory.warnings, undefined);
  });

  it('reads the same layer uncompressed, gzip-compressed and zstd-compressed (one frame or several) alike', async (t) => {
    const tar = await tarLayer(debianBase);
    const plain = await scanLayers([imageLayer(tar)]);
    assert.deepEqual(await scanLayers([imageLayer(gzip(tar))]), plain);
    if (!zstdAvailable) return t.skip('the zstd CLI is not installed');
    assert.deepEqual(await scanLayers([imageLayer(zstd(tar))]), plain);
    const half = Math.floor(tar.length / 2);
    assert.deepEqual(await scanLayers([imageLayer(Buffer.concat([zstd(tar.subarray(0, half)), zstd(tar.subarray(half))]))]), plain);
  });

  it('falls back to /usr/lib/os-release, follows absolute links and hard links between the two, and has no OS without one', async () => {
    const fallback = await scanLayers(await gzipLayers([{ name: 'usr/lib/os-release', content: hostOsRelease }]));
    assert.equal(fallback.os?.id, 'debian');
    const absolute = await scanLayers(
      await gzipLayers([
        { name: 'etc/os-release', type: 'symlink', linkname: '/usr/lib/os-release' },
        { name: 'usr/lib/os-release', content: hostOsRelease },
      ]),
    );
    assert.equal(absolute.os?.versionId, '12');
    const hardLinked = await scanLayers(
      await gzipLayers([
        { name: 'usr/lib/os-release', content: hostOsRelease },
        { name: 'etc/os-release', type: 'link', linkname: 'usr/lib/os-release' },
      ]),
    );
    assert.equal(hardLinked.os?.codename, 'bookworm');
    const none = await scanLayers(await gzipLayers([{ name: 'bin/', type: 'directory' }]));
    assert.deepEqual(none, { packages: [] });
  });

  it('reads distroless status.d/ files (one package each, no Status field) and ignores their md5sums', async () => {
    const paragraphs = hostStatus.toString('utf8').split('\n\n').filter((p) => /^Package: (base-files|tzdata|libc6)$/m.test(p));
    const entries = paragraphs.flatMap((paragraph) => {
      const name = /^Package: (.+)$/m.exec(paragraph)![1]!;
      return [
        { name: `var/lib/dpkg/status.d/${name}`, content: paragraph.replace(/^Status: .*\n/m, '') + '\n' },
        { name: `var/lib/dpkg/status.d/${name}.md5sums`, content: 'd41d8cd98f00b204e9800998ecf8427e  usr/share/doc/x\n' },
      ];
    });
    const inventory = await scanLayers(await gzipLayers(entries));
    const expected = dpkgQueryPackages('').filter((p) => ['base-files', 'tzdata', 'libc6'].includes(p.name));
    assert.deepEqual(
      inventory.packages.map(({ name, version, sourceName, sourceVersion }) => ({ name, version, sourceName, sourceVersion })),
      expected.map(({ name, version, sourceName, sourceVersion }) => ({ name, version, sourceName, sourceVersion })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    assert.ok(inventory.packages.every((p) => p.path === `var/lib/dpkg/status.d/${p.name}`));
  });

  it('reads Python distributions: dist-info METADATA, egg-info PKG-INFO and egg-info files', async () => {
    const sources = ['PyYAML-6.0.dist-info/METADATA', 'cryptography-38.0.4.dist-info/METADATA', 'PyJWT-2.6.0.egg-info/PKG-INFO', 'crit-3.17.1-py3.11.egg-info'].filter((p) => existsSync(join(distPackages, p)));
    assert.ok(sources.length > 0, 'the host has Python packages');
    const inventory = await scanLayers(await gzipLayers(sources.map((p) => ({ name: `usr/lib/python3/dist-packages/${p}`, content: readFileSync(join(distPackages, p)) }))));
    // The ground truth: the name and version pip wrote into each directory name.
    const expected = sources.map((p) => {
      const [, name, version] = /^([^-]+)-([^-]+?)(?:-py[\d.]+)?\.(?:dist|egg)-info/.exec(p)!;
      return `pypi ${name} ${version} usr/lib/python3/dist-packages/${p}`;
    });
    assert.deepEqual(byTypeNameVersion(inventory.packages), expected.sort());
    assert.equal(inventory.packages.find((p) => p.name === 'PyYAML')?.license, 'MIT');
  });

  it('reads npm packages directly inside node_modules (scoped too) and no other package.json', async () => {
    const semver = repoFile('node_modules/semver/package.json');
    const types = repoFile('node_modules/@types/node/package.json');
    const inventory = await scanLayers(
      await gzipLayers([
        { name: 'app/node_modules/semver/package.json', content: semver },
        { name: 'app/node_modules/@types/node/package.json', content: types },
        { name: 'app/node_modules/semver/node_modules/tar-stream/package.json', content: repoFile('node_modules/tar-stream/package.json') },
        // Not packages: the application's own manifest, and a package.json deeper inside a package.
        { name: 'app/package.json', content: repoFile('package.json') },
        { name: 'app/node_modules/semver/classes/package.json', content: semver },
      ]),
    );
    const manifest = (text: Buffer) => JSON.parse(text.toString()) as { name: string; version: string; license: string };
    assert.deepEqual(byTypeNameVersion(inventory.packages), [
      `npm ${manifest(types).name} ${manifest(types).version} app/node_modules/@types/node/package.json`,
      `npm ${manifest(semver).name} ${manifest(semver).version} app/node_modules/semver/package.json`,
      `npm tar-stream ${manifest(repoFile('node_modules/tar-stream/package.json')).version} app/node_modules/semver/node_modules/tar-stream/package.json`,
    ]);
    assert.equal(inventory.packages.find((p) => p.name === 'semver')?.license, manifest(semver).license);
  });

  it('reads the modules of Go binaries from their build info', async (t) => {
    const candidates = [
      '/usr/lib/google-cloud-sdk/platform/bigtable-emulator/cbtemulator',
      '/usr/bin/skopeo',
      '/usr/lib/cni/loopback',
    ].filter((path) => existsSync(path));
    if (candidates.length === 0) return t.skip('no Go binary on this host');
    const binaries = candidates.slice(0, 2).map((path) => ({ path, content: readFileSync(path) }));
    const inventory = await scanLayers(
      await gzipLayers([
        ...binaries.map(({ path, content }) => ({ name: `opt${path}`, content, mode: 0o755 })),
        // A hard link shares the binary's content, so its modules too.
        { name: 'opt/bin/linked', type: 'link', linkname: `opt${binaries[0]!.path}`, mode: 0o755 },
      ]),
    );
    assert.ok(inventory.packages.some((p) => p.path === 'opt/bin/linked'));
    assert.deepEqual(
      byTypeNameVersion(inventory.packages.filter((p) => p.path === 'opt/bin/linked')),
      byTypeNameVersion(inventory.packages.filter((p) => p.path === `opt${binaries[0]!.path}`).map((p) => ({ ...p, path: 'opt/bin/linked' }))),
    );
    for (const { path, content } of binaries) {
      // The ground truth: the module lines as plain text in the binary, and the toolchain's version string.
      const text = content.toString('latin1');
      const modules = [...text.matchAll(/\n(?:mod|dep)\t([^\t\n]+)\t(v[^\t\n]+)\t[^\n]*\n(?!=>)/g)].map(([, name, version]) => `golang ${name} ${version} opt${path}`);
      const goVersion = /go(1\.\d+(?:\.\d+)?)(?![\w.-])/.exec(text.slice(text.indexOf('\xff Go buildinf:')))?.[1];
      const found = byTypeNameVersion(inventory.packages.filter((p) => p.path === `opt${path}`));
      for (const module of modules) assert.ok(found.includes(module), `${module} in ${found.join(', ')}`);
      assert.ok(found.some((p) => p.startsWith(`golang stdlib v${goVersion}`)), `stdlib ${goVersion} in ${found.join(', ')}`);
    }
  });

  it('reads Maven artifacts from jars, and from jars nested in a war', async () => {
    const animalSniffer = readFileSync(join(fixtures, 'animal-sniffer-annotations-1.14.jar'));
    const slf4j = readFileSync(join(fixtures, 'slf4j-nop-1.7.36.jar'));
    const war = await zipArchive([
      { name: 'WEB-INF/web.xml', data: Buffer.from('<web-app/>') },
      { name: 'WEB-INF/lib/slf4j-nop-1.7.36.jar', data: slf4j },
    ]);
    const inventory = await scanLayers(
      await gzipLayers([
        { name: 'usr/share/java/animal-sniffer-annotations-1.14.jar', content: animalSniffer },
        { name: 'srv/app.war', content: war },
      ]),
    );
    assert.deepEqual(byTypeNameVersion(inventory.packages), [
      'maven org.codehaus.mojo:animal-sniffer-annotations 1.14 usr/share/java/animal-sniffer-annotations-1.14.jar',
      'maven org.slf4j:slf4j-nop 1.7.36 srv/app.war!/WEB-INF/lib/slf4j-nop-1.7.36.jar',
    ]);
  });

  it('reads installed gem specifications', async () => {
    const inventory = await scanLayers(
      await gzipLayers([{ name: 'usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec', content: readFileSync(join(fixtures, 'rack-2.2.22.gemspec')) }]),
    );
    assert.deepEqual(inventory.packages, [{ type: 'gem', name: 'rack', version: '2.2.22', path: 'usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec', license: 'MIT' }]);
  });

  it("reads Alpine's apk database, mapping packages to their origin", async () => {
    const inventory = await scanLayers(await gzipLayers([{ name: 'lib/apk/db/installed', content: readFileSync(join(fixtures, 'alpine-3.18-installed')) }]));
    assert.deepEqual(
      inventory.packages.map(({ name, version, sourceName, arch, license }) => [name, version, sourceName, arch, license]),
      [
        ['alpine-baselayout-data', '3.4.3-r1', 'alpine-baselayout', 'aarch64', 'GPL-2.0-only'],
        ['libssl3', '3.1.2-r0', 'openssl', 'aarch64', 'Apache-2.0'],
        ['musl', '1.2.4-r1', 'musl', 'aarch64', 'MIT'],
        ['musl-utils', '1.2.4-r1', 'musl', 'aarch64', 'MIT AND BSD-2-Clause AND GPL-2.0-or-later'],
        ['ssl_client', '1.36.1-r2', 'busybox', 'aarch64', 'GPL-2.0-only'],
        ['zlib', '1.2.13-r1', 'zlib', 'aarch64', 'Zlib'],
      ],
    );
  });

  it('reads an rpmdb.sqlite written by rpm itself', async (t) => {
    if (!which('rpm') || !which('rpmbuild')) return t.skip('rpm and rpmbuild are not installed (apt-get install rpm)');
    const work = mkdtempSync(join(tmpdir(), 'berth-rpmdb-'));
    try {
      const database = buildRpmDatabase(work);
      const inventory = await scanLayers(await gzipLayers([{ name: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(join(database, 'rpmdb.sqlite')) }]));
      // The ground truth: rpm's own query of the same database.
      const query = execFileSync('rpm', ['-qa', '--dbpath', database, '--qf', '%{NAME}|%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}\n'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const expected = query
        .trim()
        .split('\n')
        .map((line) => {
          const [name, version, arch, sourceRpm, license] = line.split('|') as [string, string, string, string, string];
          const [, sourceName, sourceVersion] = /^(.+)-([^-]+-[^-]+)\.src\.rpm$/.exec(sourceRpm)!;
          const epoch = version.includes(':') ? version.slice(0, version.indexOf(':') + 1) : '';
          return [name, version, `${sourceName}`, `${epoch}${sourceVersion}`, arch, license];
        })
        .sort();
      assert.equal(expected.length, 2);
      assert.deepEqual(inventory.packages.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch, p.license]).sort(), expected);
      assert.ok(inventory.packages.every((p) => p.type === 'rpm' && p.path === 'var/lib/rpm/rpmdb.sqlite'));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('applies layer order, whiteouts and opaque directories across three layers', async () => {
    const dist = 'usr/lib/python3/dist-packages';
    const metadata = (p: string) => readFileSync(join(distPackages, p));
    const semver = repoFile('node_modules/semver/package.json');
    const pep = repoFile('node_modules/@renovatebot/pep440/package.json');
    const slf4j = readFileSync(join(fixtures, 'slf4j-nop-1.7.36.jar'));
    const smallStatus = hostStatus
      .toString('utf8')
      .split('\n\n')
      .filter((p) => /^Package: (base-files|libc6)$/m.test(p))
      .join('\n\n');
    const layers = await gzipLayers(
      [
        ...debianBase,
        { name: `${dist}/PyYAML-6.0.dist-info/METADATA`, content: metadata('PyYAML-6.0.dist-info/METADATA') },
        { name: `${dist}/cryptography-38.0.4.dist-info/METADATA`, content: metadata('cryptography-38.0.4.dist-info/METADATA') },
        { name: 'app/node_modules/semver/package.json', content: semver },
        { name: 'app/node_modules/@renovatebot/pep440/package.json', content: pep },
        { name: 'opt/lib/slf4j-nop.jar', content: slf4j },
        { name: 'opt/tools/slf4j-nop.jar', content: slf4j },
      ],
      [
        // A smaller dpkg database replaces the base's; PyYAML goes; node_modules starts afresh.
        { name: 'var/lib/dpkg/status', content: smallStatus },
        { name: `${dist}/.wh.PyYAML-6.0.dist-info` },
        { name: 'app/node_modules/.wh..wh..opq' },
        { name: 'app/node_modules/semver/package.json', content: semver },
        // A file replaces the opt/tools directory and what it held.
        { name: 'opt/tools', content: '#!/bin/sh\n', mode: 0o755 },
        // Whiteouts hide lower layers only: the jar this same layer adds stays.
        { name: 'opt/lib/slf4j-nop.jar', content: slf4j },
        { name: 'opt/lib/.wh.slf4j-nop.jar' },
      ],
      [
        // PyYAML comes back; cryptography goes with its whole dist-info directory.
        { name: `${dist}/PyYAML-6.0.dist-info/METADATA`, content: metadata('PyYAML-6.0.dist-info/METADATA') },
        { name: `${dist}/.wh.cryptography-38.0.4.dist-info` },
        // os-release's target goes; etc/os-release is left dangling.
        { name: 'usr/lib/.wh.os-release' },
      ],
    );
    const inventory = await scanLayers(layers);
    assert.equal(inventory.os, undefined);
    assert.deepEqual(byTypeNameVersion(inventory.packages), [
      `deb base-files ${dpkgVersion('base-files')} var/lib/dpkg/status`,
      `deb libc6 ${dpkgVersion('libc6')} var/lib/dpkg/status`,
      'maven org.slf4j:slf4j-nop 1.7.36 opt/lib/slf4j-nop.jar',
      `npm semver ${(JSON.parse(semver.toString()) as { version: string }).version} app/node_modules/semver/package.json`,
      `pypi PyYAML 6.0 ${dist}/PyYAML-6.0.dist-info/METADATA`,
    ]);
  });
});

function dpkgVersion(name: string): string {
  return execFileSync('dpkg-query', ['-W', '-f', '${Version}', name], { encoding: 'utf8' });
}

/** Builds two real packages with rpmbuild (one with an epoch and a subpackage named apart from its source) and records them in a fresh rpmdb. */
function buildRpmDatabase(work: string): string {
  const spec = join(work, 'berth-demo.spec');
  writeFileSync(
    spec,
    [
      'Name: berth-demo',
      'Version: 1.2.3',
      'Release: 4.el9',
      'Epoch: 2',
      'Summary: Berth inventory test package',
      'License: MIT AND Apache-2.0',
      'BuildArch: noarch',
      '%description',
      'Berth inventory test package.',
      '%package -n libberth-demo',
      'Summary: Berth inventory test subpackage',
      'License: MIT',
      '%description -n libberth-demo',
      'Berth inventory test subpackage.',
      '%files',
      '%files -n libberth-demo',
      '',
    ].join('\n'),
  );
  const built = spawnSync('rpmbuild', ['--define', `_topdir ${join(work, 'build')}`, '-bb', spec], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const database = join(work, 'db');
  execFileSync('rpm', ['--initdb', '--dbpath', database], { stdio: 'ignore' });
  const rpms = readdirSync(join(work, 'build/RPMS/noarch')).map((name) => join(work, 'build/RPMS/noarch', name));
  execFileSync('rpm', ['-i', '--justdb', '--nodeps', '--dbpath', database, ...rpms], { stdio: 'ignore' });
  return database;
}
