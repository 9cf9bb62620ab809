/**
 * Image scanning with the real clients and the real vulnerability data: a Debian 12 image built by
 * debootstrap, with Debian's Python packages and old npm packages (test/e2e/scan-image.ts), is
 * pushed with `docker push` to a repository made by `aws ecr create-repository
 * --image-scanning-configuration scanOnPush=true`, after `berth vulndb import` of the published OSV
 * archives (../shared/vulndb); `aws ecr wait image-scan-complete` waits for the scan and `aws ecr
 * describe-image-scan-findings` reads every page of findings.
 *
 * The findings are compared, as a set of (vulnerability id, package, version), with a ground truth
 * computed without Berth's code: test/e2e/scan_ground_truth.py reads the image's filesystem as
 * `docker export` flattens it, and decides affected-ness with `dpkg --compare-versions`, Python's
 * `packaging` (PEP 440) and a small Semantic Versioning comparison of its own. Both merge records
 * by Berth's documented rule (src/domain/scanning/osv/match.ts, restated in the script):
 *   1. records sharing an id or alias (directly or through others) are one vulnerability;
 *   2. a vulnerability of Debian advisories only (DSA-/DLA-/DTSA-) whose `related` ids name a
 *      matched non-advisory vulnerability of the same package is folded into it;
 *   3. it is reported under its smallest CVE record id, else its smallest CVE alias, else its
 *      smallest record id.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berthCommand } from '../support/berth-process.js';
import { osvArchive, vulndbUnavailable } from '../support/osv-archive.js';
import { dockerWorks, removeDir, repoRoot, runOk, tempDir, which } from '../support/tools.js';
import { skipReason, startRegistry, targetKind, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest } from './local-images.js';
import { buildScanImage, exportImageFilesystem, scanImageUnavailable } from './scan-image.js';

const GROUND_TRUTH = path.join(repoRoot, 'test', 'e2e', 'scan_ground_truth.py');
const ARCHIVES = (['Debian', 'PyPI', 'npm'] as const).map(osvArchive);
/** Findings per DescribeImageScanFindings page: small enough that the image's findings take several. */
const PAGE_SIZE = 25;

/**
 * A python3 with the `packaging` module: the one on PATH (pyenv's, say), else Debian's
 * /usr/bin/python3 with python3-packaging (.ci/e2e-setup.sh installs it).
 */
const python = [which('python3'), '/usr/bin/python3'].find(
  (candidate) => candidate !== undefined && spawnSync(candidate, ['-c', 'import packaging.version']).status === 0,
);

