import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OCI_INDEX, ociErrorCode, sha256 } from '../support/oci-client.js';
import { describeOnEveryStore } from '../support/server.js';

await describeOnEveryStore('OCI content discovery', { createOnPush: true }, (registry) => {
  it('lists tags in lexical order, paginated with n/last and a Link header', async () => {
    const image = await registry.oci.pushImage('disc/tags', 'seed');
    const tags = ['b', 'a', 'C', '1.0', 'z', 'a-2', 'seed'];
    for (const tag of tags) await registry.oci.pushManifest('disc/tags', tag, image.bytes.toString());
    const sorted = [...tags].sort();
    const full = await registry.oci.request('GET', '/v2/disc/tags/tags/list');
    assert.deepEqual(await full.json(), { name: 'disc/tags', tags: sorted });
    assert.equal(full.headers.get('link'), null);

    const seen: string[] = [];
    let next: string | null = '/v2/disc/tags/tags/list?n=3';
    while (next) {
      const res: Response = await registry.oci.request('GET', next);
      const body = (await res.json()) as { tags: string[] };
      assert.ok(body.tags.length <= 3);
      seen.push(...body.tags);
      next = res.headers.get('link')?.match(/^<([^>]+)>; rel="next"$/)?.[1] ?? null;
    }
    assert.deepEqual(seen, sorted);
    const afterLast = await registry.oci.request('GET', '/v2/disc/tags/tags/list?n=2&last=b');
    assert.deepEqual(((await afterLast.json()) as { tags: string[] }).tags, ['seed', 'z']);
    const bad = await registry.oci.request('GET', '/v2/disc/tags/tags/list?n=-1');
    assert.equal(bad.status, 400);
  });

  it('lists repositories in the catalog, paginated', async () => {
    for (const name of ['cat/b', 'cat/a', 'cat/c']) await registry.oci.pushBlob(name, 'x');
    const res = await registry.oci.request('GET', '/v2/_catalog');
    const names = ((await res.json()) as { repositories: string[] }).repositories;
    assert.deepEqual(names.filter((n) => n.startsWith('cat/')), ['cat/a', 'cat/b', 'cat/c']);
    const page = await registry.oci.request('GET', '/v2/_catalog?n=1&last=cat/a');
    assert.deepEqual(await page.json(), { repositories: ['cat/b'] });
    assert.equal(page.headers.get('link'), '</v2/_catalog?n=1&last=cat%2Fb>; rel="next"');
  });

  it('lists referrers of a subject, filters by artifactType, and answers OCI-Subject on push', async () => {
    const subject = await registry.oci.pushImage('disc/refs', 'app');
    const signature = await registry.oci.pushImage('disc/refs', 'sig', { subject: subject.descriptor, artifactType: 'application/vnd.example.signature' });
    assert.equal(signature.response.headers.get('oci-subject'), subject.digest);
    const sbom = await registry.oci.pushImage('disc/refs', 'sbom', { subject: subject.descriptor, artifactType: 'application/spdx+json' });

    const all = await registry.oci.request('GET', `/v2/disc/refs/referrers/${subject.digest}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), OCI_INDEX);
    assert.equal(all.headers.get('oci-filters-applied'), null);
    const index = (await all.json()) as { schemaVersion: number; mediaType: string; manifests: Array<{ digest: string; artifactType: string; size: number }> };
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [signature.digest, sbom.digest].sort());
    assert.equal(index.manifests.find((m) => m.digest === sbom.digest)?.artifactType, 'application/spdx+json');
    assert.equal(index.manifests.find((m) => m.digest === sbom.digest)?.size, sbom.bytes.length);

    const filtered = await registry.oci.request('GET', `/v2/disc/refs/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: Array<{ digest: string }> }).manifests.map((m) => m.digest), [sbom.digest]);

    const none = await registry.oci.request('GET', `/v2/disc/refs/referrers/${sha256('nothing refers to this')}`);
    assert.equal(none.status, 200);
    assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
    assert.equal((await registry.oci.request('GET', '/v2/disc/refs/referrers/sha256:nothex')).status, 400);
  });

  it('accepts a referrer before its subject exists', async () => {
    const absent = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('future subject'), size: 123 };
    const early = await registry.oci.pushImage('disc/early', 'sig', { subject: absent, artifactType: 'application/vnd.example' });
    const res = await registry.oci.request('GET', `/v2/disc/early/referrers/${absent.digest}`);
    assert.deepEqual(((await res.json()) as { manifests: Array<{ digest: string }> }).manifests.map((m) => m.digest), [early.digest]);
  });

  it('answers NAME_UNKNOWN for listings of a missing repository', async () => {
    for (const path of ['/v2/disc/none/tags/list', `/v2/disc/none/referrers/${sha256('x')}`]) {
      const res = await registry.oci.request('GET', path);
      assert.equal(res.status, 404);
      assert.equal(await ociErrorCode(res), 'NAME_UNKNOWN');
    }
  });
});
