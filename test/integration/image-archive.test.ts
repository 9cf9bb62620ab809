/**
 * The archive storage class in the registry core, with time moved by the test: lifecycle rules that
 * archive images and expire them after their time in the archive, a move interrupted at each step
 * (no bytes lost, a retry finishes it), a push of archived bytes while they are archived, and
 * archiving and restoring racing each other. On SQLite, and PostgreSQL when available.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FsObjectStore } from '../../src/adapters/object-store/fs/fs-object-store.js';
import { archivedBlobKey, blobKey } from '../../src/domain/content/layout.js';
import { isDomainError } from '../../src/domain/errors.js';
import { Digest } from '../../src/domain/model/digest.js';
import type { RepositoryRecord } from '../../src/domain/ports/metadata-store.js';
import { type CoreFixture, openCoreFixture } from '../support/core-fixture.js';
import { postgresUnavailable } from '../support/postgres.js';

const DAY_MS = 86_400_000;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Archive untagged images a month after their push; delete them 90 days after they were archived. */
const ARCHIVE_THEN_EXPIRE = JSON.stringify({
  rules: [
    { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } },
    { rulePriority: 2, selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
  ],
});

/** An fs object store that fails the next operation a test arms, as a crash at that point would stop the work. */
class FaultyObjectStore extends FsObjectStore {
  private fault: { operation: 'commit' | 'delete'; key: (key: string) => boolean } | undefined;

  failNext(operation: 'commit' | 'delete', key: (key: string) => boolean): void {
    this.fault = { operation, key };
  }

  override async commit(from: string, to: string): Promise<void> {
    this.trip('commit', to);
    return super.commit(from, to);
  }

  override async delete(key: string): Promise<void> {
    this.trip('delete', key);
    return super.delete(key);
  }

  private trip(operation: 'commit' | 'delete', key: string): void {
    if (this.fault?.operation !== operation || !this.fault.key(key)) return;
    this.fault = undefined;
    throw new Error(`injected failure: ${operation} ${key}`);
  }
}

