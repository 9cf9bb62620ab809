import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berthCommand } from '../support/berth-process.js';
import { osvArchive, osvRecordTexts, vulndbUnavailable } from '../support/osv-archive.js';
import { startTestServer } from '../support/server.js';
import { removeDir, run, tempDir, waitFor } from '../support/tools.js';

/** `berth vulndb status --json` as printed. */
interface PrintedStatus {
  updatedAt: string | null;
  sources: { name: string; location: string; recordCount: number; lastImportedAt: string; newestModified: string | null }[];
}

/** Records in the archives, as PROVENANCE.md counts them. */
const PYPI_RECORDS = 2661;
const NPM_RECORDS = 3792;

/** Real records laid out as a directory tree: a PyPI record, and glibc's CVE and DSA from Debian. */
async function writeExtractedRecords(dir: string): Promise<void> {
  const pypi = await osvRecordTexts('PyPI', ['PYSEC-2008-1', 'PYSEC-2018-49']);
  const debian = await osvRecordTexts('Debian', ['CVE-2023-4911', 'DSA-5514-1']);
  mkdirSync(path.join(dir, 'pypi'), { recursive: true });
  mkdirSync(path.join(dir, 'debian'), { recursive: true });
  writeFileSync(path.join(dir, 'pypi', 'PYSEC-2008-1.json'), pypi.get('PYSEC-2008-1')!);
  for (const [id, text] of debian) writeFileSync(path.join(dir, 'debian', `${id}.json`), text);
  // A record cut short, as an interrupted copy leaves it; and a file that is not a record at all.
  writeFileSync(path.join(dir, 'pypi', 'PYSEC-2018-49.json'), pypi.get('PYSEC-2018-49')!.slice(0, 200));
  writeFileSync(path.join(dir, 'README.md'), 'records extracted from the PyPI and Debian archives\n');
}

