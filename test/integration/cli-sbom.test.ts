/**
 * `berth scan` and `berth sbom` as real processes against a test server's stores: images
 * whose layer holds this machine's real Debian package database are scanned by the CLI itself
 * (the server does not scan: scanInterval 0), its findings compared with a ground truth computed
 * with dpkg over the same real OSV records, and the stored inventory exported as CycloneDX and SPDX.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { CycloneDxBom } from '../../src/domain/scanning/sbom/cyclonedx.js';
import type { SpdxDocument } from '../../src/domain/scanning/sbom/spdx.js';
import type { Finding } from '../../src/domain/scanning/osv/match.js';
import { importOsv } from '../../src/domain/scanning/vulndb/import.js';
import { berthCommand } from '../support/berth-process.js';
import { DEBIAN_OSV_FIXTURES, DPKG_STATUS, debianFixtureRecords, dpkgMissing, groundTruth, hostDebianLayer, installedSources, pushLayerImage } from '../support/host-debian-image.js';
import { describeOnEveryStore, type SuiteRegistry, type TestServer } from '../support/server.js';
import { removeDir, run, tempDir } from '../support/tools.js';

/** `berth scan --json` as printed. */
interface PrintedScan {
  repositoryName: string;
  imageDigest: string;
  imageScanStatus: { status: string; description: string };
  imageScanCompletedAt: string;
  vulnerabilitySourceUpdatedAt: string | null;
  findingSeverityCounts: Record<string, number>;
  findings: Finding[];
}

/** The installed packages as dpkg itself lists them: `<name> <version> <arch>`. */
function dpkgQueryPackages(): string[] {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}|${Package} ${Version} ${Architecture}\n'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => /^[ih]i/.test(line))
    .map((line) => line.split('|')[1]!)
    .sort();
}