const pgUnavailable = await postgresUnavailable();

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`image archive (${store})`, { ...(store === 'postgres' && pgUnavailable && { skip: pgUnavailable }) }, () => {
    let core: CoreFixture<FaultyObjectStore>;
    let repository: RepositoryRecord;
    beforeEach(async () => {
      core = await openCoreFixture(store, { objects: (root) => new FaultyObjectStore(root) });
      repository = await core.registry.repositories.create('team/app');
    });
    afterEach(() => core.close());

    const ingest = async (into: RepositoryRecord, content: string) => {
      const data = encode(content);
      return core.registry.blobs.ingest(into.id, Digest.of(data), (async function* () {
        yield data;
      })());
    };

    /** Pushes an image of a config and layers made of the contents given; by digest (untagged) unless a tag is given. */
    const pushImage = async (into: RepositoryRecord, seed: string, layers: string[], tag?: string) => {
      const config = await ingest(into, JSON.stringify({ seed }));
      const blobs = [config, ...(await Promise.all(layers.map((layer) => ingest(into, layer))))];
      const text = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: blobs.slice(1).map((b) => ({ mediaType: OCI_LAYER, digest: b.digest, size: b.size })),
      });
      const payload = encode(text);
      const pushed = await core.registry.manifests.put(into, tag ? { kind: 'tag', tag } : { kind: 'digest', digest: Digest.of(payload) }, OCI_MANIFEST, payload);
      return { digest: pushed.digest.toString(), blobs: blobs.map((b) => Digest.parse(b.digest)) };
    };

    const statusOf = async (digest: string, into = repository) => (await core.metadata.describeImages(into.id, [digest]))[0]?.imageStatus;
    const storageOf = async (digest: Digest) => (await core.metadata.getLinkedBlobStorage(repository.id, digest.toString()))?.storageClass;
    const at = async (key: string) => (await core.objects.stat(key)) !== undefined;
    const standard = (digest: Digest) => at(blobKey(digest));
    const archived = (digest: Digest) => at(archivedBlobKey(digest, 'archive/'));
    const readable = async (digest: Digest) => {
      try {
        await core.registry.blobs.stat(repository.id, digest);
        return true;
      } catch (err) {
        if (isDomainError(err, 'IMAGE_ARCHIVED')) return false;
        throw err;
      }
    };

    it('archives images by a transition rule, and expires them after their time in the archive', async () => {
      const old = await pushImage(repository, 'old', ['layer of old']);
      core.clock.advance(20 * DAY_MS);
      const recent = await pushImage(repository, 'recent', ['layer of recent']);
      await core.registry.repositoryDocuments.put('team/app', 'lifecycle-policy', ARCHIVE_THEN_EXPIRE);
      core.clock.advance(15 * DAY_MS);

      const first = await core.registry.lifecycleRuns.run({ dryRun: false });
      assert.deepEqual(first.map((e) => [e.digest, e.action, e.applied]), [[old.digest, 'TRANSITION', true]]);
      assert.equal(await statusOf(old.digest), 'ARCHIVED');
      assert.equal(await statusOf(recent.digest), 'ACTIVE');
      const archivedAt = core.clock.now();
      assert.deepEqual((await core.metadata.describeImages(repository.id, [old.digest]))[0]?.lastArchivedAt, archivedAt);

      core.clock.advance(89 * DAY_MS);
      const waiting = await core.registry.lifecycleRuns.run({ dryRun: false });
      assert.deepEqual(waiting.map((e) => [e.digest, e.action, e.applied]), [[recent.digest, 'TRANSITION', true]], 'the archived image is not 90 days in the archive yet');

      core.clock.advance(2 * DAY_MS);
      const preview = await core.registry.lifecyclePreviews.start('team/app').then(() => core.registry.lifecyclePreviews.results('team/app'));
      assert.deepEqual(preview.results.map((r) => [r.digest, r.action, r.storageClass]), [[old.digest, 'EXPIRE', 'archive']]);
      const expired = await core.registry.lifecycleRuns.run({ dryRun: false });
      assert.deepEqual(expired.map((e) => [e.digest, e.action, e.storageClass, e.applied]), [[old.digest, 'EXPIRE', 'archive', true]]);
      assert.equal(await statusOf(old.digest), undefined);
      assert.deepEqual(
        (await core.metadata.listAuditEvents({})).map((e) => [e.action, e.imageDigest]),
        [
          ['lifecycle.transition', old.digest],
          ['lifecycle.transition', recent.digest],
          ['lifecycle.expire', old.digest],
        ],
      );
    });

    it('loses no bytes when an archive move stops at any step, and finishes it when asked again', async () => {
      const image = await pushImage(repository, 'interrupted', ['a layer'], 'v1');
      const [config, layer] = image.blobs as [Digest, Digest];
      const archive = () => core.registry.images.updateImageStorageClass('team/app', { imageTag: 'v1' }, 'ARCHIVE');

      // Stopped while copying to the archive: the image is archived, its bytes are still standard.
      core.objects.failNext('commit', (key) => key.startsWith('archive/'));
      await assert.rejects(archive(), /injected failure/);
      assert.equal(await statusOf(image.digest), 'ARCHIVED');
      assert.deepEqual([await storageOf(config), await standard(config)], ['STANDARD', true]);

      // Stopped before the standard copy was deleted: archived, with both copies.
      core.objects.failNext('delete', (key) => key === blobKey(layer));
      await assert.rejects(archive(), /injected failure/);
      assert.deepEqual([await storageOf(layer), await standard(layer), await archived(layer)], ['ARCHIVE', true, true]);

      assert.deepEqual(await archive(), { imageId: { imageDigest: image.digest, imageTag: 'v1' }, imageStatus: 'ARCHIVED' });
      for (const blob of image.blobs) assert.deepEqual([await storageOf(blob), await standard(blob), await archived(blob)], ['ARCHIVE', false, true]);

      // A restore stopped before the archived copy was deleted: standard again, with both copies.
      core.objects.failNext('delete', (key) => key === archivedBlobKey(layer, 'archive/'));
      await assert.rejects(core.registry.images.updateImageStorageClass('team/app', { imageTag: 'v1' }, 'STANDARD'), /injected failure/);
      assert.equal(await statusOf(image.digest), 'ACTIVATING');
      assert.deepEqual([await storageOf(layer), await standard(layer)], ['STANDARD', true]);
      assert.equal((await core.registry.images.updateImageStorageClass('team/app', { imageTag: 'v1' }, 'STANDARD')).imageStatus, 'ACTIVE');
      for (const blob of image.blobs) assert.deepEqual([await storageOf(blob), await readable(blob), await archived(blob)], ['STANDARD', true, false]);
    });

    it('serves bytes a push puts back while a blob is archived, and restores the blob when an image uses it', async () => {
      const image = await pushImage(repository, 'archived', ['a layer pushed again'], 'v1');
      const layer = image.blobs[1]!;
      await core.registry.images.updateImageStorageClass('team/app', { imageTag: 'v1' }, 'ARCHIVE');
      assert.equal(await readable(layer), false);

      // A push of the same layer into another repository puts the bytes back at the standard key.
      const other = await core.registry.repositories.create('team/other');
      await ingest(other, 'a layer pushed again');
      assert.deepEqual([await storageOf(layer), await readable(layer)], ['ARCHIVE', true], 'the standard copy wins');
      const user = await pushImage(other, 'user', ['a layer pushed again'], 'v1');
      assert.equal(await statusOf(user.digest, other), 'ACTIVE');
      assert.deepEqual([await storageOf(layer), await standard(layer), await archived(layer)], ['STANDARD', true, false]);
      assert.equal(await statusOf(image.digest), 'ARCHIVED', 'the archived image stays archived');
    });

    it('never loses bytes while archives and restores of images sharing a layer race', async () => {
      const images = await Promise.all(['a', 'b', 'c'].map((seed) => pushImage(repository, seed, ['the shared layer', `own layer of ${seed}`], seed)));
      const imageArchive = core.registry.imageArchive;
      for (let round = 0; round < 5; round++) {
        await Promise.all(images.flatMap((image, i) => [imageArchive.archive(repository, [image.digest]), (i + round) % 2 === 0 ? imageArchive.activate(repository, image.digest) : Promise.resolve()]));
      }
      for (const image of images) {
        const active = (await statusOf(image.digest)) === 'ACTIVE';
        for (const blob of image.blobs) {
          const storageClass = await storageOf(blob);
          assert.ok(storageClass === 'STANDARD' ? await standard(blob) : await archived(blob), `${blob} has its bytes where its class (${storageClass}) says`);
          if (active) assert.ok(await readable(blob), `${blob} of an active image is readable`);
        }
      }
      for (const image of images) await imageArchive.activate(repository, image.digest);
      for (const image of images) for (const blob of image.blobs) assert.deepEqual([await storageOf(blob), await standard(blob), await archived(blob)], ['STANDARD', true, false]);
    });
  });
}
