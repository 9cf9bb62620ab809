/**
 * The web console in a real browser: Debian's Chromium, driven by playwright-core, against a real Berth,
 * with what a user of the console does from sign-in to deleting the repository. Every step is checked on
 * the other side with the real aws CLI, so the test proves the console did what it showed, not only that
 * it showed something:
 *
 * - sign-in with the administrator's access key (a wrong secret refused inline first), sign-out (the old
 *   cookie no longer works), and an IAM user signing in with a console password whose policy denies
 *   CreateRepository: the page shows the policy engine's reason;
 * - a repository created with the form (scan on push, immutable tags), as `describe-repositories` sees it;
 * - "View push commands" shows this registry's host and (non-default) region, and the commands it shows,
 *   run verbatim by bash in a build context, log docker in, build and push an image made of this machine's
 *   os-release and dpkg status, after `berth vulndb import` of the Debian OSV fixtures;
 * - the Images tab shows the scan's severity counts as `describe-images` has them, and the image's page
 *   lists every finding `describe-image-scan-findings` reports and downloads the image's CycloneDX SBOM;
 * - a lifecycle rule made in the rule editor is previewed ("Test rules" names the pushed image and the bytes
 *   it frees) and applied, as `get-lifecycle-policy` then returns it;
 * - an invalid repository policy is refused with the server's reason inline and nothing is stored; a
 *   pull grant made with the statement builder is saved, as `get-repository-policy` then returns it, and
 *   the policy is deleted after a confirmation;
 * - the registry settings pages and the repositories list render at phone width (390 px, no sideways
 *   overflow) and at 1280 px;
 * - deleting the repository with images takes the typed confirmation, and `describe-repositories` no
 *   longer finds it;
 * - and throughout, the page throws nothing and logs no error (a Content-Security-Policy violation would).
 *
 * A full-page screenshot of every state is saved to test-artifacts/console/NN-name.png for people to look at.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestCredentials } from '../support/aws-request.js';
import { berthCommand } from '../support/berth-process.js';
import { browserUnavailable, launchChromium } from '../support/browser.js';
import { DEBIAN_OSV_FIXTURES, DPKG_STATUS, dpkgMissing } from '../support/host-debian-image.js';
import { describeRun, dockerWorks, httpRequest, removeDir, repoRoot, run, runOk, tempDir, waitFor } from '../support/tools.js';
import { skipReason, startRegistry, targetKind, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest, writeBuildContext } from './local-images.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts', 'console');
/** Not us-east-1, so a region the console merely defaulted to would show. */
const REGION = 'eu-west-3';
/** Berth's default account id. */
const ACCOUNT = '000000000000';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Scanning the image takes seconds here; a slow CI machine gets a generous margin. */
const SCAN_TIMEOUT_MS = 120_000;

