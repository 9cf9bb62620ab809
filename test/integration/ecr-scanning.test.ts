/**
 * Image scanning end to end over HTTP with the AWS SDK: an image whose layer holds this machine's
 * real Debian package database is pushed to a repository that scans on push; the scan runs in a
 * worker thread of the server and its findings are compared with a ground truth computed here,
 * independently, with `dpkg --compare-versions` over the same real OSV records. Then the ECR rules
 * around it: the basic scan quota, scan types and filters, unsupported and hostile images.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, it } from 'node:test';
import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  InvalidParameterException,
  LimitExceededException,
  PutRegistryScanningConfigurationCommand,
  ScanNotFoundException,
  StartImageScanCommand,
  UnsupportedImageTypeException,
  waitUntilImageScanComplete,
} from '@aws-sdk/client-ecr';
import { importOsv } from '../../src/domain/scanning/vulndb/import.js';
import { DEBIAN_OSV_FIXTURES, DPKG_STATUS, debianFixtureRecords, dpkgCompare, dpkgMissing, groundTruth, hostDebianLayer, installedSources, layerOf, pushLayerImage } from '../support/host-debian-image.js';
import { OCI_CONFIG, OCI_INDEX } from '../support/oci-client.js';
import { describeOnEveryStore } from '../support/server.js';

/** Imported only later, to see continuous scanning find it: perl is essential in Debian, and this CVE has no fix in bookworm. */
const LATE_RECORD = 'CVE-2023-31484';

