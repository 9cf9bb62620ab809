/**
 * Online garbage collection and the store check, on the registry core over a real metadata store
 * (SQLite, and PostgreSQL when available) and an fs object store, with time moved by the test.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FsObjectStore } from '../../src/adapters/object-store/fs/fs-object-store.js';
import { archivedBlobKey, blobKey, DEFAULT_ARCHIVE_PREFIX } from '../../src/domain/content/layout.js';
import { GarbageCollector } from '../../src/domain/gc/garbage-collector.js';
import { StoreCheck } from '../../src/domain/gc/store-check.js';
import { Digest } from '../../src/domain/model/digest.js';
import type { RepositoryRecord } from '../../src/domain/ports/metadata-store.js';
import { type CoreFixture, openCoreFixture } from '../support/core-fixture.js';
import { postgresUnavailable } from '../support/postgres.js';

const GRACE_MS = 3_600_000;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const digestOf = (text: string): Digest => Digest.of(encode(text));

async function* bytesOf(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** The fs object store, able to hold a commit after its bytes are in place and before it returns. */
class PausableObjectStore extends FsObjectStore {
  pauseCommits?: { reached: () => void; release: Promise<void> };
  override async commit(from: string, to: string): Promise<void> {
    await super.commit(from, to);
    const pause = this.pauseCommits;
    if (pause) {
      pause.reached();
      await pause.release;
    }
  }
}

interface Fixture extends CoreFixture<PausableObjectStore> {
  gc: GarbageCollector;
  check: StoreCheck;
}

async function openFixture(store: 'sqlite' | 'postgres'): Promise<Fixture> {
  const core = await openCoreFixture(store, { objects: (root) => new PausableObjectStore(root) });
  return {
    ...core,
    gc: new GarbageCollector(core.metadata, core.objects, core.clock, { gracePeriodMs: GRACE_MS, archivePrefix: DEFAULT_ARCHIVE_PREFIX }),
    check: new StoreCheck(core.metadata, core.objects, core.clock, DEFAULT_ARCHIVE_PREFIX),
  };
}

