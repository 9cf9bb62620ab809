/**
 * OCI 1.1 artifacts with a `subject`, pushed with raw HTTP (there is no `oras` package in Debian),
 * listed through GET /v2/<name>/referrers/<digest>, with and without ?artifactType=.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { describeResponse, sha256 } from '../support/tools.js';
import { skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { MT, jsonBlob, makeImage, type Blob, type Descriptor, type Image, type OciClient } from './oci.js';

const SBOM = 'application/vnd.example.sbom.v1+json';
const SIGNATURE_CONFIG = 'application/vnd.example.signature.config.v1+json';
const EMPTY = Buffer.from('{}');

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

describe('referrers API', { skip: skipReason() }, () => {
  let registry: RegistryUnderTest;
  let client: OciClient;
  let subject: Image;
  const repo = 'e2e/referrers';
  const id = randomBytes(4).toString('hex');
  let sbom: Blob;
  let signature: Blob;

  before(async () => {
    registry = await startRegistry();
    client = await registry.client();
    await registry.createRepository(repo);
    subject = makeImage({ architecture: 'amd64', files: [{ name: 'app', content: `subject ${id}\n` }] });
    await client.pushImage(repo, 'v1', subject);
  });

  after(async () => {
    await registry?.cleanup();
  });

  it('accepts an artifact manifest with artifactType and subject (OCI-Subject header)', async (t) => {
    const emptyDigest = await client.pushBlob(repo, EMPTY);
    const layer = Buffer.from(JSON.stringify({ sbom: 'berth e2e', id }));
    await client.pushBlob(repo, layer);
    sbom = jsonBlob(
      {
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        artifactType: SBOM,
        config: { mediaType: MT.ociEmpty, digest: emptyDigest, size: 2, data: 'e30=' },
        layers: [{ mediaType: 'application/json', digest: sha256(layer), size: layer.length }],
        subject: { mediaType: subject.manifest.descriptor.mediaType, digest: subject.manifest.descriptor.digest, size: subject.manifest.descriptor.size },
        annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', 'berth.e2e/kind': 'sbom' },
      },
      MT.ociManifest,
    );
    const put = await client.pushManifest(repo, sbom.descriptor.digest, sbom);
    assert.equal(put.header('docker-content-digest'), sbom.descriptor.digest);
    if (registry.caps.referrers) {
      assert.equal(put.header('oci-subject'), subject.manifest.descriptor.digest, `OCI-Subject header missing or wrong:\n${describeResponse('PUT', 'manifest', put)}`);
    }

    // A second referrer with no artifactType: its config media type stands for it.
    const sigConfig = Buffer.from(JSON.stringify({ signer: 'berth e2e', id }));
    await client.pushBlob(repo, sigConfig);
    const sigLayer = randomBytes(64);
    await client.pushBlob(repo, sigLayer);
    signature = jsonBlob(
      {
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: SIGNATURE_CONFIG, digest: sha256(sigConfig), size: sigConfig.length },
        layers: [{ mediaType: 'application/octet-stream', digest: sha256(sigLayer), size: sigLayer.length }],
        subject: { mediaType: subject.manifest.descriptor.mediaType, digest: subject.manifest.descriptor.digest, size: subject.manifest.descriptor.size },
      },
      MT.ociManifest,
    );
    await client.pushManifest(repo, `sig-${id}`, signature);
    t.diagnostic(`subject ${subject.manifest.descriptor.digest}; referrers ${sbom.descriptor.digest}, ${signature.descriptor.digest}`);
  });

  it('lists referrers of the subject, and filters by artifactType', async (t) => {
    if (!registry.caps.referrers) return t.skip(`${registry.kind} has no referrers API`);
    assert.ok(sbom && signature, 'needs the artifacts pushed by the previous test');
    const path = `/v2/${repo}/referrers/${subject.manifest.descriptor.digest}`;
    const all = await client.expect('GET', path, [200]);
    assert.match(all.header('content-type') ?? '', /^application\/vnd\.oci\.image\.index\.v1\+json/, describeResponse('GET', path, all));
    const index = all.json<ReferrersIndex>();
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MT.ociIndex);
    const byDigest = new Map(index.manifests.map((d) => [d.digest, d]));
    assert.equal(index.manifests.length, 2, describeResponse('GET', path, all));

    const sbomEntry = byDigest.get(sbom.descriptor.digest);
    assert.ok(sbomEntry, `sbom missing from referrers: ${all.text()}`);
    assert.equal(sbomEntry.mediaType, MT.ociManifest);
    assert.equal(sbomEntry.size, sbom.descriptor.size);
    assert.equal(sbomEntry.artifactType, SBOM);
    assert.deepEqual(sbomEntry.annotations, { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', 'berth.e2e/kind': 'sbom' });

    const sigEntry = byDigest.get(signature.descriptor.digest);
    assert.ok(sigEntry, `signature missing from referrers: ${all.text()}`);
    assert.equal(sigEntry.artifactType, SIGNATURE_CONFIG, 'with no artifactType, the config media type is the artifact type');
    assert.equal(sigEntry.size, signature.descriptor.size);

    const filteredPath = `${path}?artifactType=${encodeURIComponent(SBOM)}`;
    const filtered = await client.expect('GET', filteredPath, [200]);
    assert.equal(filtered.header('oci-filters-applied'), 'artifactType', describeResponse('GET', filteredPath, filtered));
    assert.deepEqual(
      filtered.json<ReferrersIndex>().manifests.map((d) => d.digest),
      [sbom.descriptor.digest],
    );

    const none = await client.expect('GET', `${path}?artifactType=${encodeURIComponent('application/vnd.example.none')}`, [200]);
    assert.deepEqual(none.json<ReferrersIndex>().manifests, []);
  });

  it('answers 200 with an empty index for a digest nobody refers to, and 400 for a malformed digest', async (t) => {
    if (!registry.caps.referrers) return t.skip(`${registry.kind} has no referrers API`);
    const unknown = `sha256:${'0'.repeat(64)}`;
    const empty = await client.expect('GET', `/v2/${repo}/referrers/${unknown}`, [200]);
    assert.deepEqual(empty.json<ReferrersIndex>().manifests, []);
    await client.expect('GET', `/v2/${repo}/referrers/sha256:nothex`, [400]);
  });

  it('drops a deleted referrer from the list', async (t) => {
    if (!registry.caps.referrers) return t.skip(`${registry.kind} has no referrers API`);
    assert.ok(signature, 'needs the artifacts pushed by the first test');
    const del = await client.request('DELETE', `/v2/${repo}/manifests/${signature.descriptor.digest}`);
    if (del.status === 405) return t.skip('manifest deletion is not enabled (405); the spec allows that');
    assert.equal(del.status, 202, describeResponse('DELETE', 'manifest', del));
    const after = await client.expect('GET', `/v2/${repo}/referrers/${subject.manifest.descriptor.digest}`, [200]);
    assert.deepEqual(after.json<ReferrersIndex>().manifests.map((d) => d.digest), [sbom.descriptor.digest]);
  });
});
