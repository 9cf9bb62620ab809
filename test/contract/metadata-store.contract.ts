/**
 * The behaviour every MetadataStore must have, run against each implementation
 * (metadata-sqlite.test.ts, metadata-postgres.test.ts). Each test gets a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
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
        await store.putBlob(blob);
        for (const repo of [id, neighbour]) {
          await store.linkBlob(repo, blob.digest);
          const image = await pushed(repo, '{"image":1}', { blobDigests: [blob.digest] });
          await pushed(repo, '{"signature":1}', { subjectDigest: image.digest });
          await store.putTag(repo, 'v1', image.digest, t0);
          await store.createUpload({ id: `upload-${repo}`, repositoryId: repo, startedAt: t0 });
        }
        const image = manifest(id, '{"image":1}');

        await store.deleteRepository(id);

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
        await store.putBlob(blob);
        await store.putBlob(blob);
        assert.deepEqual(await store.getBlob(blob.digest), blob);
        assert.equal(await store.getBlob(digestOf('absent')), undefined);
      });

      it('links, finds and unlinks blobs per repository', async () => {
        const id = await newRepository('a');
        const other = await newRepository('b');
        const blob = { digest: digestOf('layer'), size: 42 };
        await store.putBlob(blob);
        await store.linkBlob(id, blob.digest);
        await store.linkBlob(id, blob.digest);

        assert.deepEqual(await store.getLinkedBlob(id, blob.digest), blob);
        assert.equal(await store.getLinkedBlob(other, blob.digest), undefined);
        assert.deepEqual(await store.findLinkedBlobs(id, [blob.digest, digestOf('nope'), blob.digest]), new Set([blob.digest]));
        assert.deepEqual(await store.findLinkedBlobs(other, [blob.digest]), new Set());
        assert.deepEqual(await store.findLinkedBlobs(id, []), new Set());

        assert.equal(await store.unlinkBlob(id, blob.digest), true);
        assert.equal(await store.unlinkBlob(id, blob.digest), false);
        assert.equal(await store.getLinkedBlob(id, blob.digest), undefined);
        assert.deepEqual(await store.getBlob(blob.digest), blob);
      });

      it('finds among many digests', async () => {
        const id = await newRepository();
        const digests = Array.from({ length: 1200 }, (_, i) => digestOf(`blob ${i}`));
        const linked = digests.filter((_, i) => i % 3 === 0);
        for (const digest of linked) {
          await store.putBlob({ digest, size: 1 });
          await store.linkBlob(id, digest);
        }
        assert.deepEqual(await store.findLinkedBlobs(id, digests), new Set(linked));
      });

      it('refuses to link a blob that has no record', async () => {
        const id = await newRepository();
        await assert.rejects(store.linkBlob(id, digestOf('never committed')));
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
        await store.putBlob(blob);
        await store.linkBlob(id, blob.digest);
        const doomed = await pushed(id, '{"doomed":1}', { blobDigests: [blob.digest, blob.digest] });
        const kept = await pushed(id, '{"kept":1}', { blobDigests: [blob.digest] });
        await store.putTag(id, 'a', doomed.digest, t0);
        await store.putTag(id, 'b', doomed.digest, t0);
        await store.putTag(id, 'c', kept.digest, t0);

        assert.equal(await store.deleteManifest(id, doomed.digest), true);
        assert.equal(await store.deleteManifest(id, doomed.digest), false);
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

      it('lets exactly one of concurrent advances from one offset win', async () => {
        const id = await newRepository();
        await store.createUpload({ id: 'u1', repositoryId: id, startedAt: t0 });
        const won = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => store.advanceUpload('u1', 0, n * 100, later(n))));
        assert.equal(won.filter(Boolean).length, 1);
        assert.equal((await store.getUpload('u1'))?.offset, (won.indexOf(true) + 1) * 100);
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
        await assert.rejects(store.transaction(() => store.putBlob({ digest: digestOf('x'), size: 1 })));
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
  });
}