describe('berth vulndb', { skip: vulndbUnavailable() }, () => {
  let root: string;
  let dataDir: string;
  let extracted: string;
  /** The temporary directory of the CLI: downloads must not be left in it. */
  let tmp: string;

  before(async () => {
    root = tempDir('vulndb');
    dataDir = path.join(root, 'data');
    extracted = path.join(root, 'extracted');
    tmp = path.join(root, 'tmp');
    mkdirSync(tmp);
    await writeExtractedRecords(extracted);
  });
  after(() => removeDir(root));

  const vulndb = async (...args: string[]) => {
    const command = berthCommand()!;
    return run(command.cmd, [...command.args, 'vulndb', ...args, '--data-dir', dataDir], { env: { ...process.env, TMPDIR: tmp } });
  };
  const status = async (): Promise<PrintedStatus> => {
    const result = await vulndb('status', '--json');
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as PrintedStatus;
  };
  const sourceNamed = async (name: string) => (await status()).sources.find((source) => source.name === name);

  it('says there is nothing yet before the first import', async () => {
    const result = await vulndb('status');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no vulnerability data yet/);
    assert.deepEqual(await status(), { updatedAt: null, sources: [] });
  });

  it('imports the PyPI and npm archives, and status counts every record of each', async () => {
    const result = await vulndb('import', osvArchive('PyPI'), osvArchive('npm'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PyPI: 2661 records \(2661 imported, 0 unchanged, 0 removed, 0 invalid\) in \d+\.\d s from \/.+\/PyPI\/all\.zip$/m);
    assert.match(result.stdout, /^npm: 3792 records \(3792 imported, 0 unchanged, 0 removed, 0 invalid\) in \d+\.\d s from \/.+\/npm\/all\.zip$/m);
    // Not a terminal: no progress bar, only the summaries.
    assert.equal(result.stderr, '');

    const printed = await status();
    assert.deepEqual(
      printed.sources.map((s) => [s.name, s.location, s.recordCount]),
      [
        ['PyPI', osvArchive('PyPI'), PYPI_RECORDS],
        ['npm', osvArchive('npm'), NPM_RECORDS],
      ],
    );
    // The newest records of each archive (PROVENANCE.md: snapshots of 2024-10-10 and 2025-02-18).
    assert.equal(printed.sources[0]!.newestModified, '2024-10-10T17:22:00.587Z');
    assert.equal(printed.sources[1]!.newestModified, '2025-02-15T05:45:55.264Z');
    assert.equal(printed.updatedAt, printed.sources[1]!.lastImportedAt);

    const table = (await vulndb('status')).stdout.split('\n');
    assert.match(table[0]!, /^SOURCE\s+RECORDS\s+LAST IMPORT\s+NEWEST RECORD\s+LOCATION$/);
    assert.match(table[1]!, /^PyPI\s+2661\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+2024-10-10T17:22:00\.587Z\s+\/.+\/PyPI\/all\.zip$/);
  });

  it('imports an archive again writing nothing', async () => {
    const before = await sourceNamed('PyPI');
    const result = await vulndb('import', osvArchive('PyPI'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PyPI: 2661 records \(0 imported, 2661 unchanged, 0 removed, 0 invalid\)/m);
    const after = await sourceNamed('PyPI');
    assert.equal(after?.recordCount, PYPI_RECORDS);
    assert.ok(Date.parse(after!.lastImportedAt) > Date.parse(before!.lastImportedAt));
  });

  it('imports a directory of records, reporting the invalid ones without failing, and follows what the directory holds', async () => {
    const result = await vulndb('import', extracted);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^extracted: 3 records \(3 imported, 0 unchanged, 0 removed, 1 invalid\)/m);
    assert.match(result.stderr, /^ {2}invalid pypi\/PYSEC-2018-49\.json: not JSON/m);
    assert.equal((await sourceNamed('extracted'))?.recordCount, 3);

    // A record gone from the directory is gone from its source; the others stay as they were.
    rmSync(path.join(extracted, 'debian', 'DSA-5514-1.json'));
    const again = await vulndb('import', extracted, '--name', 'extracted');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^extracted: 2 records \(0 imported, 2 unchanged, 1 removed, 1 invalid\)/m);
    assert.equal((await sourceNamed('extracted'))?.recordCount, 2);
  });

  it('imports one JSON record under the name given', async () => {
    const result = await vulndb('import', path.join(extracted, 'debian', 'CVE-2023-4911.json'), '--name', 'glibc');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^glibc: 1 records \(1 imported, 0 unchanged, 0 removed, 0 invalid\)/m);
    assert.equal((await sourceNamed('glibc'))?.newestModified, '2025-01-27T23:52:29.288Z');
  });

  describe('from a URL', () => {
    let server: Server;
    let base: string;
    before(async () => {
      // Serves the archives as osv.dev lays them out: /<ecosystem>/all.zip.
      server = createServer((request, response) => {
        if (request.url === '/npm/all.zip') createReadStream(osvArchive('npm')).pipe(response);
        else response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise((resolve) => server.close(resolve)));

    it('downloads the archive, imports it under the ecosystem named in the URL, and removes the download', async () => {
      const result = await vulndb('import', `${base}/npm/all.zip`);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^npm: 3792 records \\(0 imported, 3792 unchanged, 0 removed, 0 invalid\\) in \\d+\\.\\d s from ${base}/npm/all\\.zip$`, 'm'));
      assert.equal((await sourceNamed('npm'))?.location, `${base}/npm/all.zip`);
      assert.deepEqual(readdirSync(tmp), []);
    });

    it('fails clearly, and goes on with the other locations, when one cannot be read', async () => {
      const result = await vulndb('import', `${base}/Debian/all.zip`, path.join(root, 'missing'), path.join(extracted, 'README.md'));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /cannot import http:\/\/127\.0\.0\.1:\d+\/Debian\/all\.zip: GET .* answered 404/);
      assert.match(result.stderr, /cannot import \/.+\/missing: ENOENT/);
      // A file that is not JSON imports as one invalid record: the source exists, with nothing in it.
      assert.match(result.stdout, /^README\.md: 0 records \(0 imported, 0 unchanged, 0 removed, 1 invalid\)/m);
      assert.deepEqual(readdirSync(tmp), []);
    });
  });
});

describe("the server's vulnerability database updater", { skip: vulndbUnavailable() }, () => {
  it('imports the configured sources that are due, on its own', async () => {
    const root = tempDir('vulndb-updater');
    const records = path.join(root, 'records');
    await writeExtractedRecords(records);
    const server = await startTestServer({ vulndbSources: [records, osvArchive('PyPI')], vulndbUpdateInterval: 1 });
    try {
      const sources = await waitFor(
        'the updater to import both sources',
        async () => {
          const found = await server.services.metadata.vulnerabilitySources();
          return found.length === 2 && found;
        },
        30_000,
      );
      assert.deepEqual(
        sources.map((s) => [s.name, s.recordCount]),
        [
          ['PyPI', PYPI_RECORDS],
          ['records', 3],
        ],
      );
      assert.equal((await server.services.metadata.affectedFor('Debian:12', ['glibc'])).length, 2);
    } finally {
      await server.close();
      removeDir(root);
    }
  });
});
