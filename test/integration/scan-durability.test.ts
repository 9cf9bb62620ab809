/**
 * A requested scan is a row in the metadata store, recorded with the pushed image: it survives a
 * restart of a server that had not run it, and a scan whose worker died (its lease ran out) is
 * claimed again; one that keeps dying is given up as FAILED.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SCAN_DESCRIPTIONS, ScanRunner } from '../../src/domain/scanning/scan-runner.js';
import { importOsv } from '../../src/domain/scanning/vulndb/import.js';
import { DEBIAN_OSV_FIXTURES, dpkgMissing, hostDebianLayer, pushLayerImage } from '../support/host-debian-image.js';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  // No scanning in the background: the test decides when scans run.
  server = await startTestServer({ scanInterval: 0 });
  await importOsv({ location: DEBIAN_OSV_FIXTURES }, server.services.metadata);
});
after(() => server?.close());

it('keeps a scan requested on push across a restart, and runs it afterwards', { skip: dpkgMissing }, async () => {
  await server.services.registry.repositories.create('durable/app', { imageScanningConfiguration: { scanOnPush: true } });
  const oci = new OciClient(server.url, server.registryAuthorization);
  const digest = await pushLayerImage(oci, 'durable/app', 'v1', await hostDebianLayer());
  const repository = await server.services.metadata.getRepository('durable/app');
  assert.equal((await server.services.metadata.getImageScan(repository!.id, digest, 'BASIC'))?.status, 'IN_PROGRESS');

  server = await server.restart();
  assert.equal((await server.services.metadata.getImageScan(repository!.id, digest, 'BASIC'))?.status, 'IN_PROGRESS');
  assert.equal(await server.services.scanRunner.drain(), 1);
  const scan = await server.services.metadata.getImageScan(repository!.id, digest, 'BASIC');
  assert.equal(scan?.status, 'COMPLETE');
  assert.ok((await server.services.metadata.getScanFindings(repository!.id, digest, 'BASIC')).length > 0);
});

it('claims a scan again when its worker died, and gives it up after three claims', { skip: dpkgMissing }, async () => {
  await server.services.registry.repositories.create('durable/crashy', { imageScanningConfiguration: { scanOnPush: true } });
  const oci = new OciClient(server.url, server.registryAuthorization);
  const digest = await pushLayerImage(oci, 'durable/crashy', 'v1', await hostDebianLayer());
  const repository = (await server.services.metadata.getRepository('durable/crashy'))!;
  const { metadata } = server.services;
  // Three workers claim it and die: each lease runs out unanswered.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const claim = await metadata.claimScan(new Date(Date.now() + attempt * 3_600_000), new Date(Date.now() + attempt * 3_600_000 + 1000));
    assert.equal(claim?.manifestDigest, digest);
    assert.equal(claim?.attempts, attempt);
  }
  // The fourth claim, by the runner, once the third lease ran out: given up without reading the image again.
  const later = new ScanRunner(metadata, { now: () => new Date(Date.now() + 4 * 3_600_000) }, async () => assert.fail('a given-up scan is not read again'));
  assert.equal(await later.runNext(), true);
  const scan = await metadata.getImageScan(repository.id, digest, 'BASIC');
  assert.equal(scan?.status, 'FAILED');
  assert.equal(scan?.description, SCAN_DESCRIPTIONS.crashed(3));
});
