/**
 * readInventory over hostile layers: each fails with a ScanInputError that says why (or, for a
 * malformed language-package file, skips it with a warning), reads no more than it must, and leaves
 * nothing in its scratch area (scanLayers checks that after every scan).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ScanInputError, type ScanInputProblem } from '../../src/domain/scanning/inventory/scan-input-error.js';
import { fixtures, gzip, gzipBomb, gzipLayers, imageLayer, rawTarHeader, scanLayers, tarLayer, zipArchive, zstd, zstdAvailable, zstdBomb } from '../support/layer-builder.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const hostStatus = readFileSync('/var/lib/dpkg/status', 'utf8');

function rejectsWith(problem: ScanInputProblem, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScanInputError, `expected a ScanInputError, got ${String(error)}`);
    assert.equal(error.problem, problem, error.message);
    assert.match(error.message, message);
    return true;
  };
}

describe('image inventory from hostile layers', () => {
  it('refuses an entry that climbs out of the image root', async () => {
    const layers = await gzipLayers([{ name: 'etc/hostname', content: 'box\n' }, { name: '../../etc/passwd', content: 'root::0:0::/:/bin/sh\n' }]);
    await assert.rejects(scanLayers(layers), rejectsWith('malformed', /sha256:[0-9a-f]{64} has the entry "\.\.\/\.\.\/etc\/passwd", which leaves the image root/));
    await assert.rejects(scanLayers(await gzipLayers([{ name: 'usr/../../../root/.ssh/authorized_keys', content: 'x' }])), rejectsWith('malformed', /leaves the image root/));
  });

  it('stops a gzip bomb (1 GiB of zeros in a tar entry) at the layer limit, long before the end of the blob', async () => {
    const bomb = imageLayer(await gzipBomb(1 * GiB));
    assert.ok(bomb.size < 8 * MiB, `the bomb is ${bomb.size} bytes compressed`);
    await assert.rejects(scanLayers([bomb], { limits: { maxLayerBytes: 64 * MiB } }), rejectsWith('limit', /expands to more than 64 MiB \(limit maxLayerBytes\)/));
    assert.ok(bomb.bytesRead < bomb.size / 2, `read ${bomb.bytesRead} of ${bomb.size} bytes`);
    const again = imageLayer(await gzipBomb(256 * MiB));
    await assert.rejects(scanLayers([again, again], { limits: { maxImageBytes: 400 * MiB } }), rejectsWith('limit', /the image expands to more than 400 MiB \(limit maxImageBytes\)/));
  });

  it('refuses a truncated gzip stream and garbage bytes', async () => {
    const layer = gzip(await tarLayer([{ name: 'var/lib/dpkg/status', content: hostStatus }]));
    await assert.rejects(scanLayers([imageLayer(layer.subarray(0, layer.length - 100))]), rejectsWith('malformed', /is not a valid gzip stream \(unexpected end of file\)/));
    await assert.rejects(scanLayers([imageLayer(randomBytes(100_000))]), rejectsWith('malformed', /is not a valid tar archive/));
    await assert.rejects(scanLayers([imageLayer(Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(5000)]))]), rejectsWith('malformed', /is not a valid gzip stream/));
  });

  it('refuses truncated or oversized-window zstd, and compressions it does not read', async (t) => {
    const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]);
    await assert.rejects(scanLayers([imageLayer(xz)]), rejectsWith('unsupported', /is xz-compressed; Berth reads gzip, zstd and uncompressed layers/));
    // A frame header asking for a 2 GiB window (Window_Descriptor exponent 21): refused before anything is allocated.
    const hugeWindow = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00]);
    await assert.rejects(scanLayers([imageLayer(hugeWindow)]), rejectsWith('limit', /is zstd-compressed with a 2 GiB window \(at most 128 MiB is accepted\)/));
    if (!zstdAvailable) return t.skip('the zstd CLI is not installed');
    const layer = zstd(await tarLayer([{ name: 'var/lib/dpkg/status', content: hostStatus }]));
    await assert.rejects(scanLayers([imageLayer(layer.subarray(0, layer.length - 50))]), rejectsWith('malformed', /is not a valid zstd stream/));
    // 1 GiB of zeros is a few dozen KiB of zstd, one chunk of the blob: it is decoded a megabyte at a time, so the limit stops it.
    const bomb = imageLayer(await zstdBomb(1 * GiB));
    assert.ok(bomb.size < 1 * MiB, `the bomb is ${bomb.size} bytes compressed`);
    await assert.rejects(scanLayers([bomb], { limits: { maxLayerBytes: 64 * MiB } }), rejectsWith('limit', /expands to more than 64 MiB \(limit maxLayerBytes\)/));
  });

  it('refuses a tar entry whose declared size runs past the end of the layer, and reads no file that matters past its limit', async () => {
    const truncated = Buffer.concat([rawTarHeader('opt/huge.bin', 100 * GiB), Buffer.alloc(4096)]);
    await assert.rejects(scanLayers([imageLayer(gzip(truncated))]), rejectsWith('malformed', /is not a valid tar archive \(Unexpected end of data\)/));
    const hugeStatus = Buffer.concat([rawTarHeader('var/lib/dpkg/status', 8 * GiB), Buffer.alloc(4096)]);
    await assert.rejects(scanLayers([imageLayer(gzip(hugeStatus))]), rejectsWith('limit', /var\/lib\/dpkg\/status is 8 GiB \(limit maxFileBytes 64 MiB\)/));
  });

  it('refuses paths 10,000 directories deep, and paths deeper than the depth limit', async () => {
    const tenThousand = `${'d/'.repeat(10_000)}file`;
    await assert.rejects(scanLayers(await gzipLayers([{ name: tenThousand, content: 'x' }])), rejectsWith('limit', /an entry path of 20004 characters \(limit maxPathLength 4096\)/));
    const thousand = `${'d/'.repeat(1000)}file`;
    await assert.rejects(scanLayers(await gzipLayers([{ name: thousand, content: 'x' }])), rejectsWith('limit', /an entry path 1001 directories deep \(limit maxPathDepth 256\)/));
  });

  it('refuses a malformed dpkg status database, and an RPM database that is not one', async () => {
    const broken = hostStatus.replace(/\nVersion: /, '\nthis line is not a field\nVersion: ');
    await assert.rejects(scanLayers(await gzipLayers([{ name: 'var/lib/dpkg/status', content: broken }])), rejectsWith('malformed', /^var\/lib\/dpkg\/status is malformed: line \d+ is not a "Field: value" line$/));
    const noVersion = 'Package: adduser\nStatus: install ok installed\nArchitecture: all\n';
    await assert.rejects(scanLayers(await gzipLayers([{ name: 'var/lib/dpkg/status', content: noVersion }])), rejectsWith('malformed', /an installed entry has no Version field/));
    await assert.rejects(
      scanLayers(await gzipLayers([{ name: 'var/lib/rpm/rpmdb.sqlite', content: randomBytes(8192) }])),
      rejectsWith('malformed', /^the RPM database var\/lib\/rpm\/rpmdb\.sqlite cannot be read: file is not a database$/),
    );
    await assert.rejects(scanLayers(await gzipLayers([{ name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r1\nnot an apk line\n' }])), rejectsWith('malformed', /lib\/apk\/db\/installed is malformed: line 3/));
  });

  it('gives up on os-release links that loop, and never follows them out of the image', async () => {
    const loop = await scanLayers(
      await gzipLayers([
        { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
        { name: 'usr/lib/os-release', type: 'symlink', linkname: '../../etc/os-release' },
      ]),
    );
    assert.equal(loop.os, undefined);
    const outside = await scanLayers(
      await gzipLayers([
        { name: 'etc/os-release', type: 'symlink', linkname: '../../../../../usr/lib/os-release' },
        { name: 'usr/lib/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\n' },
      ]),
    );
    assert.deepEqual(outside.os, { id: 'alpine', versionId: '3.18.4' });
  });

  it('reports RPM Berkeley DB databases as unsupported', async () => {
    const layers = await gzipLayers([{ name: 'var/lib/rpm/Packages', content: randomBytes(4096) }]);
    await assert.rejects(scanLayers(layers), rejectsWith('unsupported', /var\/lib\/rpm\/Packages, a Berkeley DB or NDB database/));
  });

  it('skips, with a warning, a malformed package.json, METADATA without a version and a jar that is not a zip', async () => {
    const inventory = await scanLayers(
      await gzipLayers([
        { name: 'app/node_modules/left-pad/package.json', content: '{"name": "left-pad", "version": ' },
        { name: 'usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: x\n' },
        { name: 'opt/app.jar', content: 'not a zip' },
        { name: 'app/node_modules/semver/package.json', content: '{"name": "semver", "version": "7.5.4"}' },
      ]),
    );
    assert.deepEqual(inventory.packages.map((p) => `${p.name}@${p.version}`), ['semver@7.5.4']);
    assert.equal(inventory.warnings?.length, 3);
    assert.match(inventory.warnings![0]!, /^app\/node_modules\/left-pad\/package\.json skipped: /);
    assert.equal(inventory.warnings![1], 'usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA skipped: the metadata has no Version header');
    assert.match(inventory.warnings![2]!, /^opt\/app\.jar is not a readable archive/);
  });

  it('stops zip bombs in jars: a nested archive declaring 1 GiB, and an entry lying about its size', async () => {
    const declared = await zipArchive([{ name: 'BOOT-INF/lib/bomb.jar', zeros: 1 * GiB }]);
    assert.ok(declared.length < 8 * MiB);
    await assert.rejects(
      scanLayers(await gzipLayers([{ name: 'srv/app.jar', content: declared }])),
      rejectsWith('limit', /srv\/app\.jar!\/BOOT-INF\/lib\/bomb\.jar declares 1 GiB for BOOT-INF\/lib\/bomb\.jar \(limit maxFileBytes 64 MiB\)/),
    );
    const lying = await zipArchive([
      { name: 'META-INF/maven/org.example/bomb/pom.properties', zeros: 256 * MiB, declaredSize: 100 },
      { name: 'BOOT-INF/lib/slf4j-nop-1.7.36.jar', data: readFileSync(join(fixtures, 'slf4j-nop-1.7.36.jar')) },
    ]);
    const inventory = await scanLayers(await gzipLayers([{ name: 'srv/app.jar', content: lying }]));
    assert.deepEqual(inventory.packages, []);
    assert.match(inventory.warnings![0]!, /^srv\/app\.jar is not a readable archive \(too many bytes in the stream/);
    await assert.rejects(
      scanLayers(await gzipLayers([{ name: 'srv/app.jar', content: await zipArchive([{ name: 'WEB-INF/lib/a.jar', zeros: 48 * MiB }]) }]), { limits: { maxArchiveExpandedBytes: 32 * MiB } }),
      rejectsWith('limit', /srv\/app\.jar expands to more than 32 MiB \(limit maxArchiveExpandedBytes\)/),
    );
  });

  it('skips archives nested deeper than the depth limit, with a warning', async () => {
    let archive: Buffer = readFileSync(join(fixtures, 'slf4j-nop-1.7.36.jar'));
    for (let depth = 0; depth < 4; depth++) archive = await zipArchive([{ name: `lib/level${depth}.jar`, data: archive }]);
    const inventory = await scanLayers(await gzipLayers([{ name: 'srv/app.jar', content: archive }]), { limits: { maxArchiveDepth: 2 } });
    assert.deepEqual(inventory.packages, []);
    assert.deepEqual(inventory.warnings, ['srv/app.jar!/lib/level3.jar!/lib/level2.jar!/lib/level1.jar is nested 3 archives deep (limit maxArchiveDepth 2); skipped']);
    const deepEnough = await scanLayers(await gzipLayers([{ name: 'srv/app.jar', content: archive }]), { limits: { maxArchiveDepth: 4 } });
    assert.deepEqual(
      deepEnough.packages.map((p) => `${p.name} ${p.path}`),
      ['org.slf4j:slf4j-nop srv/app.jar!/lib/level3.jar!/lib/level2.jar!/lib/level1.jar!/lib/level0.jar'],
    );
  });

  it('refuses more entries or packages than the limits allow', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ name: `etc/file${i}`, content: 'x' }));
    await assert.rejects(scanLayers(await gzipLayers(entries), { limits: { maxEntries: 10 } }), rejectsWith('limit', /more than 10 entries in its layers \(limit maxEntries\)/));
    await assert.rejects(
      scanLayers(await gzipLayers([{ name: 'var/lib/dpkg/status', content: hostStatus }]), { limits: { maxPackages: 50 } }),
      rejectsWith('limit', /more than 50 packages \(limit maxPackages\)/),
    );
    await assert.rejects(scanLayers([], { limits: { maxEntries: 0 } }), /maxEntries must be a positive whole number/);
  });

  it('stops when its abort signal fires, and cleans up', async () => {
    const controller = new AbortController();
    const bomb = imageLayer(await gzipBomb(1 * GiB));
    const scan = scanLayers([bomb], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(scan, { name: 'AbortError' });
    assert.ok(bomb.bytesRead < bomb.size, `read ${bomb.bytesRead} of ${bomb.size} bytes`);
  });
});