const skip =
  skipReason('docker', 'dpkg') ??
  (targetKind !== 'berth' ? `image scanning is Berth's (BERTH_E2E_TARGET=${targetKind})` : undefined) ??
  vulndbUnavailable() ??
  scanImageUnavailable() ??
  (python ? undefined : "no python3 with the packaging module (apt-get install python3-packaging)") ??
  (dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');

interface BasicFinding {
  name: string;
  severity: string;
  uri: string;
  attributes: { key: string; value: string }[];
}

interface FindingsOutput {
  imageScanStatus: { status: string; description?: string };
  imageScanFindings?: { findings?: BasicFinding[]; findingSeverityCounts?: Record<string, number> };
}

interface GroundTruth {
  packages: Record<string, number>;
  findings: [string, string, string][];
}

const pairKey = (id: string, pkg: string, version: string) => `${id} ${pkg} ${version}`;

function attribute(finding: BasicFinding, key: string): string {
  const value = finding.attributes.find((a) => a.key === key)?.value;
  assert.ok(value !== undefined, `finding ${finding.name} has no ${key} attribute`);
  return value;
}

describe('image scanning: docker push of a real Debian image, aws ecr and the published OSV data', { skip }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let docker: DockerCli;
  let baseTag: string | undefined;
  const id = randomBytes(4).toString('hex');
  const repo = `e2e/scan-${id}`;
  const localTag = `berth-e2e/scan:${id}`;
  let ref: string;
  let digest: string;

  const aws = (...args: string[]) => registry.berth!.awsOk(args);

  /** `berth vulndb import` of the three archives into the running server's metadata store. */
  async function importVulnerabilityData(): Promise<string> {
    const command = berthCommand()!;
    const store = ['--data-dir', registry.dataDir, ...(registry.berth!.options.databaseUrl ? ['--database-url', registry.berth!.options.databaseUrl] : [])];
    return (await runOk(command.cmd, [...command.args, 'vulndb', 'import', ...ARCHIVES, ...store], { timeoutMs: 900_000 })).stdout;
  }

  before(
    async () => {
      work = tempDir('scanning');
      registry = await startRegistry();
      docker = new DockerCli(path.join(work, 'docker-config'));
      await docker.login(registry);
      const [imported, built] = await Promise.all([importVulnerabilityData(), buildScanImage(docker, localTag)]);
      process.stderr.write(imported);
      baseTag = built.baseTag;
      await aws('ecr', 'create-repository', '--repository-name', repo, '--image-scanning-configuration', 'scanOnPush=true');
      ref = `${registry.host}/${repo}:v1`;
      await docker.ok(['tag', localTag, ref]);
      digest = pushedDigest(await docker.ok(['push', ref], { timeoutMs: 900_000 }));
    },
    { timeout: 2_400_000 },
  );

  after(async () => {
    await docker?.run(['rmi', '-f', ref, localTag, ...(baseTag ? [baseTag] : [])].filter(Boolean));
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('scans on push: `aws ecr wait image-scan-complete` returns and describe-images shows the summary', async () => {
    await aws('ecr', 'wait', 'image-scan-complete', '--repository-name', repo, '--image-id', `imageDigest=${digest}`);
    const described = JSON.parse(await aws('ecr', 'describe-images', '--repository-name', repo, '--image-ids', `imageDigest=${digest}`)) as {
      imageDetails: { imageScanStatus?: { status: string }; imageScanFindingsSummary?: { findingSeverityCounts?: Record<string, number> } }[];
    };
    const [detail] = described.imageDetails;
    assert.equal(detail?.imageScanStatus?.status, 'COMPLETE');
    assert.ok(detail?.imageScanFindingsSummary?.findingSeverityCounts, 'a findings summary');
  });

  it('reports exactly the (vulnerability, package, version) pairs the independent ground truth finds', { timeout: 1_200_000 }, async (t) => {
    const filesystem = path.join(work, 'filesystem.tar');
    await exportImageFilesystem(docker, localTag, filesystem);
    const truth = JSON.parse((await runOk(python!, [GROUND_TRUTH, '--image', filesystem, ...ARCHIVES], { timeoutMs: 1_200_000 })).stdout) as GroundTruth;
    t.diagnostic(`ground truth: packages ${JSON.stringify(truth.packages)}, ${truth.findings.length} findings`);

    // Every page, PAGE_SIZE findings at a time; the aws CLI follows nextToken and joins the pages.
    const output = JSON.parse(await aws('ecr', 'describe-image-scan-findings', '--repository-name', repo, '--image-id', `imageDigest=${digest}`, '--page-size', String(PAGE_SIZE))) as FindingsOutput;
    assert.equal(output.imageScanStatus.status, 'COMPLETE');
    const findings = output.imageScanFindings?.findings ?? [];
    assert.ok(findings.length > PAGE_SIZE, `several pages of findings (${findings.length})`);

    const reported = findings.map((f) => pairKey(f.name, attribute(f, 'package_name'), attribute(f, 'package_version')));
    assert.equal(new Set(reported).size, reported.length, 'no finding is reported twice');
    const expected = new Set(truth.findings.map(([vulnerability, pkg, version]) => pairKey(vulnerability, pkg, version)));
    const onlyBerth = reported.filter((key) => !expected.has(key)).sort();
    const onlyTruth = [...expected].filter((key) => !reported.includes(key)).sort();
    t.diagnostic(`Berth: ${findings.length} findings; only in Berth: ${onlyBerth.length}, only in the ground truth: ${onlyTruth.length}`);
    assert.deepEqual({ onlyBerth, onlyTruth }, { onlyBerth: [], onlyTruth: [] });

    // The image exercises every ecosystem: Debian source packages, Debian's Python distributions, npm.
    for (const known of [
      pairKey('CVE-2023-32681', 'requests', '2.28.1'),
      pairKey('CVE-2020-8203', 'lodash', '4.17.15'),
      pairKey('GHSA-7fhm-mqm4-2wp7', 'minimist', '1.2.0'),
      pairKey('CVE-2023-45133', '@babel/traverse', '7.22.0'),
    ]) {
      assert.ok(expected.has(known), `the ground truth should hold ${known}`);
    }
    assert.ok(truth.findings.some(([, pkg]) => pkg === 'glibc'), 'Debian findings in the ground truth');
    // The upper layer deleted idna's metadata: neither side may see it.
    assert.ok(!reported.some((key) => key.split(' ')[1] === 'idna'), 'no finding for the deleted idna distribution');

    const counts = output.imageScanFindings?.findingSeverityCounts ?? {};
    const bySeverity: Record<string, number> = {};
    for (const finding of findings) bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
    assert.deepEqual(counts, bySeverity);
  });
});
