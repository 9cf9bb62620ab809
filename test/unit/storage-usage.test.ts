import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';
import type { MetadataStore } from '../../src/domain/ports/metadata-store.js';
import type { RepositoryStorageRecord, StorageSample, StorageSamplePoint, StorageSampleQuery } from '../../src/domain/ports/storage-usage-metadata.js';
import { StorageUsage } from '../../src/domain/registry/storage-usage.js';
import { dollars, humanBytes } from '../../src/cli/storage.js';
import { TestClock } from '../support/test-clock.js';

/** Only what storage accounting reads. */
function metadataWith(repositories: RepositoryStorageRecord[], totalBytes: number): MetadataStore {
  return { repositoryStorage: async () => repositories, registryStorageBytes: async () => totalBytes } as Partial<MetadataStore> as MetadataStore;
}

/** What storage accounting reads, and a record of what it asks of the samples. */
function sampledMetadata(repositories: RepositoryStorageRecord[], totalBytes: number, listed: StorageSamplePoint[] = []) {
  const calls = { appended: [] as { at: Date; samples: StorageSample[] }[], prunedBefore: [] as Date[], queries: [] as StorageSampleQuery[] };
  const metadata = {
    ...metadataWith(repositories, totalBytes),
    appendStorageSamples: async (at: Date, samples: StorageSample[]) => void calls.appended.push({ at, samples }),
    pruneStorageSamples: async (before: Date) => calls.prunedBefore.push(before),
    listStorageSamples: async (query: StorageSampleQuery) => {
      calls.queries.push(query);
      return listed;
    },
  } as Partial<MetadataStore> as MetadataStore;
  return { metadata, calls };
}

describe('storage usage', () => {
  it('reports what sharing blobs saves and prices GB of 10^9 bytes', async () => {
    const usage = new StorageUsage(
      metadataWith(
        [
          { name: 'app', bytes: 3_000_000_000, imageCount: 4 },
          { name: 'tools', bytes: 2_000_000_000, imageCount: 1 },
        ],
        4_000_000_000,
      ),
      new TestClock(),
      0.1,
    );
    const report = await usage.report();
    assert.deepEqual(
      report.repositories.map((r) => [r.name, r.imageCount, r.bytes, r.estimatedMonthlyCost.toFixed(4)]),
      [
        ['app', 4, 3_000_000_000, '0.3000'],
        ['tools', 1, 2_000_000_000, '0.2000'],
      ],
    );
    assert.equal(report.totalBytes, 4_000_000_000);
    assert.equal(report.sharedSavingsBytes, 1_000_000_000);
    assert.equal(report.estimatedMonthlyCost.toFixed(4), '0.4000');
    assert.equal(report.pricePerGbMonth, 0.1);
  });

  it('never reports a negative saving when the registry changed between its two reads', async () => {
    const report = await new StorageUsage(metadataWith([{ name: 'app', bytes: 10, imageCount: 1 }], 25), new TestClock(), 0.1).report();
    assert.equal(report.sharedSavingsBytes, 0);
  });

  it("defaults to ECR's price, and takes another from the configuration", () => {
    assert.equal(loadConfig({ env: {} }).storagePricePerGbMonth, 0.1);
    assert.equal(loadConfig({ env: { BERTH_STORAGE_PRICE_PER_GB_MONTH: '0.023' } }).storagePricePerGbMonth, 0.023);
    assert.throws(() => loadConfig({ env: { BERTH_STORAGE_PRICE_PER_GB_MONTH: '-1' } }), /storagePricePerGbMonth/);
  });

  it('records one sample per repository and one of the total at the same time, and drops those past 400 days', async () => {
    const clock = new TestClock();
    const { metadata, calls } = sampledMetadata(
      [
        { name: 'app', bytes: 3_000_000_000, imageCount: 4 },
        { name: 'empty', bytes: 0, imageCount: 0 },
        { name: 'tools', bytes: 2_000_000_000, imageCount: 1 },
      ],
      4_000_000_000,
    );
    const total = await new StorageUsage(metadata, clock, 0.1).recordSample();
    assert.deepEqual(calls.appended, [
      {
        at: clock.now(),
        samples: [
          { repositoryName: 'app', bytes: 3_000_000_000, imageCount: 4 },
          { repositoryName: 'empty', bytes: 0, imageCount: 0 },
          { repositoryName: 'tools', bytes: 2_000_000_000, imageCount: 1 },
          { bytes: 4_000_000_000, imageCount: 5 },
        ],
      },
    ]);
    assert.deepEqual(calls.prunedBefore, [new Date(clock.now().getTime() - 400 * 86_400_000)]);
    assert.deepEqual({ ...total, estimatedMonthlyCost: total.estimatedMonthlyCost.toFixed(4) }, { at: clock.now(), bytes: 4_000_000_000, imageCount: 5, estimatedMonthlyCost: '0.4000' });

    clock.advance(3_600_000);
    await new StorageUsage(metadata, clock, 0.1).recordSample();
    assert.deepEqual(
      calls.appended.map((call) => call.at.getTime() - calls.appended[0]!.at.getTime()),
      [0, 3_600_000],
      'each sample is taken at the clock\'s time',
    );
  });

  it("reads a series' history and prices each point at the configured price", async () => {
    const at = new TestClock().now();
    const { metadata, calls } = sampledMetadata([], 0, [
      { at, bytes: 2_000_000_000, imageCount: 3 },
      { at: new Date(at.getTime() + 1000), bytes: 500_000_000, imageCount: 1 },
    ]);
    const usage = new StorageUsage(metadata, new TestClock(), 0.5);
    const history = await usage.history({ repositoryName: 'app', since: at });
    assert.deepEqual(
      history.map((point) => [point.at, point.bytes, point.imageCount, point.estimatedMonthlyCost.toFixed(4)]),
      [
        [at, 2_000_000_000, 3, '1.0000'],
        [new Date(at.getTime() + 1000), 500_000_000, 1, '0.2500'],
      ],
    );
    await usage.history();
    assert.deepEqual(calls.queries, [{ repositoryName: 'app', since: at }, {}]);
  });

  it('samples hourly by default, and not at all at 0', () => {
    assert.equal(loadConfig({ env: {} }).storageSampleInterval, 3600);
    assert.equal(loadConfig({ env: { BERTH_STORAGE_SAMPLE_INTERVAL: '0' } }).storageSampleInterval, 0);
    assert.throws(() => loadConfig({ env: { BERTH_STORAGE_SAMPLE_INTERVAL: '1.5' } }), /storageSampleInterval/);
  });

  it('prints sizes in decimal units and costs in cents', () => {
    assert.deepEqual([0, 999, 1000, 1_500_000, 3_000_000_000, 2.5e15].map(humanBytes), ['0 B', '999 B', '1.0 kB', '1.5 MB', '3.0 GB', '2.5 PB']);
    assert.deepEqual([0, 0.001, 0.005, 12.345].map(dollars), ['$0.00', '<$0.01', '$0.01', '$12.35']);
  });
});