await describeOnEveryStore('ECR image scanning', { scanInterval: 0.2 }, (registry) => {
  let ecr: ECRClient;
  const records = debianFixtureRecords().filter((record) => record.id !== LATE_RECORD);

  const pushImage = (repository: string, tag: string, layer: Buffer, configType = OCI_CONFIG) => pushLayerImage(registry.oci, repository, tag, layer, configType);

  const waitForScan = (repositoryName: string, imageDigest: string) =>
    waitUntilImageScanComplete({ client: ecr, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { repositoryName, imageId: { imageDigest } });

  before(async () => {
    ecr = new ECRClient({ endpoint: registry.server.url, region: registry.server.config.region, credentials: registry.server.admin, maxAttempts: 1 });
    // The fixtures but one, as a directory of their own.
    const early = mkdtempSync(join(tmpdir(), 'berth-scan-records-'));
    for (const file of readdirSync(DEBIAN_OSV_FIXTURES).filter((f) => f !== `${LATE_RECORD}.json`)) copyFileSync(join(DEBIAN_OSV_FIXTURES, file), join(early, file));
    await importOsv({ location: early, name: 'debian-fixtures' }, registry.server.services.metadata);
    rmSync(early, { recursive: true });
  });

  it('scans on push and reports exactly the vulnerabilities dpkg says the installed packages have', { skip: dpkgMissing }, async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/debian', imageScanningConfiguration: { scanOnPush: true } }));
    const status = readFileSync(DPKG_STATUS, 'utf8');
    const layer = await layerOf({ 'etc/os-release': readFileSync('/etc/os-release', 'utf8'), 'var/lib/dpkg/status': status });
    const digest = await pushImage('scan/debian', 'host', layer);
    await waitForScan('scan/debian', digest);

    const expected = groundTruth(records, installedSources(status));
    const got = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/debian', imageId: { imageTag: 'host' } }));
    assert.equal(got.imageScanStatus?.status, 'COMPLETE');
    assert.equal(got.imageScanStatus?.description, 'The scan was completed successfully.');
    const findings = got.imageScanFindings?.findings ?? [];
    const attribute = (f: (typeof findings)[number], key: string) => f.attributes?.find((a) => a.key === key)?.value;
    assert.deepEqual(new Set(findings.map((f) => `${f.name} ${attribute(f, 'package_name')}`)), expected);
    assert.ok(expected.size > 0, 'the fixture records should include vulnerabilities this machine has unfixed');
    for (const finding of findings) {
      assert.ok(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'].includes(finding.severity!));
      assert.match(finding.uri!, /^https?:\/\//);
      // Berth adds the fixed version where the records know one; dpkg must agree it is newer.
      const fixed = attribute(finding, 'fixed_in_version');
      if (fixed !== undefined) assert.ok(dpkgCompare(attribute(finding, 'package_version')!, 'lt', fixed), `${finding.name}: fixed in ${fixed}`);
    }
    const counts = got.imageScanFindings?.findingSeverityCounts ?? {};
    assert.equal(Object.values(counts).reduce((a, b) => a + (b ?? 0), 0), findings.length);
    assert.ok(got.imageScanFindings?.vulnerabilitySourceUpdatedAt instanceof Date);

    // DescribeImages carries the status and the summary.
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'scan/debian', imageIds: [{ imageDigest: digest }] }));
    assert.equal(imageDetails?.[0]?.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(imageDetails?.[0]?.imageScanFindingsSummary?.findingSeverityCounts, counts);

    // Pages of one finding each add up to the whole list.
    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/debian', imageId: { imageDigest: digest }, maxResults: 1, nextToken }));
      paged.push(...(page.imageScanFindings?.findings ?? []).map((f) => f.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(paged, findings.map((f) => f.name));

    // Basic scanning scans an image once a day; the scan on push counted.
    await assert.rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/debian', imageId: { imageDigest: digest } })), LimitExceededException);
  });

  it('answers ScanNotFoundException before a scan, and scans on demand with StartImageScan', { skip: dpkgMissing }, async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/manual' }));
    const layer = await hostDebianLayer();
    const digest = await pushImage('scan/manual', 'v1', layer);
    await assert.rejects(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } })), ScanNotFoundException);
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } }));
    assert.equal(started.imageScanStatus?.status, 'IN_PROGRESS');
    assert.equal(started.imageId?.imageDigest, digest);
    await waitForScan('scan/manual', digest);
  });

  it('reports artifacts and images without a known OS or package manager as UNSUPPORTED_IMAGE, and hostile layers as FAILED', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/odd', imageScanningConfiguration: { scanOnPush: true } }));
    const artifact = await pushImage('scan/odd', 'chart', await layerOf({ 'Chart.yaml': 'name: x\n' }), 'application/vnd.cncf.helm.config.v1+json');
    const scratch = await pushImage('scan/odd', 'scratch', await layerOf({ 'hello.txt': 'hello\n' }));
    const hostile = await pushImage('scan/odd', 'hostile', Buffer.concat([gzipSync(Buffer.from('not a tar archive, just some text that is long enough to not be a tar header'.repeat(20)))]));
    const statusOf = async (imageDigest: string) => {
      for (let i = 0; i < 100; i++) {
        const got = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/odd', imageId: { imageDigest } }));
        if (got.imageScanStatus?.status !== 'IN_PROGRESS') return got.imageScanStatus;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the scan did not finish');
    };
    const a = await statusOf(artifact);
    assert.equal(a?.status, 'UNSUPPORTED_IMAGE');
    assert.match(a?.description ?? '', /application\/vnd\.cncf\.helm\.config\.v1\+json is not a container image/);
    assert.deepEqual(await statusOf(scratch), { status: 'UNSUPPORTED_IMAGE', description: 'UnsupportedImageError: The operating system and/or package manager are not supported.' });
    const h = await statusOf(hostile);
    assert.equal(h?.status, 'FAILED');
    assert.ok((h?.description ?? '').length > 10, `a reason: ${h?.description}`);

    // An index cannot be scanned itself.
    const index = await registry.oci.pushManifest('scan/odd', 'multi', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, OCI_INDEX);
    await assert.rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/odd', imageId: { imageDigest: index.digest } })), UnsupportedImageTypeException);
  });

  it('keeps scan types and filters as ECR does', { skip: dpkgMissing }, async () => {
    assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules: [] });
    // Basic scanning only scans on push.
    await assert.rejects(
      ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] })),
      InvalidParameterException,
    );
    await ecr.send(
      new PutRegistryScanningConfigurationCommand({
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'scan/cont*', filterType: 'WILDCARD' }] },
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'debian', filterType: 'WILDCARD' }] },
        ],
      }),
    );
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/continuous' }));
    const { scanningConfigurations, failures } = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['scan/continuous', 'scan/debian', 'scan/manual', 'nope'] }));
    assert.deepEqual(
      scanningConfigurations?.map((c) => [c.repositoryName, c.scanFrequency, c.scanOnPush, c.appliedScanFilters?.map((f) => f.filter)]),
      [
        ['scan/continuous', 'CONTINUOUS_SCAN', true, ['scan/cont*']],
        // A filter without a wildcard matches names that contain it.
        ['scan/debian', 'SCAN_ON_PUSH', true, ['debian']],
        ['scan/manual', 'MANUAL', false, []],
      ],
    );
    assert.deepEqual(failures, [{ repositoryName: 'nope', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' }]);

    // The basic results are hidden under enhanced scanning, which scans on push and reports Inspector's shape.
    await assert.rejects(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/debian', imageId: { imageTag: 'host' } })), ScanNotFoundException);
    const layer = await hostDebianLayer();
    const digest = await pushImage('scan/continuous', 'v1', layer);
    await waitForScan('scan/continuous', digest);
    const got = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/continuous', imageId: { imageDigest: digest } }));
    const enhanced = got.imageScanFindings?.enhancedFindings ?? [];
    assert.ok(enhanced.length > 0);
    assert.equal(got.imageScanFindings?.findings, undefined);
    for (const finding of enhanced) {
      assert.equal(finding.type, 'PACKAGE_VULNERABILITY');
      assert.match(finding.findingArn!, /^arn:aws:inspector2:/);
      assert.ok(finding.packageVulnerabilityDetails?.vulnerabilityId);
      assert.ok((finding.packageVulnerabilityDetails?.vulnerablePackages ?? []).length > 0);
      assert.equal(finding.resources?.[0]?.details?.awsEcrContainerImage?.imageHash, digest);
    }

    // Continuous scanning: a database update is matched against the stored inventory, and what is new is logged.
    const ids = () => ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/continuous', imageId: { imageDigest: digest }, maxResults: 1000 })).then((r) => r.imageScanFindings?.enhancedFindings?.map((f) => f.packageVulnerabilityDetails?.vulnerabilityId));
    assert.ok(!(await ids())?.includes(LATE_RECORD));
    await importOsv({ location: join(DEBIAN_OSV_FIXTURES, `${LATE_RECORD}.json`), name: 'debian-late' }, registry.server.services.metadata);
    for (let i = 0; i < 100 && !(await ids())?.includes(LATE_RECORD); i++) await new Promise((r) => setTimeout(r, 200));
    assert.ok((await ids())?.includes(LATE_RECORD), 'the new record was matched without a new scan');
    const events = await registry.server.services.metadata.listAuditEvents({ repositoryName: 'scan/continuous' });
    assert.deepEqual(
      events.filter((e) => e.action === 'scan.new-findings').map((e) => [e.imageDigest, e.detail.vulnerabilityId, e.detail.packageName]),
      [[digest, LATE_RECORD, 'perl']],
    );
    await ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules: [] }));
  });
});