/** The suite, on SQLite and (when it can be had) PostgreSQL; the CLI opens the server's stores as the server does. */
function cliSuite(registry: SuiteRegistry): void {
  let server: TestServer;
  let root: string;
  /** The image scanned with --json, and the one scanned for the table. */
  let hostDigest: string;
  let tableDigest: string;

  before(async () => {
    root = tempDir('cli-sbom');
    server = registry.server;
    const ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    for (const repositoryName of ['cli/debian', 'cli/table']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    hostDigest = await pushLayerImage(registry.oci, 'cli/debian', 'host', await hostDebianLayer());
    tableDigest = await pushLayerImage(registry.oci, 'cli/table', 'v1', await hostDebianLayer());
    await importOsv({ location: DEBIAN_OSV_FIXTURES, name: 'debian-fixtures' }, server.services.metadata);
  });
  after(() => removeDir(root));

  const berth = async (...args: string[]) => {
    const command = berthCommand()!;
    const { dataDir, databaseUrl } = server.config;
    return run(command.cmd, [...command.args, ...args, '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])]);
  };

  it('berth sbom says an image has no inventory before it is scanned, and how to get one', async () => {
    const result = await berth('sbom', 'cli/debian:host');
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'berth: no scan of cli/debian:host has an inventory yet: run `berth scan cli/debian:host`\n');
  });

  it('berth scan --json scans the image in its own process and prints exactly the findings dpkg says it has', async () => {
    const result = await berth('scan', 'cli/debian:host', '--json');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const printed = JSON.parse(result.stdout) as PrintedScan;
    assert.equal(printed.repositoryName, 'cli/debian');
    assert.equal(printed.imageDigest, hostDigest);
    assert.deepEqual(printed.imageScanStatus, { status: 'COMPLETE', description: 'The scan was completed successfully.' });
    assert.ok(printed.vulnerabilitySourceUpdatedAt !== null);

    const expected = groundTruth(debianFixtureRecords(), installedSources(readFileSync(DPKG_STATUS, 'utf8')));
    assert.ok(expected.size > 0, 'the fixture records include vulnerabilities this machine has unfixed');
    assert.deepEqual(new Set(printed.findings.map((f) => `${f.vulnerabilityId} ${f.packageName}`)), expected);
    const counted = Object.values(printed.findingSeverityCounts).reduce((sum, n) => sum + n, 0);
    assert.equal(counted, printed.findings.length);

    // What the CLI stored is what the server reports.
    const stored = await server.services.registry.scans.findings('cli/debian', { imageTag: 'host' }, { maxResults: 1000 });
    assert.equal(stored.scan.status, 'COMPLETE');
    assert.deepEqual(new Set(stored.findings.map((f) => f.vulnerabilityId)), new Set(printed.findings.map((f) => f.vulnerabilityId)));
  });

  it('berth scan prints the status, the severity counts and a findings table', async () => {
    const result = await berth('scan', 'cli/table:v1');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `cli/table:v1 (${tableDigest}): COMPLETE: The scan was completed successfully.`);
    assert.match(lines[1]!, /^vulnerability data updated \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const [, total] = lines[2]!.match(/^(\d+) finding\(s\): (?:(?:CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL|UNDEFINED) \d+(?:, |$))+/) ?? [];
    assert.ok(total, lines[2]);
    assert.equal(lines[3], '');
    assert.match(lines[4]!, /^VULNERABILITY +SEVERITY +PACKAGE +INSTALLED +FIXED IN$/);
    const rows = lines.slice(5);
    assert.equal(rows.length, Number(total));
    const installed = installedSources(readFileSync(DPKG_STATUS, 'utf8'));
    for (const row of rows) {
      const [id, severity, pkg, version, fixed] = row.split(/ +/);
      assert.match(id!, /^(CVE|DSA|DLA)-/);
      assert.match(severity!, /^(CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL|UNDEFINED)$/);
      assert.equal(version, installed.get(pkg!), `${pkg} is reported at its installed source version`);
      assert.ok(fixed);
    }
  });

  it("keeps ECR's basic scanning quota of one scan per image in 24 hours, and says so", async () => {
    const result = await berth('scan', 'cli/debian:host');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^berth: cli\/debian:host was last scanned at \d{4}-\d\d-\d\dT[\d:.]+Z: basic scanning scans an image at most once in 24 hours, scans on push included, as Amazon ECR does/);
  });

  it('berth sbom writes the stored inventory as CycloneDX 1.5 to standard output', async () => {
    const result = await berth('sbom', 'cli/debian:host');
    assert.equal(result.code, 0, result.stderr);
    const bom = JSON.parse(result.stdout) as CycloneDxBom;
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.5');
    assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.ok(Math.abs(Date.parse(bom.metadata.timestamp) - Date.now()) < 60_000);
    const version = (JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(bom.metadata.tools.components, [{ type: 'application', name: 'berth', version }]);
    assert.deepEqual(bom.metadata.component, {
      'bom-ref': `pkg:oci/debian@${hostDigest}?tag=host`,
      type: 'container',
      name: 'cli/debian',
      version: hostDigest,
      purl: `pkg:oci/debian@${hostDigest}?tag=host`,
    });
    assert.deepEqual(bom.components[0], { 'bom-ref': 'os:debian@12', type: 'operating-system', name: 'debian', version: '12', description: 'Debian GNU/Linux 12 (bookworm)' });
    // Every installed package, as dpkg lists them, and nothing else.
    const libraries = bom.components.slice(1);
    assert.deepEqual(libraries.map((c) => `${c.name} ${c.version} ${c.purl!.match(/arch=([^&]+)/)![1]}`).sort(), dpkgQueryPackages());
    const bash = libraries.find((c) => c.name === 'bash')!;
    assert.equal(bash.purl, `pkg:deb/debian/bash@${bash.version.replaceAll('+', '%2B')}?arch=amd64&distro=debian-12`);
    assert.deepEqual(bash.properties?.[0], { name: 'berth:path', value: 'var/lib/dpkg/status' });
  });

  it('berth sbom --format spdx --output writes SPDX 2.3 to the file, for an image named by digest', async () => {
    const file = path.join(root, 'debian.spdx.json');
    const result = await berth('sbom', `cli/debian@${hostDigest}`, '--format', 'spdx', '--output', file);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const document = JSON.parse(readFileSync(file, 'utf8')) as SpdxDocument;
    assert.equal(document.spdxVersion, 'SPDX-2.3');
    assert.equal(document.name, `cli/debian@${hostDigest}`);
    assert.match(document.documentNamespace, new RegExp(`^https://spdx\\.org/spdxdocs/berth/cli/debian@${hostDigest}-[0-9a-f-]{36}$`));
    assert.match(document.creationInfo.creators[0]!, /^Tool: berth-\d+\.\d+\.\d+/);
    const [image, os, ...packages] = document.packages;
    // Named by digest: no tag in the image's purl.
    assert.equal(image?.externalRefs?.[0]?.referenceLocator, `pkg:oci/debian@${hostDigest}`);
    assert.equal(os?.primaryPackagePurpose, 'OPERATING-SYSTEM');
    assert.deepEqual(packages.map((p) => `${p.name} ${p.versionInfo}`).sort(), dpkgQueryPackages().map((line) => line.split(' ').slice(0, 2).join(' ')));
    assert.equal(document.relationships.length, document.packages.length);
  });

  it('berth sbom rejects an unknown format and a malformed image name', async () => {
    const format = await berth('sbom', 'cli/debian:host', '--format', 'xml');
    assert.equal(format.code, 1);
    assert.match(format.stderr, /argument 'xml' is invalid\. Allowed choices are cyclonedx, spdx/);
    const name = await berth('sbom', 'cli/debian:a:b');
    assert.equal(name.code, 1);
    assert.match(name.stderr, /expected repository\[:tag\|@digest\]/);
  });
}

const title = 'berth scan and berth sbom';
if (dpkgMissing) describe(title, { skip: dpkgMissing }, () => {});
else await describeOnEveryStore(title, { scanInterval: 0 }, cliSuite);