const skip =
  skipReason('docker') ??
  (targetKind !== 'berth' ? `the console is Berth's (BERTH_E2E_TARGET=${targetKind})` : undefined) ??
  browserUnavailable() ??
  dpkgMissing ??
  (dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');

interface ImageDetail {
  imageSizeInBytes: number;
  imageScanStatus?: { status: string };
  imageScanFindingsSummary?: { findingSeverityCounts?: Record<string, number> };
}

/** A severity as the console writes it: "CRITICAL" is "Critical". */
const severityLabel = (severity: string) => severity.charAt(0) + severity.slice(1).toLowerCase();

describe('web console in Chromium: sign-in, repository, push, scan findings, lifecycle, policy, settings, delete', { skip }, () => {
  const id = randomBytes(4).toString('hex');
  const repo = `e2e/console-${id}`;
  const viewer = { userName: `viewer-${id}`, password: `Viewer-${id}-Pass7` };
  let work: string;
  let registry: RegistryUnderTest;
  let docker: DockerCli;
  let browser: Browser;
  let page: Page;
  let digest: string;
  let screenshots = 0;
  /** Uncaught exceptions and console errors in the page (a CSP violation is one), other than refused requests. */
  const pageProblems: string[] = [];

  const aws = (...args: string[]) => registry.berth!.awsOk(args);
  const admin = (): TestCredentials => registry.berth!.admin;
  const consoleUrl = (rest = '') => `${registry.url}/console${rest}`;

  /** `berth <args>` on the running server's metadata store, as an operator on the server runs it. */
  async function berth(args: string[], input?: string): Promise<string> {
    const command = berthCommand()!;
    const { databaseUrl } = registry.berth!.options;
    const store = ['--data-dir', registry.dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    return (await runOk(command.cmd, [...command.args, ...args, ...store], { input, timeoutMs: 120_000 })).stdout;
  }

  /** A full-page PNG of what the browser shows now, numbered in the order the test visits states. */
  async function screenshot(name: string): Promise<void> {
    screenshots += 1;
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(screenshots).padStart(2, '0')}-${name}.png`), fullPage: true });
  }

  /** A phone-width page must reflow, not scroll sideways (tables become cards below 720 px). */
  async function assertNoSidewaysScroll(what: string): Promise<void> {
    // A string, run in the page: this file is compiled without the DOM's types.
    const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
    assert.ok(scrollWidth <= innerWidth, `${what} is ${scrollWidth} px wide in a ${innerWidth} px window`);
  }

  async function signInWithAccessKey(credentials: TestCredentials): Promise<void> {
    await page.getByRole('tab', { name: 'Access key' }).click();
    await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
    await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signInWithPassword(userName: string, password: string): Promise<void> {
    await page.getByRole('tab', { name: 'IAM user' }).click();
    await page.getByLabel('User name').fill(userName);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Signs out and checks the session is over on the server too: the cookie the browser held is refused. */
  async function signOut(): Promise<void> {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'berth_console_session');
    assert.ok(cookie, 'a session cookie while signed in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    const replay = await httpRequest(consoleUrl('/api/session'), { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    assert.equal(replay.status, 401, 'the signed-out session cookie is refused');
    assert.equal(replay.json<{ __type: string }>().__type, 'NotSignedIn');
  }

  /** The signed-in header: the principal's short name and the Sign out button. */
  async function expectSignedInAs(name: string): Promise<void> {
    const header = page.getByRole('banner');
    await header.getByRole('button', { name: 'Sign out' }).waitFor();
    await header.getByText(name, { exact: true }).waitFor();
  }

  async function openRepositoryTab(tab: string): Promise<void> {
    await page.getByRole('tab', { name: tab, exact: true }).click();
    await page.getByRole('tab', { name: tab, exact: true, selected: true }).waitFor();
  }

  const imageRow = (table: Locator, tag: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name: tag, exact: true }) });

  async function describeImage(): Promise<ImageDetail> {
    const output = JSON.parse(await aws('ecr', 'describe-images', '--repository-name', repo, '--image-ids', `imageDigest=${digest}`)) as { imageDetails: ImageDetail[] };
    return output.imageDetails[0]!;
  }

  before(
    async () => {
      rmSync(ARTIFACTS, { recursive: true, force: true });
      mkdirSync(ARTIFACTS, { recursive: true });
      work = tempDir('console');
      registry = await startRegistry({ region: REGION });
      docker = new DockerCli(path.join(work, 'docker-config'));
      process.stderr.write(await berth(['vulndb', 'import', DEBIAN_OSV_FIXTURES]));
      // A user who may look but not change anything, signing in with a console password.
      await berth(['iam', 'create-user', viewer.userName]);
      const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:Describe*', 'ecr:List*', 'ecr:Get*'], Resource: '*' }] };
      await berth(['iam', 'put-user-policy', viewer.userName, 'read-only', JSON.stringify(readOnly)]);
      await berth(['iam', 'create-login-profile', viewer.userName, '--password-stdin'], `${viewer.password}\n`);
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
      // The test provokes refusals (401, 400) on purpose; the console shows them, and Chromium logs each.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(message.text());
      });
    },
    { timeout: 300_000 },
  );

  afterEach(async (t) => {
    // What the page showed when a step failed, to tell a console bug from a test one.
    if ('passed' in t && t.passed === false && page) await screenshot(`failed-${t.name.replace(/\W+/g, '-').slice(0, 60)}`);
    assert.deepEqual(pageProblems.splice(0), [], 'no errors in the page');
  });

  after(async () => {
    await browser?.close();
    await docker?.run(['rmi', '-f', repo, `${registry?.host}/${repo}:latest`, `${registry?.host}/${repo}:next`]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('signs in with the administrator access key, after refusing a wrong secret inline', async () => {
    await page.goto(consoleUrl());
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await screenshot('sign-in');

    await signInWithAccessKey({ accessKeyId: admin().accessKeyId, secretAccessKey: `${admin().secretAccessKey}x` });
    const refused = page.getByRole('alert');
    await refused.getByText('InvalidCredentials').waitFor();
    assert.match((await refused.textContent()) ?? '', /The access key or password is not valid/);
    await screenshot('sign-in-refused');

    await signInWithAccessKey(admin());
    await expectSignedInAs('admin');
    await page.getByText('No repositories yet', { exact: true }).waitFor();
    await screenshot('repositories-empty');
  });

  it('creates a repository with the form: scan on push, immutable tags', async () => {
    await page.getByRole('button', { name: 'Create repository' }).first().click();
    await page.getByRole('heading', { name: 'Create repository' }).waitFor();
    await page.getByLabel('Repository name').fill(repo);
    await page.getByRole('radio', { name: 'Immutable' }).check();
    await page.getByRole('checkbox', { name: 'Scan on push' }).check();
    await screenshot('create-repository-form');
    await page.getByRole('button', { name: 'Create repository' }).click();

    await page.getByRole('heading', { name: repo, level: 1 }).waitFor();
    await page.waitForURL((url) => url.pathname === `/console/repositories/${repo}`);
    await screenshot('repository-summary');

    const described = JSON.parse(await aws('ecr', 'describe-repositories', '--repository-names', repo)) as {
      repositories: { repositoryUri: string; imageTagMutability: string; imageScanningConfiguration: { scanOnPush: boolean } }[];
    };
    const [created] = described.repositories;
    assert.equal(created?.imageTagMutability, 'IMMUTABLE');
    assert.equal(created?.imageScanningConfiguration.scanOnPush, true);
    assert.equal(created?.repositoryUri, `${registry.host}/${repo}`);
  });

  it('shows push commands with the real host and region, which push an image when run as shown', { timeout: 600_000 }, async () => {
    await page.getByRole('button', { name: 'View push commands' }).click();
    const dialog = page.getByRole('dialog', { name: `Push commands for ${repo}` });
    await dialog.waitFor();
    await screenshot('push-commands');
    const commands = await dialog.getByRole('code').allTextContents();
    assert.deepEqual(commands, [
      `aws ecr get-login-password --region ${REGION} --endpoint-url ${registry.url} | docker login --username AWS --password-stdin ${registry.host}`,
      `docker build -t ${repo} .`,
      `docker tag ${repo}:latest ${registry.host}/${repo}:latest`,
      `docker push ${registry.host}/${repo}:latest`,
    ]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The build context the commands build: this machine's os-release and dpkg status, FROM scratch.
    const context = path.join(work, 'scan-context');
    mkdirSync(context, { recursive: true });
    copyFileSync('/etc/os-release', path.join(context, 'os-release'));
    copyFileSync(DPKG_STATUS, path.join(context, 'status'));
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY os-release /etc/os-release\nCOPY status /var/lib/dpkg/status\n');

    // As a user pastes them into a shell: the aws CLI as the administrator, docker with the test's own config.
    const env = { ...registry.berth!.awsEnv(), DOCKER_BUILDKIT: '0', DOCKER_CONFIG: docker.env.DOCKER_CONFIG };
    const outputs: string[] = [];
    for (const command of commands) {
      const result = await run('bash', ['-o', 'pipefail', '-c', command], { cwd: context, env, timeoutMs: 300_000 });
      assert.equal(result.code, 0, describeRun(result));
      outputs.push(result.stdout);
    }
    digest = pushedDigest(outputs.at(-1)!);
    // A storage sample, as the server's periodic job or cron takes them: the settings page charts the samples.
    await berth(['storage', '--record']);
  });

  it('shows the image in the Images tab with its scan results once the scan completes', { timeout: SCAN_TIMEOUT_MS + 60_000 }, async () => {
    await openRepositoryTab('Images');
    const table = page.getByRole('table', { name: 'Images' });
    const row = imageRow(table, 'latest');
    // The tab refreshes itself while a scan runs; reloading also covers a scan not yet queued when the list loaded.
    await waitFor(
      'the scan to complete in the Images tab',
      async () => {
        await page.reload();
        await row.waitFor();
        return row.getByText('Complete', { exact: true }).isVisible();
      },
      SCAN_TIMEOUT_MS,
      2_000,
    );
    const detail = await describeImage();
    assert.equal(detail.imageScanStatus?.status, 'COMPLETE');
    const counts = detail.imageScanFindingsSummary?.findingSeverityCounts ?? {};
    assert.ok(Object.keys(counts).length > 0, `the image has findings: ${JSON.stringify(detail)}`);
    const rowText = (await row.textContent()) ?? '';
    for (const [severity, count] of Object.entries(counts)) {
      assert.ok(rowText.includes(`${count} ${severityLabel(severity)}`), `the row shows ${count} ${severity}: ${rowText}`);
    }
    await screenshot('repository-images-scanned');
  });

  it("lists every finding describe-image-scan-findings reports on the image's page", async () => {
    await page.getByRole('link', { name: 'latest', exact: true }).click();
    await page.getByRole('heading', { name: `${repo}:latest`, level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Vulnerability findings' });
    await table.waitFor();

    const output = JSON.parse(await aws('ecr', 'describe-image-scan-findings', '--repository-name', repo, '--image-id', `imageDigest=${digest}`)) as {
      imageScanFindings: { findings: { name: string }[] };
    };
    const names = output.imageScanFindings.findings.map((f) => f.name);
    assert.ok(names.some((name) => name.startsWith('CVE-')), `a CVE among the findings: ${names.join(', ')}`);
    // A header row, then one row per finding.
    assert.equal(await table.getByRole('row').count(), names.length + 1);
    const shown = (await table.textContent()) ?? '';
    for (const name of names) assert.ok(shown.includes(name), `the findings table shows ${name}`);
    await screenshot('image-findings');

    // The SBOM download: CycloneDX listing the packages the scan found, among them the vulnerable ones.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'SBOM (CycloneDX)' }).click()]);
    assert.match(download.suggestedFilename(), /^e2e_console-[0-9a-f]+-[0-9a-f]{12}\.cdx\.json$/);
    const sbom = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { bomFormat: string; components?: { name: string }[] };
    assert.equal(sbom.bomFormat, 'CycloneDX');
    const components = new Set(sbom.components?.map((c) => c.name));
    assert.ok(components.size > 50, `the SBOM lists this machine's Debian packages (${components.size})`);
  });

  it('previews a lifecycle rule made in the rule editor and applies it', { timeout: 600_000 }, async () => {
    // A newer image, so "keep only the newest" selects the scanned one: counts start at 1, as in ECR.
    const newer = writeBuildContext(path.join(work, 'newer-context'), 'console-newer');
    const newerRef = `${registry.host}/${repo}:next`;
    await docker.ok(['build', '-t', newerRef, newer.dir]);
    await docker.ok(['push', newerRef]);

    await page.goto(consoleUrl(`/repositories/${repo}?tab=lifecycle`));
    await page.getByText('No rules yet', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const editor = page.getByRole('dialog', { name: 'Add rule' });
    await editor.getByLabel('Description').fill('Keep only the newest image');
    await editor.getByRole('radio', { name: 'Any' }).check();
    await editor.getByLabel('Count type').selectOption({ label: 'Image count more than' });
    await editor.getByLabel('Count number (images)').fill('1');
    // The editor says in words what the rule does.
    await editor.getByText('Expire all images, beyond the newest 1.', { exact: true }).waitFor();
    await screenshot('lifecycle-rule-editor');
    await editor.getByRole('button', { name: 'Save rule' }).click();
    await editor.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Test rules' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    // The bytes freed are the expiring image's size as describe-images has it (shown rounded, in KiB or MiB).
    const summary = (await preview.getByText(/would expire, freeing/).textContent()) ?? '';
    const freed = /^1 image would expire, freeing ([\d.,]+) (KB|MB)\.$/.exec(summary);
    assert.ok(freed, `the preview's summary: ${summary}`);
    const freedBytes = Number(freed[1]!.replace(/,/g, '')) * (freed[2] === 'KB' ? 1024 : 1024 ** 2);
    const { imageSizeInBytes } = await describeImage();
    assert.ok(Math.abs(freedBytes - imageSizeInBytes) <= imageSizeInBytes * 0.01, `${summary} for an image of ${imageSizeInBytes} bytes`);
    const expiring = imageRow(preview.getByRole('table', { name: 'Lifecycle preview' }), 'latest');
    await expiring.getByText('Expire', { exact: true }).waitFor();
    assert.match((await expiring.textContent()) ?? '', /Rule 1 \(Keep only the newest image\)/);
    await screenshot('lifecycle-preview');

    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Policy applied', { exact: true }).waitFor();
    await screenshot('lifecycle-applied');
    const stored = JSON.parse(await aws('ecr', 'get-lifecycle-policy', '--repository-name', repo)) as { lifecyclePolicyText: string };
    assert.deepEqual(JSON.parse(stored.lifecyclePolicyText), {
      rules: [{ rulePriority: 1, description: 'Keep only the newest image', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    });
  });

  it("shows the server's reason for refusing an invalid repository policy, and stores nothing", async () => {
    await openRepositoryTab('Permissions');
    const editor = page.getByLabel('Repository policy');
    await editor.waitFor();
    const invalid = { Version: '2012-10-17', Statement: [{ Sid: 'PullFromAnyone', Effect: 'Permit', Principal: '*', Action: 'ecr:BatchGetImage' }] };
    await editor.fill(JSON.stringify(invalid, null, 2));
    await page.getByRole('button', { name: 'Save policy' }).click();
    const error = page.getByRole('alert');
    await error.getByText('InvalidParameterException').waitFor();
    assert.match((await error.textContent()) ?? '', /Invalid repository policy provided.*Effect must be "Allow" or "Deny", not "Permit"/);
    await screenshot('repository-policy-refused');

    const stored = await registry.berth!.aws(['ecr', 'get-repository-policy', '--repository-name', repo]);
    assert.notEqual(stored.code, 0);
    assert.match(stored.stderr, /RepositoryPolicyNotFoundException/);
  });

  it('adds a pull grant with the statement builder, saves it, and deletes the policy', async () => {
    await page.getByRole('button', { name: 'Discard changes' }).click();
    const builder = page.getByRole('region', { name: 'Add a statement' });
    await builder.getByLabel('Principal').fill('111122223333');
    await builder.getByRole('radio', { name: 'Pull', exact: true }).check();
    await builder.getByRole('button', { name: 'Add statement' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy set', { exact: true }).waitFor();
    await screenshot('repository-policy-saved');

    const { policyText } = JSON.parse(await aws('ecr', 'get-repository-policy', '--repository-name', repo)) as { policyText: string };
    const statements = (JSON.parse(policyText) as { Statement: { Effect: string; Principal: { AWS: string | string[] }; Action: string | string[] }[] }).Statement;
    assert.equal(statements.length, 1);
    assert.equal(statements[0]!.Effect, 'Allow');
    assert.deepEqual([statements[0]!.Principal.AWS].flat(), ['arn:aws:iam::111122223333:root']);
    assert.ok([statements[0]!.Action].flat().includes('ecr:BatchGetImage'), policyText);
    assert.ok(![statements[0]!.Action].flat().includes('ecr:PutImage'), 'a pull grant does not push');

    // And deleted again, after the confirmation.
    await page.getByRole('button', { name: 'Delete policy' }).click();
    await page.getByRole('dialog', { name: 'Delete the policy?' }).getByRole('button', { name: 'Delete policy' }).click();
    await page.getByText('No policy set', { exact: true }).waitFor();
    const gone = await registry.berth!.aws(['ecr', 'get-repository-policy', '--repository-name', repo]);
    assert.match(gone.stderr, /RepositoryPolicyNotFoundException/);
  });

  it("signs out; an IAM user signs in with a console password and is shown why CreateRepository is denied", async () => {
    await signOut();
    await screenshot('signed-out');

    await signInWithPassword(viewer.userName, viewer.password);
    await expectSignedInAs(viewer.userName);
    // Reading is allowed: the repository is listed.
    await page.getByRole('link', { name: repo, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create repository' }).click();
    const denied = `${repo}-denied`;
    await page.getByLabel('Repository name').fill(denied);
    await page.getByRole('button', { name: 'Create repository' }).click();
    const error = page.getByRole('alert');
    await error.getByText('AccessDeniedException').waitFor();
    const reason =
      `User: arn:aws:iam::${ACCOUNT}:user/${viewer.userName} is not authorized to perform: ecr:CreateRepository on resource: ` +
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${denied} because no identity-based policy allows the ecr:CreateRepository action`;
    await error.getByText(reason, { exact: true }).waitFor();
    await screenshot('create-repository-denied');

    await signOut();
    await signInWithAccessKey(admin());
    await expectSignedInAs('admin');
  });

  it('renders the registry settings and the repositories list at phone width and at 1280 px', async () => {
    // A second storage sample, after the lifecycle step's push: the chart draws a line between the two.
    await berth(['storage', '--record']);
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(consoleUrl('/repositories'));
      await page.getByRole('link', { name: repo, exact: true }).waitFor();
      await screenshot(`repositories-${width}`);
      if (width === 'phone') await assertNoSidewaysScroll('the repositories list');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Registry settings' }).click();
      await page.getByRole('button', { name: 'Save scanning configuration' }).waitFor();
      await screenshot(`settings-scanning-${width}`);
      if (width === 'phone') await assertNoSidewaysScroll('the scanning settings');

      await page.getByRole('tab', { name: 'Repository creation templates' }).click();
      await page.getByRole('button', { name: 'Create template' }).waitFor();
      await screenshot(`settings-templates-${width}`);
      if (width === 'phone') await assertNoSidewaysScroll('the repository creation templates');

      await page.getByRole('tab', { name: 'Storage' }).click();
      await page.getByRole('table', { name: 'Storage per repository' }).getByRole('link', { name: repo, exact: true }).waitFor();
      await page.getByRole('img', { name: /^Registry storage over time: .+ on .+, .+ on .+$/ }).waitFor();
      await screenshot(`settings-storage-${width}`);
      if (width === 'phone') await assertNoSidewaysScroll('the storage report');
    }
    await page.setViewportSize(DESKTOP);
  });

  it('deletes the repository, images and all, after the typed confirmation', async () => {
    await page.goto(consoleUrl(`/repositories/${repo}`));
    await page.getByRole('heading', { name: repo, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${repo}?` });
    await dialog.getByText('This repository contains images.').waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete', exact: true });
    assert.equal(await confirm.isEnabled(), false, 'Delete waits for the typed confirmation');
    await dialog.getByLabel('To confirm, type "delete"').fill('delete');
    await screenshot('delete-repository-confirm');
    await confirm.click();

    await page.waitForURL((url) => url.pathname === '/console/repositories');
    await page.getByText(`Deleted ${repo}`).waitFor();
    await page.getByText('No repositories yet', { exact: true }).waitFor();
    await screenshot('repository-deleted');
    const gone = await registry.berth!.aws(['ecr', 'describe-repositories', '--repository-names', repo]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /RepositoryNotFoundException/);
  });
});
