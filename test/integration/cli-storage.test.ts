import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { StorageHistoryPoint, StorageUsageReport } from '../../src/domain/registry/storage-usage.js';
import { berthCommand } from '../support/berth-process.js';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, waitFor } from '../support/tools.js';

/** A history point as JSON carries it. */
type PrintedPoint = Omit<StorageHistoryPoint, 'at'> & { at: string };

const storageIn = (server: TestServer) => async (...args: string[]) => {
  const command = berthCommand()!;
  return run(command.cmd, [...command.args, 'storage', ...args, '--data-dir', server.config.dataDir]);
};

describe('berth storage', () => {
  let server: TestServer;
  /** Bytes of each image: its config and layers, and its manifest. */
  const sizes: Record<string, { blobs: number; manifest: number }> = {};

  before(async () => {
    server = await startTestServer();
    const ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    for (const name of ['st/app', 'st/copy', 'st/empty']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const oci = new OciClient(server.url, server.registryAuthorization);
    // The same image in two repositories: its blobs are stored once.
    for (const [repository, tag, seed] of [
      ['st/app', 'v1', 'shared'],
      ['st/copy', 'v1', 'shared'],
      ['st/app', 'v2', 'own'],
    ] as const) {
      const image = await oci.pushImage(repository, tag, { seed, layers: 3 });
      sizes[`${repository}:${tag}`] = { blobs: [image.config, ...image.layers].reduce((sum, d) => sum + d.size, 0), manifest: image.bytes.byteLength };
    }
  });
  after(() => server?.close());

  const storage = (...args: string[]) => storageIn(server)(...args);
  const bytesOf = (...images: string[]) => images.reduce((sum, image) => sum + sizes[image]!.blobs + sizes[image]!.manifest, 0);

  it('reports bytes per repository, the total with shared blobs counted once, and the cost (--json)', async () => {
    const result = await storage('--json', '--storage-price-per-gb-month', '1000000');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as StorageUsageReport;
    assert.deepEqual(
      report.repositories.map((r) => [r.name, r.imageCount, r.bytes]),
      [
        ['st/app', 2, bytesOf('st/app:v1', 'st/app:v2')],
        ['st/copy', 1, bytesOf('st/copy:v1')],
        ['st/empty', 0, 0],
      ],
    );
    assert.equal(report.totalBytes, bytesOf('st/app:v1', 'st/app:v2') + sizes['st/copy:v1']!.manifest);
    assert.equal(report.sharedSavingsBytes, sizes['st/copy:v1']!.blobs);
    assert.equal(report.pricePerGbMonth, 1_000_000);
    assert.ok(Math.abs(report.estimatedMonthlyCost - report.totalBytes / 1000) < 1e-9);
  });

  it('prints a table with a total row', async () => {
    const result = await storage();
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0]!, /^REPOSITORY\s+IMAGES\s+SIZE\s+EST\. COST\/MONTH$/);
    assert.match(lines[1]!, /^st\/app\s+2\s+\d+(\.\d)? k?B\s+<\$0\.01$/);
    assert.match(lines[3]!, /^st\/empty\s+0\s+0 B\s+\$0\.00$/);
    assert.match(lines[4]!, /^total\s+3\s+/);
    assert.match(result.stdout, /save \d+(\.\d)? k?B over the sum/);
    assert.match(result.stdout, /at \$0\.1 per GB-month/);
  });

  it('records a sample now (--record) and prints the history of the total or of a repository (--history)', async () => {
    const recorded = await storage('--record', '--json');
    assert.equal(recorded.code, 0, recorded.stderr);
    const total = JSON.parse(recorded.stdout) as PrintedPoint;
    const totalBytes = bytesOf('st/app:v1', 'st/app:v2') + sizes['st/copy:v1']!.manifest;
    assert.deepEqual([total.bytes, total.imageCount], [totalBytes, 3]);
    assert.ok(Math.abs(Date.parse(total.at) - Date.now()) < 60_000, total.at);
    const again = await storage('--record');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^recorded storage at \S+Z: 3 images, \d+(\.\d)? k?B in all, <\$0\.01\/month\n$/);

    const history = async (...args: string[]) => {
      const result = await storage('--history', '--json', ...args);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as PrintedPoint[];
    };
    const totals = await history();
    assert.deepEqual(totals[0], total);
    assert.deepEqual(
      totals.map((p) => [p.bytes, p.imageCount]),
      [
        [totalBytes, 3],
        [totalBytes, 3],
      ],
    );
    assert.ok(totals[0]!.at < totals[1]!.at);
    assert.deepEqual(
      (await history('--repository', 'st/app')).map((p) => [p.bytes, p.imageCount]),
      [
        [bytesOf('st/app:v1', 'st/app:v2'), 2],
        [bytesOf('st/app:v1', 'st/app:v2'), 2],
      ],
    );
    assert.deepEqual(await history('--since', totals[1]!.at), [totals[1]]);

    const printed = await storage('--history', '--repository', 'st/empty');
    assert.equal(printed.code, 0, printed.stderr);
    const lines = printed.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^TIME\s+IMAGES\s+SIZE\s+EST\. COST\/MONTH$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/)),
      totals.map((p) => [p.at, '0', '0', 'B', '$0.00']),
    );
    const none = await storage('--history', '--since', '2999-01-01');
    assert.match(none.stdout, /^no samples of the registry/);
  });

  it('refuses history filters without --history, and --history with --record', async () => {
    const filtered = await storage('--repository', 'st/app');
    assert.notEqual(filtered.code, 0);
    assert.match(filtered.stderr, /--repository and --since go with --history/);
    const both = await storage('--history', '--record');
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /cannot be used with/);
    const badTime = await storage('--history', '--since', 'yesterday');
    assert.notEqual(badTime.code, 0);
    assert.match(badTime.stderr, /ISO 8601/);
  });
});

describe('storage samples taken by a serving registry', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ storageSampleInterval: 1 });
    await server.services.registry.repositories.create('sampled/app');
  });
  after(() => server?.close());

  it('every storageSampleInterval, for each repository and the total, shown by berth storage --history', async () => {
    await waitFor('a sample of the repository', async () => (await server.services.storageUsage.history({ repositoryName: 'sampled/app' })).length > 0, 10_000);
    const result = await storageIn(server)('--history', '--repository', 'sampled/app', '--json');
    assert.equal(result.code, 0, result.stderr);
    const [first] = JSON.parse(result.stdout) as PrintedPoint[];
    assert.deepEqual([first?.bytes, first?.imageCount, first?.estimatedMonthlyCost], [0, 0, 0]);
    const at = new Date(first!.at);
    const totals = await server.services.storageUsage.history({ since: at, until: new Date(at.getTime() + 1) });
    assert.equal(totals.length, 1, 'the total is sampled at the same time');
  });
});