const pgUnavailable = await postgresUnavailable();

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`garbage collection (${store})`, { ...(store === 'postgres' && pgUnavailable && { skip: pgUnavailable }) }, () => {
    let f: Fixture;
    beforeEach(async () => {
      f = await openFixture(store);
    });
    afterEach(() => f.close());

    const repository = (name: string) => f.registry.repositories.create(name);
    const blob = (repo: RepositoryRecord, content: string) => f.registry.blobs.ingest(repo.id, digestOf(content), bytesOf(encode(content)));
    const stored = async (content: string) => (await f.objects.stat(blobKey(digestOf(content)))) !== undefined;
    const afterGrace = () => f.clock.advance(GRACE_MS + 1);

    /** An image of a config and the given layers, pushed by tag. */
    const pushImage = async (repo: RepositoryRecord, tag: string, layers: string[]) => {
      const config = `{"config":"${repo.name}:${tag}"}`;
      const descriptors = [];
      for (const content of [config, ...layers]) {
        const b = await blob(repo, content);
        descriptors.push({ mediaType: 'application/octet-stream', digest: b.digest, size: b.size });
      }
      const text = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptors[0], layers: descriptors.slice(1) });
      await f.registry.manifests.put(repo, { kind: 'tag', tag }, OCI_MANIFEST, encode(text));
      return { config, digest: Digest.of(encode(text)).toString() };
    };

    it('frees the blobs of a deleted image after the grace period, keeping layers other images use', async () => {
      const a = await repository('team/a');
      const b = await repository('team/b');
      const doomed = await pushImage(a, 'v1', ['shared layer', 'layer only a has']);
      const kept = await pushImage(b, 'v1', ['shared layer']);
      const keptInA = await pushImage(a, 'v2', ['layer v2 of a']);
      afterGrace();
      assert.deepEqual((await f.gc.collect()).blobsDeleted, 0, 'everything is referenced');

      await f.registry.images.batchDeleteImage('team/a', [{ imageTag: 'v1' }]);
      const early = await f.gc.collect();
      assert.equal(early.blobsDeleted, 0, 'the grace period runs from the delete');
      assert.ok(await stored('layer only a has'));

      afterGrace();
      const report = await f.gc.collect();
      assert.equal(report.linksRemoved, 3, 'config, unique and shared layer links of team/a');
      assert.equal(report.blobsDeleted, 2);
      assert.equal(report.bytesFreed, doomed.config.length + 'layer only a has'.length);
      assert.deepEqual(report.pending, { linkReviews: 0, blobReviews: 0 });
      assert.equal(await stored('layer only a has'), false);
      assert.equal(await stored(doomed.config), false);
      assert.equal(await stored('shared layer'), true);
      for (const content of [kept.config, keptInA.config, 'layer v2 of a']) assert.ok(await stored(content));
      assert.equal((await f.check.check()).problems.length, 0);
    });

    it('frees blobs that were uploaded but never used by a manifest, and those of a deleted repository', async () => {
      const a = await repository('team/a');
      await blob(a, 'pushed, then the push was abandoned');
      const b = await repository('team/b');
      await pushImage(b, 'v1', ['b layer']);
      afterGrace();
      assert.equal((await f.gc.collect()).blobsDeleted, 1);
      assert.equal(await stored('pushed, then the push was abandoned'), false);

      await f.registry.repositories.delete('team/b', { force: true });
      afterGrace();
      assert.equal((await f.gc.collect()).blobsDeleted, 2);
      assert.equal(await stored('b layer'), false);
    });

    it('keeps bytes that a concurrent push found already in place while a pass runs', async () => {
      const a = await repository('team/a');
      const b = await repository('team/b');
      const content = 'a layer deleted, then pushed again';
      const first = await blob(a, content);
      await f.registry.blobLinks.unlink(a, Digest.parse(first.digest));
      afterGrace();
      // The push finds the bytes in place (they are not collected yet) and is held there.
      let reached!: () => void;
      let release!: () => void;
      const atCommit = new Promise<void>((resolve) => (reached = resolve));
      f.objects.pauseCommits = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
      const push = blob(b, content);
      await atCommit;
      f.objects.pauseCommits = undefined;

      const report = await f.gc.collect();
      assert.equal(report.blobsDeleted, 0, 'the commit fenced the blob');
      release();
      await push;
      assert.ok(await stored(content));
      assert.equal((await f.check.check()).problems.length, 0);
    });

    it('frees the archived bytes of an archived image that is deleted', async () => {
      const a = await repository('team/a');
      const image = await pushImage(a, 'old', ['archived layer']);
      assert.deepEqual(await f.registry.imageArchive.archive(a, [image.digest]), [image.digest]);
      const archivedKey = archivedBlobKey(digestOf('archived layer'), DEFAULT_ARCHIVE_PREFIX);
      assert.ok(await f.objects.stat(archivedKey));
      assert.equal(await stored('archived layer'), false, 'moved to the archive');
      assert.deepEqual((await f.check.check()).problems, []);

      await f.registry.images.batchDeleteImage('team/a', [{ imageDigest: image.digest }]);
      afterGrace();
      assert.equal((await f.gc.collect()).blobsDeleted, 2);
      assert.equal(await f.objects.stat(archivedKey), undefined);
      assert.deepEqual((await f.check.check()).problems, []);
    });

    it('lets two collectors run at once without doing the same work twice', async () => {
      const a = await repository('team/a');
      for (let i = 0; i < 30; i++) await blob(a, `abandoned ${i}`);
      afterGrace();
      const other = new GarbageCollector(f.metadata, f.objects, f.clock, { gracePeriodMs: GRACE_MS, archivePrefix: DEFAULT_ARCHIVE_PREFIX });
      const reports = await Promise.all([f.gc.collect(), other.collect()]);
      assert.equal(reports[0].blobsDeleted + reports[1].blobsDeleted, 30);
      assert.equal(reports[0].linksRemoved + reports[1].linksRemoved, 30);
    });
  });

  describe(`store check (${store})`, { ...(store === 'postgres' && pgUnavailable && { skip: pgUnavailable }) }, () => {
    let f: Fixture;
    beforeEach(async () => {
      f = await openFixture(store);
    });
    afterEach(() => f.close());

    const ingest = (repo: RepositoryRecord, content: string) => f.registry.blobs.ingest(repo.id, digestOf(content), bytesOf(encode(content)));
    const fileOf = (content: string) => join(f.dir, 'storage', blobKey(digestOf(content)));

    it('finds corrupt bytes, and after a repair the next push of the layer restores them', async () => {
      const a = await repository();
      const layer = 'layer bytes';
      await ingest(a, layer);
      writeFileSync(fileOf(layer), 'layer bytez');
      const found = await f.check.check();
      assert.deepEqual(found.problems.map((p) => [p.kind, p.digest]), [['corrupt-bytes', digestOf(layer).toString()]]);
      assert.match(found.problems[0]!.detail, /hash to sha256:/);

      const repaired = await f.check.check({ repair: true });
      assert.match(repaired.problems[0]?.repaired ?? '', /deleted the bytes and unlinked it from 1 repositories/);
      await assert.rejects(f.registry.blobs.stat(a.id, digestOf(layer)), /not known/);
      await ingest(a, layer);
      assert.deepEqual((await f.check.check()).problems, []);

      async function repository() {
        return f.registry.repositories.create('team/a');
      }
    });

    it('reports missing bytes of a linked blob, not of an unlinked one on its way out', async () => {
      const a = await f.registry.repositories.create('team/a');
      for (const content of ['linked layer', 'unlinked layer']) {
        await ingest(a, content);
        rmSync(fileOf(content));
      }
      // As a pass killed between deleting the bytes and dropping the record leaves it.
      await f.metadata.unlinkBlob(a.id, digestOf('unlinked layer').toString(), f.clock.now());
      const found = await f.check.check();
      assert.deepEqual(found.problems.map((p) => [p.kind, p.digest]), [['missing-bytes', digestOf('linked layer').toString()]]);
    });

    it('finds bytes no record accounts for, and hands them to garbage collection', async () => {
      const orphan = 'bytes left by something that went wrong';
      const key = blobKey(digestOf(orphan));
      await f.objects.append(key, 0, bytesOf(encode(orphan)));
      const found = await f.check.check({ repair: true });
      assert.deepEqual(found.problems.map((p) => p.kind), ['orphan-bytes']);
      assert.deepEqual((await f.check.check()).problems, [], 'recorded now');
      f.clock.advance(GRACE_MS + 1);
      const gc = new GarbageCollector(f.metadata, f.objects, f.clock, { gracePeriodMs: GRACE_MS, archivePrefix: DEFAULT_ARCHIVE_PREFIX });
      assert.equal((await gc.collect()).blobsDeleted, 1);
      assert.equal(await f.objects.stat(key), undefined);
    });

    it("finds a manifest's blob its repository lost the link to, and links it again", async () => {
      const a = await f.registry.repositories.create('team/a');
      const layer = await ingest(a, 'layer');
      const config = await ingest(a, '{}');
      const text = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      });
      await f.registry.manifests.put(a, { kind: 'tag', tag: 'v1' }, OCI_MANIFEST, encode(text));
      await f.metadata.unlinkBlob(a.id, layer.digest, f.clock.now());
      const found = await f.check.check({ repair: true });
      assert.deepEqual(found.problems.map((p) => [p.kind, p.repositoryName, p.repaired]), [['missing-blob', 'team/a', 'linked again']]);
      assert.deepEqual((await f.check.check()).problems, []);
      assert.deepEqual(await f.registry.blobs.stat(a.id, Digest.parse(layer.digest)), layer);
    });
  });
}
