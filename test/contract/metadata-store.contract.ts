/**
 * The behaviour every MetadataStore must have, run against each implementation
 * (metadata-sqlite.test.ts, metadata-postgres.test.ts). Each test gets a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import { DEFAULT_REPOSITORY_SETTINGS, type RepositorySettings } from '../../src/domain/model/repository-settings.js';
import type { AuditEvent } from '../../src/domain/ports/audit-log.js';
import type { AccessKeyRecord, ConsoleSessionRecord, PrincipalKind, PrincipalRecord } from '../../src/domain/ports/identity-metadata.js';
import type { MetadataStore, NewManifest, Page } from '../../src/domain/ports/metadata-store.js';

export interface MetadataStoreFixture {
  store: MetadataStore;
  /** Closes the store and removes what it stored. */
  dispose(): Promise<void>;
}

const t0 = new Date('2024-05-06T07:08:09.123Z');
const later = (ms: number): Date => new Date(t0.getTime() + ms);

export function digestOf(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** A manifest whose payload is `body` and digest is the payload's. */
export function manifest(repositoryId: number, body: string, extra: Partial<NewManifest> = {}): NewManifest {
  const payload = new TextEncoder().encode(body);
  return {
    repositoryId,
    digest: digestOf(payload),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: null,
    subjectDigest: null,
    annotations: null,
    payload,
    createdAt: t0,
    blobDigests: [],
    childDigests: [],
    ...extra,
  };
}

/** Byte-wise lexical order, as listings must return. */
const byteOrder = (names: string[]): string[] => [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Mixed case and punctuation: a locale-aware collation orders these differently from bytes. */
const awkwardNames = ['b0', 'a_b', 'ab', 'a-b', 'B', 'a.b', 'a/b', 'a', 'Z9', 'a0'];

/** Lists every page of `size` after the previous page's last name, and checks paging bounds. */
async function assertPages(list: (page: Page) => Promise<string[]>, expected: string[], size: number): Promise<void> {
  const seen: string[] = [];
  for (let page = await list({ limit: size }); page.length > 0; page = await list({ after: seen.at(-1), limit: size })) {
    assert.ok(page.length <= size);
    seen.push(...page);
  }
  assert.deepEqual(seen, expected);
  assert.deepEqual(await list({}), expected);
  assert.deepEqual(await list({ limit: 0 }), []);
  assert.deepEqual(await list({ after: expected.at(-1) }), []);
  // `after` need not be a listed name ('!' sorts before every other name character).
  const [first, second] = expected as [string, string];
  assert.deepEqual(await list({ after: `${first}!`, limit: 1 }), [second]);
}

export function metadataStoreContract(
  name: string,
  open: () => Promise<MetadataStoreFixture>,
  options: { skip?: string | undefined } = {},
): void {
  describe(`MetadataStore contract: ${name}`, { skip: options.skip }, () => {
    let fixture: MetadataStoreFixture;
    let store: MetadataStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    const newRepository = async (repoName = 'library/app'): Promise<number> =>
      (await store.createRepository({ name: repoName, createdAt: t0 })).id;

    /** A manifest pushed with its blob linked, as the registry would. */
    const pushed = async (repositoryId: number, body: string, extra: Partial<NewManifest> = {}): Promise<NewManifest> => {
      const m = manifest(repositoryId, body, extra);
      await store.putManifest(m);
      return m;
    };

    describe('repositories', () => {
      it('creates and gets a repository', async () => {
        const created = await store.createRepository({ name: 'team/app', createdAt: t0 });
        assert.equal(created.name, 'team/app');
        assert.equal(typeof created.id, 'number');
        assert.deepEqual(created.createdAt, t0);
        assert.deepEqual(await store.getRepository('team/app'), created);
        assert.equal(await store.getRepository('team/other'), undefined);
      });

      it('rejects a duplicate name with REPOSITORY_ALREADY_EXISTS', async () => {
        await newRepository('team/app');
        await assert.rejects(store.createRepository({ name: 'team/app', createdAt: later(1) }), (err) =>
          isDomainError(err, 'REPOSITORY_ALREADY_EXISTS'),
        );
        assert.deepEqual(await store.listRepositories({}), ['team/app']);
      });

      it('lists names in byte-wise order, page by page', async () => {
        for (const n of awkwardNames) await newRepository(n);
        await assertPages((page) => store.listRepositories(page), byteOrder(awkwardNames), 3);
      });

      it('deletes a repository with its tags, manifests, blob links and uploads', async () => {
        const id = await newRepository('team/app');
        const neighbour = await newRepository('team/neighbour');
        const blob = { digest: digestOf('layer'), size: 5 };
        await store.putBlob(blob, t0);
        for (const repo of [id, neighbour]) {
          await store.linkBlob(repo, blob.digest, t0);
          const image = await pushed(repo, '{"image":1}', { blobDigests: [blob.digest] });
          await pushed(repo, '{"signature":1}', { subjectDigest: image.digest });
          await store.putTag(repo, 'v1', image.digest, t0);
          await store.createUpload({ id: `upload-${repo}`, repositoryId: repo, startedAt: t0 });
        }
        const image = manifest(id, '{"image":1}');

        await store.deleteRepository(id, t0);

        assert.equal(await store.getRepository('team/app'), undefined);
        assert.equal(await store.getManifest(id, image.digest), undefined);
        assert.equal(await store.getTag(id, 'v1'), undefined);
        assert.deepEqual(await store.listReferrers(id, image.digest), []);
        assert.equal(await store.getLinkedBlob(id, blob.digest), undefined);
        assert.equal(await store.getUpload(`upload-${id}`), undefined);
        // The blob record is global; only garbage collection removes it.
        assert.deepEqual(await store.getBlob(blob.digest), blob);
        // The neighbour is untouched.
        assert.equal(await store.getTag(neighbour, 'v1'), image.digest);
        assert.deepEqual(await store.getLinkedBlob(neighbour, blob.digest), blob);
        assert.ok(await store.getUpload(`upload-${neighbour}`));
        // The name is free again, and nothing of the old repository shows through.
        const again = await newRepository('team/app');
        assert.deepEqual(await store.listTags(again, {}), []);
        assert.equal(await store.getManifest(again, image.digest), undefined);
      });
    });

    describe('blobs', () => {
      it('puts blob records idempotently', async () => {
        const blob = { digest: digestOf('big'), size: 5_000_000_000 };
        await store.putBlob(blob, t0);
        await store.putBlob(blob, t0);
        assert.deepEqual(await store.getBlob(blob.digest), blob);
        assert.equal(await store.getBlob(digestOf('absent')), undefined);
      });

      it('links, finds and unlinks blobs per repository', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        const blob = { digest: digestOf('layer'), size: 42 };
        await store.putBlob(blob, t0);
        await store.linkBlob(id, blob.digest, t0);
        await store.linkBlob(id, blob.digest, t0);

        assert.deepEqual(await store.getLinkedBlob(id, blob.digest), blob);
        assert.equal(await store.getLinkedBlob(other, blob.digest), undefined);
        assert.deepEqual(await store.findLinkedBlobs(id, [blob.digest, digestOf('nope'), blob.digest]), new Set([blob.digest]));
        assert.deepEqual(await store.findLinkedBlobs(other, [blob.digest]), new Set());
        assert.deepEqual(await store.findLinkedBlobs(id, []), new Set());

        assert.equal(await store.unlinkBlob(id, blob.digest, t0), true);
        assert.equal(await store.unlinkBlob(id, blob.digest, t0), false);
        assert.equal(await store.getLinkedBlob(id, blob.digest), undefined);
        assert.deepEqual(await store.getBlob(blob.digest), blob);
      });

      it('finds among many digests', async () => {
        const id = await newRepository();
        const digests = Array.from({ length: 1200 }, (_, i) => digestOf(`blob ${i}`));
        const linked = digests.filter((_, i) => i % 3 === 0);
        for (const digest of linked) {
          await store.putBlob({ digest, size: 1 }, t0);
          await store.linkBlob(id, digest, t0);
        }
        assert.deepEqual(await store.findLinkedBlobs(id, digests), new Set(linked));
      });

      it('refuses to link a blob that has no record', async () => {
        const id = await newRepository();
        await assert.rejects(store.linkBlob(id, digestOf('never committed'), t0));
      });
    });

    describe('garbage collection review queues', () => {
      const claim = (queuedBefore: Date, now = queuedBefore, limit = 100) => ({ queuedBefore, now, leaseUntil: new Date(now.getTime() + 60_000), limit });
      const collectBlobs = (digests: string[], queuedBefore: Date) => store.transaction((tx) => tx.collectBlobs(digests, queuedBefore));
      /** A blob committed and linked at t0, as an upload leaves it. */
      const uploaded = async (repositoryId: number, content: string) => {
        const blob = { digest: digestOf(content), size: content.length };
        await store.putBlob(blob, t0);
        await store.linkBlob(repositoryId, blob.digest, t0);
        return blob;
      };

      it('removes a link no manifest uses once its review is due, then the blob', async () => {
        const id = await newRepository();
        const blob = await uploaded(id, 'layer');
        assert.deepEqual(await store.claimLinkReviews(claim(later(-1))), []);

        const due = await store.claimLinkReviews(claim(t0));
        assert.deepEqual(due, [{ repositoryId: id, digest: blob.digest }]);
        assert.deepEqual(await store.collectLinks(due, t0, t0), due);
        assert.equal(await store.getLinkedBlob(id, blob.digest), undefined);

        const blobs = await store.claimBlobReviews(claim(t0));
        assert.deepEqual(blobs, [blob.digest]);
        assert.deepEqual(await collectBlobs(blobs, t0), [blob]);
        assert.equal(await store.getBlob(blob.digest), undefined);
        assert.deepEqual(await store.gcQueueDepth(), { linkReviews: 0, blobReviews: 0 });
      });

      it('keeps links a manifest uses and blobs a repository links, dropping their reviews', async () => {
        const id = await newRepository();
        const blob = await uploaded(id, 'layer');
        await pushed(id, '{"image":1}', { blobDigests: [blob.digest] });

        assert.deepEqual(await store.collectLinks(await store.claimLinkReviews(claim(t0)), t0, t0), []);
        assert.deepEqual(await collectBlobs(await store.claimBlobReviews(claim(t0)), t0), []);
        assert.deepEqual(await store.getLinkedBlob(id, blob.digest), blob);
        assert.deepEqual(await store.gcQueueDepth(), { linkReviews: 0, blobReviews: 0 });
      });

      it('queues reviews of the links of a deleted manifest and of the blobs of a deleted repository', async () => {
        const id = await newRepository();
        const other = await newRepository('library/other');
        const kept = await uploaded(id, 'kept');
        const dropped = await uploaded(id, 'dropped');
        const image = await pushed(id, '{"image":1}', { blobDigests: [kept.digest, dropped.digest] });
        await pushed(id, '{"image":2}', { blobDigests: [kept.digest] });
        await store.collectLinks(await store.claimLinkReviews(claim(t0)), t0, t0);
        await collectBlobs(await store.claimBlobReviews(claim(t0)), t0);

        await store.deleteManifest(id, image.digest, later(10));
        assert.deepEqual(await store.claimLinkReviews(claim(later(9))), []);
        const due = await store.claimLinkReviews(claim(later(10)));
        assert.equal(due.length, 2);
        assert.deepEqual(await store.collectLinks(due, later(10), later(10)), [{ repositoryId: id, digest: dropped.digest }]);
        assert.deepEqual(await collectBlobs(await store.claimBlobReviews(claim(later(10))), later(10)), [dropped]);

        await store.linkBlob(other, kept.digest, later(20));
        await store.deleteRepository(id, later(30));
        assert.deepEqual(await store.claimBlobReviews(claim(later(29))), []);
        const blobs = await store.claimBlobReviews(claim(later(30)));
        assert.deepEqual(blobs, [kept.digest]);
        // Still linked by the other repository.
        assert.deepEqual(await collectBlobs(blobs, later(30)), []);
        await store.unlinkBlob(other, kept.digest, later(40));
        assert.deepEqual(await collectBlobs(await store.claimBlobReviews(claim(later(40))), later(40)), [kept]);
      });

      it('leaves a review queued again after its claim, and a blob committed after the cutoff', async () => {
        const id = await newRepository();
        const blob = await uploaded(id, 'layer');
        const due = await store.claimLinkReviews(claim(t0));
        await store.linkBlob(id, blob.digest, later(5));
        assert.deepEqual(await store.collectLinks(due, t0, t0), []);
        assert.deepEqual(await store.getLinkedBlob(id, blob.digest), blob);
        assert.equal((await store.gcQueueDepth()).linkReviews, 1);

        // Unlinked at t0 but committed again at later(100): the commit fences the bytes.
        await store.putBlob(blob, later(100));
        await store.unlinkBlob(id, blob.digest, t0);
        assert.deepEqual(await collectBlobs(await store.claimBlobReviews(claim(later(50))), later(50)), []);
        assert.deepEqual(await store.getBlob(blob.digest), blob);
      });

      it('does not hand a leased review to another claim until the lease ends', async () => {
        const id = await newRepository();
        await uploaded(id, 'layer');
        assert.equal((await store.claimLinkReviews(claim(t0))).length, 1);
        assert.deepEqual(await store.claimLinkReviews(claim(t0, later(59_999))), []);
        assert.equal((await store.claimLinkReviews(claim(t0, later(60_000)))).length, 1);
        assert.equal((await store.claimBlobReviews(claim(t0))).length, 1);
        assert.deepEqual(await store.claimBlobReviews(claim(t0, later(1))), []);
      });

      it('claims at most the limit, oldest first', async () => {
        const id = await newRepository();
        for (let i = 0; i < 5; i++) {
          await store.putBlob({ digest: digestOf(`b${i}`), size: 1 }, later(i));
          await store.linkBlob(id, digestOf(`b${i}`), later(10 - i));
        }
        const first = await store.claimLinkReviews(claim(later(100), later(100), 2));
        assert.deepEqual(first.map((r) => r.digest), [digestOf('b4'), digestOf('b3')]);
      });
    });

    describe('manifests', () => {
      it('returns exactly the bytes pushed, with the manifest fields', async () => {
        const id = await newRepository();
        // Odd whitespace and bytes that are not UTF-8, inside a larger buffer.
        const body = Buffer.concat([Buffer.from('{ "schemaVersion" :2 }\r\n\t '), Buffer.from([0, 255, 254, 0])]);
        const backing = Buffer.concat([Buffer.from('xyz'), body, Buffer.from('tail')]);
        const payload = new Uint8Array(backing.buffer, backing.byteOffset + 3, body.length);
        const subject = digestOf('subject');
        const m = manifest(id, '', {
          digest: digestOf(body),
          payload,
          artifactType: 'application/vnd.example+json',
          subjectDigest: subject,
          annotations: { 'org.opencontainers.image.created': '2024-05-06', 'ünïcode': '✓' },
        });
        await store.putManifest(m);

        const got = await store.getManifest(id, m.digest);
        assert.ok(got);
        assert.deepEqual(Buffer.from(got.payload), body);
        assert.deepEqual(
          { ...got, payload: undefined },
          {
            repositoryId: id,
            digest: m.digest,
            mediaType: m.mediaType,
            artifactType: 'application/vnd.example+json',
            subjectDigest: subject,
            annotations: m.annotations,
            size: body.length,
            createdAt: t0,
            payload: undefined,
            imageStatus: 'ACTIVE',
          },
        );
      });

      it('puts idempotently: the same digest again changes nothing', async () => {
        const id = await newRepository();
        const first = await pushed(id, '{"a":1}');
        await store.putManifest({ ...first, createdAt: later(1000), annotations: { changed: 'yes' } });
        const got = await store.getManifest(id, first.digest);
        assert.deepEqual(got?.createdAt, t0);
        assert.equal(got?.annotations, null);
      });

      it('keeps manifests per repository', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        const m = await pushed(id, '{"a":1}');
        assert.equal(await store.getManifest(other, m.digest), undefined);
        assert.equal(await store.getManifest(id, digestOf('absent')), undefined);
      });

      it('gets the manifest a tag points at', async () => {
        const id = await newRepository();
        const v1 = await pushed(id, '{"v":1}');
        const v2 = await pushed(id, '{"v":2}');
        assert.equal(await store.getManifestByTag(id, 'latest'), undefined);
        await store.putTag(id, 'latest', v1.digest, t0);
        assert.deepEqual(await store.getManifestByTag(id, 'latest'), await store.getManifest(id, v1.digest));
        await store.putTag(id, 'latest', v2.digest, later(1));
        assert.equal((await store.getManifestByTag(id, 'latest'))?.digest, v2.digest);
        assert.equal(await store.getManifestByTag(await newRepository('other'), 'latest'), undefined);
      });

      it('finds which digests are manifests of the repository', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        const ours = await pushed(id, '{"ours":1}');
        const theirs = await pushed(other, '{"theirs":1}');
        const many = [ours.digest, theirs.digest, ...Array.from({ length: 1000 }, (_, i) => digestOf(`${i}`))];
        assert.deepEqual(await store.findManifests(id, many), new Set([ours.digest]));
        assert.deepEqual(await store.findManifests(id, []), new Set());
      });

      it('deletes a manifest with the tags pointing at it', async () => {
        const id = await newRepository();
        const blob = { digest: digestOf('layer'), size: 1 };
        await store.putBlob(blob, t0);
        await store.linkBlob(id, blob.digest, t0);
        const doomed = await pushed(id, '{"doomed":1}', { blobDigests: [blob.digest, blob.digest] });
        const kept = await pushed(id, '{"kept":1}', { blobDigests: [blob.digest] });
        await store.putTag(id, 'a', doomed.digest, t0);
        await store.putTag(id, 'b', doomed.digest, t0);
        await store.putTag(id, 'c', kept.digest, t0);

        assert.equal(await store.deleteManifest(id, doomed.digest, t0), true);
        assert.equal(await store.deleteManifest(id, doomed.digest, t0), false);
        assert.equal(await store.getManifest(id, doomed.digest), undefined);
        assert.deepEqual(await store.tagsOf(id, doomed.digest), []);
        assert.deepEqual(await store.listTags(id, {}), ['c']);
        assert.equal(await store.getManifestByTag(id, 'a'), undefined);
        // Blob links are not the manifest's to remove.
        assert.deepEqual(await store.getLinkedBlob(id, blob.digest), blob);
        // Pushing it again works: nothing of it was left behind.
        await store.putManifest(doomed);
        assert.equal((await store.getManifest(id, doomed.digest))?.digest, doomed.digest);
      });

      it('lists referrers of a subject by digest, optionally of one artifact type', async () => {
        const id = await newRepository();
        const subject = await pushed(id, '{"subject":1}');
        const sbom = 'application/spdx+json';
        const referrers = [
          await pushed(id, '{"sbom":1}', { subjectDigest: subject.digest, artifactType: sbom, annotations: { k: 'v' } }),
          await pushed(id, '{"sbom":2}', { subjectDigest: subject.digest, artifactType: sbom }),
          await pushed(id, '{"sig":1}', { subjectDigest: subject.digest, artifactType: 'application/vnd.dev.cosign' }),
          await pushed(id, '{"plain":1}', { subjectDigest: subject.digest }),
        ];
        await pushed(id, '{"unrelated":1}', { subjectDigest: digestOf('another subject'), artifactType: sbom });
        await store.putManifest(manifest(await newRepository('elsewhere'), '{"sbom":3}', { subjectDigest: subject.digest }));

        const summary = (m: NewManifest) => ({
          digest: m.digest,
          mediaType: m.mediaType,
          size: m.payload.byteLength,
          artifactType: m.artifactType,
          annotations: m.annotations,
          imageStatus: 'ACTIVE',
        });
        const byDigest = (ms: NewManifest[]) => [...ms].sort((a, b) => (a.digest < b.digest ? -1 : 1)).map(summary);
        assert.deepEqual(await store.listReferrers(id, subject.digest), byDigest(referrers));
        assert.deepEqual(await store.listReferrers(id, subject.digest, sbom), byDigest(referrers.slice(0, 2)));
        assert.deepEqual(await store.listReferrers(id, subject.digest, 'application/none'), []);
        assert.deepEqual(await store.listReferrers(id, digestOf('no such subject')), []);
      });
    });

    describe('tags', () => {
      it('puts a tag and resolves with the digest it pointed at before', async () => {
        const id = await newRepository();
        const v1 = await pushed(id, '{"v":1}');
        const v2 = await pushed(id, '{"v":2}');
        assert.equal(await store.putTag(id, 'latest', v1.digest, t0), undefined);
        assert.equal(await store.putTag(id, 'latest', v2.digest, later(1)), v1.digest);
        assert.equal(await store.putTag(id, 'latest', v2.digest, later(2)), v2.digest);
        assert.equal(await store.getTag(id, 'latest'), v2.digest);
        assert.equal(await store.getTag(id, 'absent'), undefined);
      });

      it('deletes tags', async () => {
        const id = await newRepository();
        const m = await pushed(id, '{}');
        await store.putTag(id, 'v1', m.digest, t0);
        assert.equal(await store.deleteTag(id, 'v1'), true);
        assert.equal(await store.deleteTag(id, 'v1'), false);
        assert.equal(await store.getTag(id, 'v1'), undefined);
        assert.equal(await store.getManifest(id, m.digest) !== undefined, true);
      });

      it('lists tags in byte-wise order, page by page, per repository', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        const m = await pushed(id, '{}');
        const n = await pushed(other, '{}');
        for (const tag of awkwardNames.map((t) => t.replace('/', '-x'))) await store.putTag(id, tag, m.digest, t0);
        await store.putTag(other, 'only-there', n.digest, t0);
        const expected = byteOrder(awkwardNames.map((t) => t.replace('/', '-x')));
        await assertPages((page) => store.listTags(id, page), expected, 4);
      });

      it('lists the tags of a digest', async () => {
        const id = await newRepository();
        const m = await pushed(id, '{"m":1}');
        const n = await pushed(id, '{"n":1}');
        for (const tag of ['z', 'B', 'a']) await store.putTag(id, tag, m.digest, t0);
        await store.putTag(id, 'other', n.digest, t0);
        assert.deepEqual(await store.tagsOf(id, m.digest), ['B', 'a', 'z']);
        assert.deepEqual(await store.tagsOf(id, digestOf('untagged')), []);
      });

      it('refuses a tag to a manifest the repository does not have', async () => {
        const id = await newRepository('a');
        const elsewhere = await pushed(await newRepository('b'), '{}');
        await assert.rejects(store.putTag(id, 'v1', elsewhere.digest, t0));
        assert.equal(await store.getTag(id, 'v1'), undefined);
      });
    });

    describe('uploads', () => {
      it('creates, gets and deletes an upload session', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'u1', repositoryId: id, startedAt: t0 });
        assert.deepEqual(await store.getUpload('u1'), { id: 'u1', repositoryId: id, offset: 0, startedAt: t0, updatedAt: t0 });
        await store.deleteUpload('u1');
        assert.equal(await store.getUpload('u1'), undefined);
        await store.deleteUpload('u1');
      });

      it('advances the offset only from the expected one', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'u1', repositoryId: id, startedAt: t0 });
        assert.equal(await store.advanceUpload('u1', 0, 4_294_967_296, later(5)), true);
        assert.equal(await store.advanceUpload('u1', 0, 10, later(6)), false);
        assert.deepEqual(await store.getUpload('u1'), {
          id: 'u1',
          repositoryId: id,
          offset: 4_294_967_296,
          startedAt: t0,
          updatedAt: later(5),
        });
        assert.equal(await store.advanceUpload('absent', 0, 1, t0), false);
      });

      it('lists sessions idle since a time, oldest first, and deletes one only while it is still idle', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'stale', repositoryId: id, startedAt: t0 });
        await store.createUpload({ id: 'older', repositoryId: id, startedAt: t0 });
        await store.advanceUpload('stale', 0, 10, later(2));
        await store.createUpload({ id: 'fresh', repositoryId: id, startedAt: later(10) });
        assert.deepEqual((await store.listIdleUploads(later(5), 10)).map((u) => u.id), ['older', 'stale']);
        assert.deepEqual((await store.listIdleUploads(later(5), 1)).map((u) => u.id), ['older']);
        await store.advanceUpload('stale', 10, 20, later(7));
        assert.equal(await store.deleteUploadIfIdle('stale', later(5)), false, 'it moved since it was listed');
        assert.equal(await store.deleteUploadIfIdle('older', later(5)), true);
        assert.deepEqual((await store.listIdleUploads(later(20), 10)).map((u) => u.id), ['stale', 'fresh']);
      });

      it('lets exactly one of concurrent advances from one offset win', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'u1', repositoryId: id, startedAt: t0 });
        const won = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => store.advanceUpload('u1', 0, n * 100, later(n))));
        assert.equal(won.filter(Boolean).length, 1);
        assert.equal((await store.getUpload('u1'))?.offset, (won.indexOf(true) + 1) * 100);
      });
    });

    describe('repository settings', () => {
      const custom: RepositorySettings = {
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k' },
      };

      it('creates a repository with the default settings, or the ones given', async () => {
        const plain = await store.createRepository({ name: 'plain', createdAt: t0 });
        assert.deepEqual(plain.settings, DEFAULT_REPOSITORY_SETTINGS);
        const configured = await store.createRepository({ name: 'configured', createdAt: t0, settings: custom });
        assert.deepEqual(configured.settings, custom);
        assert.deepEqual(await store.getRepository('configured'), configured);
      });

      it('updates settings', async () => {
        const id = await newRepository('team/app');
        await store.updateRepositorySettings(id, custom);
        assert.deepEqual((await store.getRepository('team/app'))?.settings, custom);
        await store.updateRepositorySettings(id, DEFAULT_REPOSITORY_SETTINGS);
        assert.deepEqual((await store.getRepository('team/app'))?.settings, DEFAULT_REPOSITORY_SETTINGS);
      });

      it('lists records in byte-wise name order, page by page', async () => {
        for (const n of awkwardNames) await store.createRepository({ name: n, createdAt: t0, settings: custom });
        await assertPages(async (page) => (await store.listRepositoryRecords(page)).map((r) => r.name), byteOrder(awkwardNames), 3);
        const [first] = await store.listRepositoryRecords({ limit: 1 });
        assert.deepEqual(first, await store.getRepository(first!.name));
      });
    });

    describe('repository documents and resource tags', () => {
      it('puts, gets and deletes a document of each kind', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        assert.equal(await store.getRepositoryDocument(id, 'policy'), undefined);
        await store.putRepositoryDocument(id, 'policy', '{"Version":"2012-10-17"}', t0);
        await store.putRepositoryDocument(id, 'lifecycle-policy', '{"rules":[]}', t0);
        await store.putRepositoryDocument(id, 'policy', '{ "Version" : "2008-10-17" }', later(5));
        assert.deepEqual(await store.getRepositoryDocument(id, 'policy'), { text: '{ "Version" : "2008-10-17" }', updatedAt: later(5) });
        assert.deepEqual(await store.getRepositoryDocument(id, 'lifecycle-policy'), { text: '{"rules":[]}', updatedAt: t0 });
        assert.equal(await store.getRepositoryDocument(other, 'policy'), undefined);
        assert.equal(await store.deleteRepositoryDocument(id, 'policy'), true);
        assert.equal(await store.deleteRepositoryDocument(id, 'policy'), false);
        assert.equal(await store.getRepositoryDocument(id, 'policy'), undefined);
        assert.ok(await store.getRepositoryDocument(id, 'lifecycle-policy'));
      });

      it('adds, overwrites, lists by key and deletes resource tags', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        assert.deepEqual(await store.getRepositoryTags(id), []);
        await store.putRepositoryTags(id, [
          { Key: 'team', Value: 'core' },
          { Key: 'Env', Value: '' },
        ]);
        await store.putRepositoryTags(id, [{ Key: 'team', Value: 'platform' }]);
        await store.putRepositoryTags(other, [{ Key: 'team', Value: 'other' }]);
        assert.deepEqual(await store.getRepositoryTags(id), [
          { Key: 'Env', Value: '' },
          { Key: 'team', Value: 'platform' },
        ]);
        await store.deleteRepositoryTags(id, ['Env', 'absent']);
        await store.deleteRepositoryTags(id, []);
        assert.deepEqual(await store.getRepositoryTags(id), [{ Key: 'team', Value: 'platform' }]);
        assert.deepEqual(await store.getRepositoryTags(other), [{ Key: 'team', Value: 'other' }]);
      });

      it('removes documents and resource tags with their repository', async () => {
        const id = await newRepository('a');
        await store.putRepositoryDocument(id, 'policy', '{}', t0);
        await store.putRepositoryTags(id, [{ Key: 'k', Value: 'v' }]);
        await store.deleteRepository(id, t0);
        const again = await newRepository('a');
        assert.equal(await store.getRepositoryDocument(again, 'policy'), undefined);
        assert.deepEqual(await store.getRepositoryTags(again), []);
      });
    });

    describe('registry documents', () => {
      it('puts, gets and deletes a document by kind', async () => {
        assert.equal(await store.getRegistryDocument('registry-policy'), undefined);
        await store.putRegistryDocument('registry-policy', '{"v":1}', t0);
        await store.putRegistryDocument('registry-policy', '{"v":2}', later(1));
        await store.putRegistryDocument('replication', '{"rules":[]}', t0);
        assert.deepEqual(await store.getRegistryDocument('registry-policy'), { text: '{"v":2}', updatedAt: later(1) });
        assert.equal(await store.deleteRegistryDocument('registry-policy'), true);
        assert.equal(await store.deleteRegistryDocument('registry-policy'), false);
        assert.equal(await store.getRegistryDocument('registry-policy'), undefined);
        assert.deepEqual(await store.getRegistryDocument('replication'), { text: '{"rules":[]}', updatedAt: t0 });
      });

      it('stores a document only when absent, resolving with the one kept, also concurrently', async () => {
        assert.equal(await store.putRegistryDocumentIfAbsent('signing-key', 'first', t0), 'first');
        assert.equal(await store.putRegistryDocumentIfAbsent('signing-key', 'second', later(1)), 'first');
        const kept = await Promise.all(['a', 'b', 'c', 'd'].map((text) => store.putRegistryDocumentIfAbsent('other-key', text, t0)));
        assert.equal(new Set(kept).size, 1);
        assert.equal((await store.getRegistryDocument('other-key'))?.text, kept[0]);
      });
    });

    describe('creation templates', () => {
      const template = (prefix: string, document = '{"appliedFor":["CREATE_ON_PUSH"]}') => ({ prefix, document, createdAt: t0, updatedAt: t0 });

      it('creates, gets, lists by prefix, updates and deletes templates', async () => {
        for (const prefix of ['team/b', 'ROOT', 'team', 'a-b']) await store.createCreationTemplate(template(prefix));
        assert.deepEqual(await store.getCreationTemplate('team'), template('team'));
        assert.equal(await store.getCreationTemplate('absent'), undefined);
        assert.deepEqual(
          (await store.listCreationTemplates()).map((t) => t.prefix),
          byteOrder(['team/b', 'ROOT', 'team', 'a-b']),
        );
        assert.equal(await store.updateCreationTemplate('team', '{"appliedFor":["REPLICATION"]}', later(9)), true);
        assert.equal(await store.updateCreationTemplate('absent', '{}', later(9)), false);
        assert.deepEqual(await store.getCreationTemplate('team'), { prefix: 'team', document: '{"appliedFor":["REPLICATION"]}', createdAt: t0, updatedAt: later(9) });
        assert.equal(await store.deleteCreationTemplate('team'), true);
        assert.equal(await store.deleteCreationTemplate('team'), false);
        assert.equal(await store.getCreationTemplate('team'), undefined);
      });

      it('refuses a second template for a prefix with TEMPLATE_ALREADY_EXISTS', async () => {
        await store.createCreationTemplate(template('prod'));
        await assert.rejects(store.createCreationTemplate(template('prod', '{"other":1}')), (err) => isDomainError(err, 'TEMPLATE_ALREADY_EXISTS'));
        assert.deepEqual(await store.getCreationTemplate('prod'), template('prod'));
      });
    });

    describe('image views', () => {
      /** Three manifests: `tagged` with tags a and b, `single` with tag c, `bare` without tags; digests sorted. */
      const images = async (id: number) => {
        const [tagged, single, bare] = (await Promise.all(['{"i":1}', '{"i":2}', '{"i":3}'].map((body) => pushed(id, body)))).sort((x, y) =>
          x.digest < y.digest ? -1 : 1,
        ) as [NewManifest, NewManifest, NewManifest];
        await store.putTag(id, 'b', tagged.digest, t0);
        await store.putTag(id, 'a', tagged.digest, t0);
        await store.putTag(id, 'c', single.digest, t0);
        return { tagged, single, bare };
      };

      it('lists image ids by tag status, in digest then tag order', async () => {
        const id = await newRepository();
        const { tagged, single, bare } = await images(id);
        await images(await newRepository('elsewhere'));
        const any = [
          { digest: tagged.digest, tag: 'a' },
          { digest: tagged.digest, tag: 'b' },
          { digest: single.digest, tag: 'c' },
          { digest: bare.digest, tag: null },
        ].sort((x, y) => (x.digest === y.digest ? 0 : x.digest < y.digest ? -1 : 1));
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'ANY', limit: 100 }), any);
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'TAGGED', limit: 100 }), any.filter((r) => r.tag !== null));
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'UNTAGGED', limit: 100 }), [{ digest: bare.digest, tag: null }]);
      });

      it('pages image ids after a (digest, tag) position', async () => {
        const id = await newRepository();
        await images(id);
        const all = await store.listImageIds(id, { tagStatus: 'ANY', limit: 100 });
        const seen = [];
        for (let page = await store.listImageIds(id, { tagStatus: 'ANY', limit: 1 }); page.length > 0; ) {
          seen.push(...page);
          page = await store.listImageIds(id, { tagStatus: 'ANY', after: page[page.length - 1], limit: 1 });
        }
        assert.deepEqual(seen, all);
        // A position after every tag of a digest skips to the next digest.
        const first = all[0]!;
        const next = await store.listImageIds(id, { tagStatus: 'ANY', after: { digest: first.digest, tag: '~' }, limit: 100 });
        assert.ok(next.every((r) => r.digest > first.digest));
      });

      it('lists manifest digests in byte-wise order, page by page', async () => {
        const id = await newRepository();
        const digests = [];
        for (let i = 0; i < 7; i++) digests.push((await pushed(id, `{"n":${i}}`)).digest);
        await pushed(await newRepository('elsewhere'), '{"other":1}');
        await assertPages((page) => store.listManifestDigests(id, page), byteOrder(digests), 2);
      });

      it('describes images: tags, blob bytes, children, push and pull times', async () => {
        const id = await newRepository();
        const blobs = [
          { digest: digestOf('config'), size: 100 },
          { digest: digestOf('layer'), size: 5_000_000_000 },
        ];
        for (const blob of blobs) {
          await store.putBlob(blob, t0);
          await store.linkBlob(id, blob.digest, t0);
        }
        const image = await pushed(id, '{"image":1}', { blobDigests: blobs.map((b) => b.digest), artifactType: 'application/vnd.oci.image.config.v1+json' });
        const index = await pushed(id, '{"index":1}', { mediaType: 'application/vnd.oci.image.index.v1+json', childDigests: [image.digest], createdAt: later(3) });
        const signature = await pushed(id, '{"signature":1}', { subjectDigest: image.digest, artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json' });
        await store.putTag(id, 'v2', image.digest, t0);
        await store.putTag(id, 'v1', image.digest, t0);
        await store.putTag(id, 'latest', index.digest, t0);

        const details = await store.describeImages(id, [index.digest, image.digest, digestOf('absent'), image.digest, signature.digest]);
        const neverArchived = { imageStatus: 'ACTIVE', lastArchivedAt: null, lastActivatedAt: null };
        const expected = [
          {
            digest: image.digest,
            mediaType: image.mediaType,
            artifactType: 'application/vnd.oci.image.config.v1+json',
            tags: ['v1', 'v2'],
            blobBytes: 5_000_000_100,
            childDigests: [],
            subjectDigest: null,
            pushedAt: t0,
            lastPulledAt: null,
            ...neverArchived,
          },
          {
            digest: index.digest,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            artifactType: null,
            tags: ['latest'],
            blobBytes: 0,
            childDigests: [image.digest],
            subjectDigest: null,
            pushedAt: later(3),
            lastPulledAt: null,
            ...neverArchived,
          },
          {
            digest: signature.digest,
            mediaType: signature.mediaType,
            artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json',
            tags: [],
            blobBytes: 0,
            childDigests: [],
            subjectDigest: image.digest,
            pushedAt: signature.createdAt,
            lastPulledAt: null,
            ...neverArchived,
          },
        ].sort((x, y) => (x.digest < y.digest ? -1 : 1));
        assert.deepEqual(details, expected);
        assert.deepEqual(await store.describeImages(id, []), []);
        assert.deepEqual(await store.describeImages(await newRepository('elsewhere'), [image.digest]), []);
        const lifecycleView = details.map(({ digest, tags, childDigests, subjectDigest, pushedAt, lastPulledAt, imageStatus, lastArchivedAt }) => ({
          digest,
          tags,
          childDigests,
          subjectDigest,
          pushedAt,
          lastPulledAt,
          imageStatus,
          lastArchivedAt,
        }));
        assert.deepEqual(await store.listLifecycleImages(id), lifecycleView, 'the whole repository');
        assert.deepEqual(await store.listLifecycleImages(await newRepository('empty')), []);
      });

      it('records pull times, keeping only later ones', async () => {
        const id = await newRepository();
        const m = await pushed(id, '{"pulled":1}');
        const other = await pushed(id, '{"never":1}');
        await store.recordPulls([
          { repositoryId: id, digest: m.digest, at: later(10) },
          { repositoryId: id, digest: digestOf('absent'), at: later(10) },
        ]);
        await store.recordPulls([{ repositoryId: id, digest: m.digest, at: later(5) }]);
        await store.recordPulls([]);
        const [pulled, never] = await Promise.all([m, other].map(async (x) => (await store.describeImages(id, [x.digest]))[0]));
        assert.deepEqual(pulled?.lastPulledAt, later(10));
        assert.equal(never?.lastPulledAt, null);
        await store.recordPulls([{ repositoryId: id, digest: m.digest, at: later(20) }]);
        assert.deepEqual((await store.describeImages(id, [m.digest]))[0]?.lastPulledAt, later(20));
      });
    });

    describe('identities', () => {
      const account = '123456789012';
      const principal = (name: string, kind: PrincipalKind = 'user'): PrincipalRecord => ({
        arn: `arn:aws:iam::${account}:${kind}/${name}`,
        account,
        kind,
        name,
        id: `${kind === 'user' ? 'AIDA' : 'AROA'}${name.toUpperCase().padEnd(17, 'X')}`,
        path: '/',
        trustPolicy: kind === 'role' ? '{"Version":"2012-10-17","Statement":[]}' : null,
        createdAt: t0,
      });
      const key = (id: string, principalArn: string, extra: Partial<AccessKeyRecord> = {}): AccessKeyRecord => ({
        id,
        secret: `secret-${id}`,
        principalArn,
        status: 'Active',
        createdAt: t0,
        sessionToken: null,
        expiresAt: null,
        sessionArn: null,
        ...extra,
      });

      it('creates, gets, lists and deletes principals; a name is unique per account and kind', async () => {
        const alice = principal('alice');
        await store.createPrincipal(alice);
        await store.createPrincipal(principal('bob'));
        await store.createPrincipal(principal('alice', 'role'));
        await store.createPrincipal({ ...principal('carol'), account: '210987654321', arn: 'arn:aws:iam::210987654321:user/carol', id: 'AIDACAROLOTHER' });
        await assert.rejects(store.createPrincipal({ ...alice, arn: `${alice.arn}-2`, id: 'AIDAOTHER' }), (err) => isDomainError(err, 'ENTITY_ALREADY_EXISTS'));
        assert.deepEqual(await store.getPrincipal(alice.arn), alice);
        assert.equal(await store.getPrincipal('arn:aws:iam::123456789012:user/absent'), undefined);
        assert.deepEqual((await store.listPrincipals(account, 'user')).map((p) => p.name), ['alice', 'bob']);
        assert.deepEqual(await store.listPrincipals(account, 'role'), [principal('alice', 'role')]);
        assert.equal(await store.deletePrincipal(alice.arn), true);
        assert.equal(await store.deletePrincipal(alice.arn), false);
        assert.equal(await store.getPrincipal(alice.arn), undefined);
      });

      it('keeps inline policies per principal, removed with it', async () => {
        const alice = principal('alice');
        const bob = principal('bob');
        await store.createPrincipal(alice);
        await store.createPrincipal(bob);
        await store.putInlinePolicy(alice.arn, { name: 'pull', document: '{"v":1}' });
        await store.putInlinePolicy(alice.arn, { name: 'Admin', document: '{"v":2}' });
        await store.putInlinePolicy(alice.arn, { name: 'pull', document: '{"v":3}' });
        await store.putInlinePolicy(bob.arn, { name: 'pull', document: '{"bob":1}' });
        assert.deepEqual(await store.getInlinePolicy(alice.arn, 'pull'), { name: 'pull', document: '{"v":3}' });
        assert.equal(await store.getInlinePolicy(alice.arn, 'absent'), undefined);
        assert.deepEqual(await store.listInlinePolicies(alice.arn), [
          { name: 'Admin', document: '{"v":2}' },
          { name: 'pull', document: '{"v":3}' },
        ]);
        assert.equal(await store.deleteInlinePolicy(alice.arn, 'Admin'), true);
        assert.equal(await store.deleteInlinePolicy(alice.arn, 'Admin'), false);
        await store.deletePrincipal(alice.arn);
        await store.createPrincipal(alice);
        assert.deepEqual(await store.listInlinePolicies(alice.arn), []);
        assert.deepEqual(await store.listInlinePolicies(bob.arn), [{ name: 'pull', document: '{"bob":1}' }]);
      });

      it('keeps access keys: long-term ones listed oldest first, sessions apart, expired sessions dropped', async () => {
        const alice = principal('alice');
        const role = principal('deployer', 'role');
        await store.createPrincipal(alice);
        await store.createPrincipal(role);
        const older = key('AKIAOLDER', alice.arn, { createdAt: t0 });
        const newer = key('AKIANEWER', alice.arn, { createdAt: later(1) });
        const session = key('ASIASESSION', role.arn, { sessionToken: 'token', expiresAt: later(100), sessionArn: `arn:aws:sts::${account}:assumed-role/deployer/s` });
        const expired = key('ASIAEXPIRED', role.arn, { sessionToken: 'old', expiresAt: later(10), sessionArn: `arn:aws:sts::${account}:assumed-role/deployer/t` });
        const root = key('AKIAROOT', `arn:aws:iam::${account}:root`);
        for (const k of [newer, older, session, expired, root]) await store.createAccessKey(k);

        assert.deepEqual(await store.getAccessKey('ASIASESSION'), session);
        assert.equal(await store.getAccessKey('AKIAABSENT'), undefined);
        assert.deepEqual(await store.listAccessKeys(alice.arn), [older, newer]);
        assert.deepEqual(await store.listAccessKeys(role.arn), []);
        assert.deepEqual(await store.listAccessKeys(root.principalArn), [root]);

        assert.equal(await store.setAccessKeyStatus('AKIAOLDER', 'Inactive'), true);
        assert.equal(await store.setAccessKeyStatus('AKIAABSENT', 'Inactive'), false);
        assert.equal((await store.getAccessKey('AKIAOLDER'))?.status, 'Inactive');

        assert.equal(await store.deleteExpiredSessions(later(50)), 1);
        assert.equal(await store.getAccessKey('ASIAEXPIRED'), undefined);
        assert.ok(await store.getAccessKey('ASIASESSION'));

        assert.equal(await store.deleteAccessKey('AKIANEWER'), true);
        assert.equal(await store.deleteAccessKey('AKIANEWER'), false);
        await store.deletePrincipal(alice.arn);
        assert.equal(await store.getAccessKey('AKIAOLDER'), undefined);
        assert.ok(await store.getAccessKey('AKIAROOT'));
      });

      it('keeps one login profile per user: created once, updated, deleted, removed with the user', async () => {
        const alice = principal('alice');
        const bob = principal('bob');
        await store.createPrincipal(alice);
        await store.createPrincipal(bob);
        const profile = { userArn: alice.arn, passwordHash: 'scrypt$1$8$1$salt$hash', createdAt: t0, updatedAt: t0 };
        await store.createLoginProfile(profile);
        await assert.rejects(store.createLoginProfile({ ...profile, passwordHash: 'other' }), (err) => isDomainError(err, 'ENTITY_ALREADY_EXISTS'));
        assert.deepEqual(await store.getLoginProfile(alice.arn), profile);
        assert.equal(await store.getLoginProfile(bob.arn), undefined);

        assert.equal(await store.updateLoginProfile(alice.arn, 'scrypt$1$8$1$salt$new', later(5)), true);
        assert.equal(await store.updateLoginProfile(bob.arn, 'scrypt$1$8$1$salt$new', later(5)), false);
        assert.equal(await store.getLoginProfile(bob.arn), undefined);
        assert.deepEqual(await store.getLoginProfile(alice.arn), { ...profile, passwordHash: 'scrypt$1$8$1$salt$new', updatedAt: later(5) });

        assert.equal(await store.deleteLoginProfile(alice.arn), true);
        assert.equal(await store.deleteLoginProfile(alice.arn), false);
        await store.createLoginProfile({ ...profile, userArn: bob.arn });
        await store.deletePrincipal(bob.arn);
        assert.equal(await store.getLoginProfile(bob.arn), undefined);
      });

      it("keeps console sessions by id hash, drops expired ones, and a principal's with it", async () => {
        const alice = principal('alice');
        await store.createPrincipal(alice);
        const session = (idHash: string, extra: Partial<ConsoleSessionRecord> = {}): ConsoleSessionRecord => ({
          idHash,
          principalArn: alice.arn,
          accessKeyId: null,
          passwordFingerprint: 'fingerprint',
          createdAt: t0,
          expiresAt: later(100),
          ...extra,
        });
        const byPassword = session('a'.repeat(64));
        const byKey = session('b'.repeat(64), { accessKeyId: 'AKIAALICE', passwordFingerprint: null });
        const expired = session('c'.repeat(64), { expiresAt: later(10) });
        const root = session('d'.repeat(64), { principalArn: `arn:aws:iam::${account}:root`, accessKeyId: 'AKIAROOT', passwordFingerprint: null, expiresAt: later(10) });
        for (const s of [byPassword, byKey, expired, root]) await store.createConsoleSession(s);
        assert.deepEqual(await store.getConsoleSession(byPassword.idHash), byPassword);
        assert.deepEqual(await store.getConsoleSession(byKey.idHash), byKey);
        assert.equal(await store.getConsoleSession('e'.repeat(64)), undefined);

        assert.equal(await store.deleteExpiredConsoleSessions(later(50)), 2);
        assert.equal(await store.getConsoleSession(expired.idHash), undefined);
        assert.equal(await store.getConsoleSession(root.idHash), undefined);

        assert.equal(await store.deleteConsoleSession(byPassword.idHash), true);
        assert.equal(await store.deleteConsoleSession(byPassword.idHash), false);
        await store.deletePrincipal(alice.arn);
        assert.equal(await store.getConsoleSession(byKey.idHash), undefined);
      });

      it('counts the access generation up, once per bump, also concurrently', async () => {
        assert.equal(await store.getAccessGeneration(), 0);
        assert.equal(await store.bumpAccessGeneration(), 1);
        const bumped = await Promise.all(Array.from({ length: 10 }, () => store.bumpAccessGeneration()));
        assert.deepEqual([...bumped].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert.equal(await store.getAccessGeneration(), 11);
      });
    });

    describe('archive storage class', () => {
      const sorted = (digests: string[]) => [...digests].sort();
      /** A blob recorded and linked to each repository given. */
      const linkedBlob = async (content: string, ...repositoryIds: number[]) => {
        const blob = { digest: digestOf(content), size: content.length };
        await store.putBlob(blob, t0);
        for (const id of repositoryIds) await store.linkBlob(id, blob.digest, t0);
        return blob;
      };

      it('moves image statuses from the ones given, stamping when images were archived and activated', async () => {
        const id = await newRepository();
        const other = await newRepository('elsewhere');
        const [first, second] = [await pushed(id, '{"a":1}'), await pushed(id, '{"a":2}')];
        await pushed(other, '{"a":1}');
        const statusOf = async (repositoryId: number, digest: string) => {
          const [detail] = await store.describeImages(repositoryId, [digest]);
          return { imageStatus: detail?.imageStatus, lastArchivedAt: detail?.lastArchivedAt, lastActivatedAt: detail?.lastActivatedAt };
        };

        assert.deepEqual(sorted(await store.setImageStatus(id, [first.digest, second.digest, digestOf('absent')], ['ACTIVE'], 'ARCHIVED', later(10))), sorted([first.digest, second.digest]));
        assert.deepEqual(await store.setImageStatus(id, [first.digest], ['ACTIVE'], 'ARCHIVED', later(11)), [], 'archived already');
        assert.deepEqual(await statusOf(id, first.digest), { imageStatus: 'ARCHIVED', lastArchivedAt: later(10), lastActivatedAt: null });
        assert.equal((await store.getManifest(id, first.digest))?.imageStatus, 'ARCHIVED');
        assert.deepEqual(await statusOf(other, first.digest), { imageStatus: 'ACTIVE', lastArchivedAt: null, lastActivatedAt: null }, 'the same manifest elsewhere');
        assert.deepEqual(sorted(await store.inactiveImages(id, [first.digest, second.digest, digestOf('absent')])), sorted([first.digest, second.digest]));
        assert.deepEqual(await store.inactiveImages(other, [first.digest]), []);

        assert.deepEqual(await store.setImageStatus(id, [first.digest], ['ARCHIVED'], 'ACTIVATING', later(20)), [first.digest]);
        assert.deepEqual(await statusOf(id, first.digest), { imageStatus: 'ACTIVATING', lastArchivedAt: later(10), lastActivatedAt: null });
        assert.deepEqual(await store.setImageStatus(id, [first.digest], ['ACTIVATING'], 'ACTIVE', later(30)), [first.digest]);
        assert.deepEqual(await statusOf(id, first.digest), { imageStatus: 'ACTIVE', lastArchivedAt: later(10), lastActivatedAt: later(30) });
        assert.deepEqual(await store.inactiveImages(id, [first.digest]), []);
        assert.deepEqual(await store.setImageStatus(id, [], ['ACTIVE'], 'ARCHIVED', later(40)), []);
      });

      it('lists image ids of one status', async () => {
        const id = await newRepository();
        const [kept, archived] = [await pushed(id, '{"kept":1}'), await pushed(id, '{"archived":1}')];
        await store.putTag(id, 'v1', archived.digest, t0);
        await store.setImageStatus(id, [archived.digest], ['ACTIVE'], 'ARCHIVED', t0);
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'ANY', imageStatus: 'ACTIVE', limit: 100 }), [{ digest: kept.digest, tag: null }]);
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'ANY', imageStatus: 'ARCHIVED', limit: 100 }), [{ digest: archived.digest, tag: 'v1' }]);
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'UNTAGGED', imageStatus: 'ARCHIVED', limit: 100 }), []);
        assert.deepEqual(await store.listImageIds(id, { tagStatus: 'ANY', imageStatus: 'ACTIVATING', limit: 100 }), []);
        assert.equal((await store.listImageIds(id, { tagStatus: 'ANY', limit: 100 })).length, 2);
      });

      it('finds what manifests reference, and the unarchived indexes that list a manifest', async () => {
        const id = await newRepository();
        const [config, layer] = [await linkedBlob('config', id), await linkedBlob('layer', id)];
        const image = await pushed(id, '{"image":1}', { blobDigests: [config.digest, layer.digest] });
        const sibling = await pushed(id, '{"image":2}', { blobDigests: [layer.digest] });
        const index = await pushed(id, '{"index":1}', { childDigests: [image.digest, sibling.digest] });
        const another = await pushed(id, '{"index":2}', { childDigests: [image.digest] });

        assert.deepEqual(sorted(await store.referencedDigests(id, [image.digest, sibling.digest], 'blob')), sorted([config.digest, layer.digest]));
        assert.deepEqual(sorted(await store.referencedDigests(id, [index.digest, another.digest], 'manifest')), sorted([image.digest, sibling.digest]));
        assert.deepEqual(await store.referencedDigests(id, [index.digest], 'blob'), []);
        assert.deepEqual(await store.referencedDigests(await newRepository('elsewhere'), [image.digest], 'blob'), []);

        assert.deepEqual(await store.unarchivedIndexesListing(id, image.digest), sorted([index.digest, another.digest]));
        await store.setImageStatus(id, [index.digest], ['ACTIVE'], 'ARCHIVED', t0);
        assert.deepEqual(await store.unarchivedIndexesListing(id, image.digest), [another.digest]);
        await store.setImageStatus(id, [another.digest], ['ACTIVE'], 'ACTIVATING', t0);
        assert.deepEqual(await store.unarchivedIndexesListing(id, image.digest), [another.digest], 'one being restored counts');
        assert.deepEqual(await store.unarchivedIndexesListing(id, sibling.digest), []);
      });

      it("keeps blobs' storage classes, and knows whether an image that is not archived uses a blob, in any repository", async () => {
        const id = await newRepository();
        const other = await newRepository('elsewhere');
        const blob = await linkedBlob('shared layer', id, other);
        const unused = await linkedBlob('uploaded, never used', id);
        const here = await pushed(id, '{"here":1}', { blobDigests: [blob.digest] });
        const there = await pushed(other, '{"there":1}', { blobDigests: [blob.digest] });

        assert.deepEqual(await store.getLinkedBlobStorage(id, blob.digest), { ...blob, storageClass: 'STANDARD' });
        assert.equal(await store.getLinkedBlobStorage(await newRepository('unlinked'), blob.digest), undefined);
        assert.equal(await store.isBlobInUse(blob.digest), true);
        assert.equal(await store.isBlobInUse(unused.digest), false);
        await store.setImageStatus(id, [here.digest], ['ACTIVE'], 'ARCHIVED', t0);
        assert.equal(await store.isBlobInUse(blob.digest), true, 'the other repository still uses it');
        await store.setImageStatus(other, [there.digest], ['ACTIVE'], 'ARCHIVED', t0);
        assert.equal(await store.isBlobInUse(blob.digest), false);
        await store.setImageStatus(other, [there.digest], ['ARCHIVED'], 'ACTIVATING', t0);
        assert.equal(await store.isBlobInUse(blob.digest), true, 'an image being restored uses it');

        assert.equal(await store.lockBlobStorage(digestOf('absent')), undefined);
        await store.transaction(async (tx) => {
          assert.equal(await tx.lockBlobStorage(blob.digest), 'STANDARD');
          await tx.setBlobStorageClass(blob.digest, 'ARCHIVE');
        });
        assert.deepEqual(await store.archivedBlobsAmong([blob.digest, unused.digest, digestOf('absent')]), [blob.digest]);
        assert.deepEqual(await store.getLinkedBlobStorage(other, blob.digest), { ...blob, storageClass: 'ARCHIVE' });
        assert.deepEqual(await store.archivedBlobsAmong([]), []);
      });

      it('lets a reader of storage classes wait for a decision in progress and see its outcome', async () => {
        const blob = await linkedBlob('being archived', await newRepository());
        let decide!: () => void;
        const decided = new Promise<void>((resolve) => (decide = resolve));
        let lockTaken!: () => void;
        const locked = new Promise<void>((resolve) => (lockTaken = resolve));
        const decision = store.transaction(async (tx) => {
          await tx.lockBlobStorage(blob.digest);
          lockTaken();
          await decided;
          await tx.setBlobStorageClass(blob.digest, 'ARCHIVE');
        });
        await locked;
        const read = store.archivedBlobsAmong([blob.digest]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        decide();
        assert.deepEqual(await read, [blob.digest]);
        await decision;
      });
    });

    describe('transactions', () => {
      it('commits when the callback resolves, with its value', async () => {
        const result = await store.transaction(async (tx) => {
          const id = (await tx.createRepository({ name: 'in-tx', createdAt: t0 })).id;
          const m = manifest(id, '{"tx":1}');
          await tx.putManifest(m);
          await tx.putTag(id, 'latest', m.digest, t0);
          // A transaction reads its own writes.
          assert.equal((await tx.getManifestByTag(id, 'latest'))?.digest, m.digest);
          return id;
        });
        assert.equal((await store.getRepository('in-tx'))?.id, result);
        assert.ok(await store.getManifestByTag(result, 'latest'));
      });

      it('rolls back when the callback rejects, passing the error on', async () => {
        const id = await newRepository();
        const failure = new Error('changed my mind');
        await assert.rejects(
          store.transaction(async (tx) => {
            const m = manifest(id, '{"tx":1}');
            await tx.putManifest(m);
            await tx.putTag(id, 'latest', m.digest, t0);
            await tx.createRepository({ name: 'rolled-back', createdAt: t0 });
            throw failure;
          }),
          (err) => err === failure,
        );
        assert.equal(await store.getRepository('rolled-back'), undefined);
        assert.deepEqual(await store.listTags(id, {}), []);
        assert.deepEqual(await store.findManifests(id, [manifest(id, '{"tx":1}').digest]), new Set());
      });

      it('refuses use of the store itself inside its own transaction', async () => {
        // On a single connection these would wait for ever; elsewhere they would escape the transaction.
        await assert.rejects(store.transaction(() => store.transaction(async () => 1)));
        await assert.rejects(store.transaction(() => store.getRepository('any')));
        await assert.rejects(store.transaction(() => store.putBlob({ digest: digestOf('x'), size: 1 }, t0)));
        // Once the transaction is over, work it left behind may use the store.
        let leftBehind: Promise<unknown> | undefined;
        await store.transaction(async () => {
          leftBehind = new Promise((resolve) => setTimeout(resolve, 10)).then(() => store.listRepositories({}));
        });
        assert.deepEqual(await leftBehind, []);
      });

      it('keeps concurrent transactions whole, committed or rolled back', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.transaction(async (tx) => {
              const id = (await tx.createRepository({ name: `repo-${String(i).padStart(2, '0')}`, createdAt: t0 })).id;
              const m = manifest(id, `{"n":${i}}`);
              await tx.putManifest(m);
              await tx.putTag(id, 'latest', m.digest, t0);
              if (i % 3 === 0) throw new Error('rolled back');
            }),
          ),
        );
        const committed = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [`repo-${String(i).padStart(2, '0')}`] : []));
        assert.equal(committed.length, 13);
        assert.deepEqual(await store.listRepositories({}), committed);
        for (const repoName of committed) {
          const repo = await store.getRepository(repoName);
          assert.ok(repo && (await store.getManifestByTag(repo.id, 'latest')));
        }
      });

      it('moves one tag concurrently as a chain: each move sees the one before', async () => {
        const id = await newRepository();
        const digests: string[] = [];
        for (let i = 0; i < 12; i++) digests.push((await pushed(id, `{"n":${i}}`)).digest);
        const previous = await Promise.all(
          digests.map((digest, i) =>
            i % 2 === 0
              ? store.putTag(id, 'latest', digest, t0)
              : store.transaction((tx) => tx.putTag(id, 'latest', digest, t0)),
          ),
        );
        // One move created the tag; every other one replaced a distinct digest; the last one stays.
        assert.equal(previous.filter((p) => p === undefined).length, 1);
        const replaced = previous.filter((p): p is string => p !== undefined);
        assert.equal(new Set(replaced).size, digests.length - 1);
        const current = await store.getTag(id, 'latest');
        assert.ok(current && !replaced.includes(current));
      });

      it('serialises read-modify-write transactions', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'counter', repositoryId: id, startedAt: t0 });
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            // Compare-and-set, retried on conflict: every increment must land exactly once.
            for (;;) {
              const done = await store.transaction(async (tx) => {
                const offset = (await tx.getUpload('counter'))?.offset ?? -1;
                return tx.advanceUpload('counter', offset, offset + 1, t0);
              });
              if (done) return;
            }
          }),
        );
        assert.equal((await store.getUpload('counter'))?.offset, 20);
      });
    });

    describe('audit log', () => {
      const event = (at: Date, action: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({ at, action, detail: {}, ...extra });

      it('lists appended events oldest first, as appended', async () => {
        await store.appendAuditEvents([
          event(t0, 'lifecycle.expire', { repositoryName: 'a/b', imageDigest: digestOf('one'), detail: { rulePriority: 1, tags: ['v1'], nested: { n: null } } }),
          event(later(1), 'gc.blob', { imageDigest: digestOf('two') }),
        ]);
        await store.appendAuditEvents([event(later(2), 'registry.note')]);
        await store.appendAuditEvents([]);
        const events = await store.listAuditEvents({});
        assert.deepEqual(
          events.map(({ id: _, ...rest }) => rest),
          [
            { at: t0, action: 'lifecycle.expire', repositoryName: 'a/b', imageDigest: digestOf('one'), detail: { rulePriority: 1, tags: ['v1'], nested: { n: null } } },
            { at: later(1), action: 'gc.blob', imageDigest: digestOf('two'), detail: {} },
            { at: later(2), action: 'registry.note', detail: {} },
          ],
        );
        const ids = events.map((e) => e.id);
        assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
        assert.equal(new Set(ids).size, 3);
      });

      it('filters by repository and time, and pages after an id', async () => {
        await store.appendAuditEvents(
          Array.from({ length: 1100 }, (_, i) => event(later(i), 'lifecycle.expire', { repositoryName: i % 2 === 0 ? 'even' : 'odd', detail: { i } })),
        );
        const indexes = (events: { detail: Record<string, unknown> }[]) => events.map((e) => e.detail.i);
        assert.equal((await store.listAuditEvents({})).length, 1100);
        assert.deepEqual(indexes(await store.listAuditEvents({ repositoryName: 'odd', limit: 3 })), [1, 3, 5]);
        assert.deepEqual(indexes(await store.listAuditEvents({ since: later(1097) })), [1097, 1098, 1099]);
        assert.deepEqual(indexes(await store.listAuditEvents({ repositoryName: 'even', since: later(1095) })), [1096, 1098]);
        assert.deepEqual(await store.listAuditEvents({ repositoryName: 'none' }), []);
        assert.deepEqual(await store.listAuditEvents({ limit: 0 }), []);

        const first = await store.listAuditEvents({ repositoryName: 'even', limit: 2 });
        const next = await store.listAuditEvents({ repositoryName: 'even', after: first.at(-1)!.id, limit: 2 });
        assert.deepEqual(indexes([...first, ...next]), [0, 2, 4, 6]);
      });

      it('appends in the transaction of the caller', async () => {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.appendAuditEvents([event(t0, 'lifecycle.expire')]);
            assert.equal((await tx.listAuditEvents({})).length, 1);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.deepEqual(await store.listAuditEvents({}), []);
      });
    });

    describe('storage usage', () => {
      const blob = async (content: string, size: number): Promise<string> => {
        const digest = digestOf(content);
        await store.putBlob({ digest, size }, t0);
        return digest;
      };

      it('counts nothing in an empty registry or an empty repository', async () => {
        assert.deepEqual(await store.repositoryStorage(), []);
        assert.equal(await store.registryStorageBytes(), 0);
        await newRepository('empty');
        await blob('unlinked', 1000);
        assert.deepEqual(await store.repositoryStorage(), [{ name: 'empty', bytes: 0, imageCount: 0 }]);
        assert.equal(await store.registryStorageBytes(), 0, 'a blob no repository links is garbage, not storage');
      });

      it('sums distinct linked blobs and manifests per repository, and each blob once in all', async () => {
        const app = await newRepository('app');
        const tools = await newRepository('tools');
        await newRepository('b-empty');
        const base = await blob('base layer', 3_000_000_000);
        const appLayer = await blob('app layer', 2_000);
        const toolsLayer = await blob('tools layer', 300);
        for (const digest of [base, appLayer]) await store.linkBlob(app, digest, t0);
        for (const digest of [base, toolsLayer]) await store.linkBlob(tools, digest, t0);
        const appImages = [await pushed(app, '{"v":1}', { blobDigests: [base, appLayer] }), await pushed(app, '{"v":2}', { blobDigests: [base] })];
        const toolsImage = await pushed(tools, '{"tools":1}', { blobDigests: [base, toolsLayer] });
        const sizeOf = (manifests: NewManifest[]) => manifests.reduce((sum, m) => sum + m.payload.length, 0);

        assert.deepEqual(await store.repositoryStorage(), [
          { name: 'app', bytes: 3_000_002_000 + sizeOf(appImages), imageCount: 2 },
          { name: 'b-empty', bytes: 0, imageCount: 0 },
          { name: 'tools', bytes: 3_000_000_300 + sizeOf([toolsImage]), imageCount: 1 },
        ]);
        assert.equal(await store.registryStorageBytes(), 3_000_002_300 + sizeOf([...appImages, toolsImage]));
      });
    });

    describe('storage samples', () => {
      const points = (samples: { at: Date; bytes: number; imageCount: number }[]) => samples.map((p) => [p.at.getTime() - t0.getTime(), p.bytes, p.imageCount]);

      it("lists one series oldest first: a repository's, or the total's under no name", async () => {
        await store.appendStorageSamples(later(2000), [
          { repositoryName: 'app', bytes: 3_000_000_000_000, imageCount: 40 },
          { repositoryName: 'tools', bytes: 5, imageCount: 1 },
          { bytes: 3_000_000_000_005, imageCount: 41 },
        ]);
        await store.appendStorageSamples(t0, [
          { repositoryName: 'app', bytes: 1000, imageCount: 2 },
          { bytes: 1000, imageCount: 2 },
        ]);
        await store.appendStorageSamples(later(3000), []);
        assert.deepEqual(points(await store.listStorageSamples({})), [
          [0, 1000, 2],
          [2000, 3_000_000_000_005, 41],
        ]);
        assert.deepEqual(points(await store.listStorageSamples({ repositoryName: 'app' })), [
          [0, 1000, 2],
          [2000, 3_000_000_000_000, 40],
        ]);
        assert.deepEqual(points(await store.listStorageSamples({ repositoryName: 'tools' })), [[2000, 5, 1]]);
        assert.deepEqual(await store.listStorageSamples({ repositoryName: 'none' }), []);
        const [first] = await store.listStorageSamples({ limit: 1 });
        assert.deepEqual(first, { at: t0, bytes: 1000, imageCount: 2 });
      });

      it('filters from since (included) to until (excluded), and limits', async () => {
        for (let i = 0; i < 5; i++) await store.appendStorageSamples(later(i * 1000), [{ bytes: i, imageCount: i }]);
        const bytes = async (query: Parameters<MetadataStore['listStorageSamples']>[0]) => (await store.listStorageSamples(query)).map((p) => p.bytes);
        assert.deepEqual(await bytes({ since: later(1000) }), [1, 2, 3, 4]);
        assert.deepEqual(await bytes({ until: later(3000) }), [0, 1, 2]);
        assert.deepEqual(await bytes({ since: later(1001), until: later(4000) }), [2, 3]);
        assert.deepEqual(await bytes({ since: later(1000), limit: 2 }), [1, 2]);
        assert.deepEqual(await bytes({ limit: 0 }), []);
      });

      it('keeps the first sample of a series at a millisecond and ignores the others, as two nodes sampling at once would write', async () => {
        await store.appendStorageSamples(t0, [{ repositoryName: 'app', bytes: 1, imageCount: 1 }]);
        await store.appendStorageSamples(t0, [
          { repositoryName: 'app', bytes: 2, imageCount: 2 },
          { bytes: 2, imageCount: 2 },
        ]);
        assert.deepEqual(points(await store.listStorageSamples({ repositoryName: 'app' })), [[0, 1, 1]]);
        assert.deepEqual(points(await store.listStorageSamples({})), [[0, 2, 2]]);
      });

      it('appends more samples than one statement takes, and prunes those before a time in every series', async () => {
        const repositories = Array.from({ length: 1201 }, (_, i) => ({ repositoryName: `r${i}`, bytes: i, imageCount: 1 }));
        await store.appendStorageSamples(t0, [...repositories, { bytes: 1201, imageCount: 1201 }]);
        await store.appendStorageSamples(later(1000), [{ repositoryName: 'r1200', bytes: 7, imageCount: 1 }, { bytes: 7, imageCount: 1 }]);
        assert.deepEqual(points(await store.listStorageSamples({ repositoryName: 'r1200' })), [
          [0, 1200, 1],
          [1000, 7, 1],
        ]);
        assert.equal(await store.pruneStorageSamples(t0), 0, 'a sample at the time given is kept');
        assert.equal(await store.pruneStorageSamples(later(1000)), 1202);
        assert.deepEqual(points(await store.listStorageSamples({ repositoryName: 'r1200' })), [[1000, 7, 1]]);
        assert.deepEqual(points(await store.listStorageSamples({})), [[1000, 7, 1]]);
        assert.deepEqual(await store.listStorageSamples({ repositoryName: 'r0' }), []);
      });
    });
  });
}
