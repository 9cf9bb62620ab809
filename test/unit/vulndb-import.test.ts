import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OsvImportSummary, VulnerabilityMetadataOps } from '../../src/domain/ports/vulnerability-metadata.js';
import type { OsvRecord } from '../../src/domain/scanning/osv/record.js';
import { importOsv, sourceNameOf } from '../../src/domain/scanning/vulndb/import.js';
import { parseOsvRecord } from '../../src/domain/scanning/vulndb/record-validation.js';
import { osvArchive, osvRecordTexts, vulndbUnavailable } from '../support/osv-archive.js';
import { removeDir, tempDir, which } from '../support/tools.js';

/** Takes what the importer writes, as the store would, and nothing else. */
class RecordingPort implements Pick<VulnerabilityMetadataOps, 'upsertOsvRecords' | 'completeOsvImport'> {
  readonly batches: OsvRecord[][] = [];
  summary: OsvImportSummary | undefined;
  async upsertOsvRecords(_source: string, records: readonly OsvRecord[]) {
    this.batches.push([...records]);
    return { stored: records.length, unchanged: 0 };
  }
  async completeOsvImport(summary: OsvImportSummary) {
    this.summary = summary;
    return 0;
  }
}
const asPort = (port: RecordingPort) => port as unknown as VulnerabilityMetadataOps;

describe('OSV sources', () => {
  it('are named after their file or directory, or for <ecosystem>/all.zip after the ecosystem', () => {
    assert.equal(sourceNameOf('/srv/osv/PyPI/all.zip'), 'PyPI');
    assert.equal(sourceNameOf('https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip'), 'Rocky Linux');
    assert.equal(sourceNameOf('https://example.com/mirror/debian-bookworm.zip'), 'debian-bookworm');
    assert.equal(sourceNameOf('/srv/osv/advisories/'), 'advisories');
    assert.equal(sourceNameOf('/srv/osv/CVE-2023-4911.json'), 'CVE-2023-4911');
  });
});

describe('OSV record validation', { skip: vulndbUnavailable() }, () => {
  let texts: Map<string, string>;
  before(async () => {
    texts = await osvRecordTexts('Debian', ['CVE-2023-4911']);
  });
  /** The real record with one change that breaks it. */
  const broken = (change: (record: Record<string, unknown>) => void): string => {
    const record = JSON.parse(texts.get('CVE-2023-4911')!) as Record<string, unknown>;
    change(record);
    return JSON.stringify(record);
  };

  it('takes a published record as it is', () => {
    const text = texts.get('CVE-2023-4911')!;
    assert.deepEqual(parseOsvRecord(text), { record: JSON.parse(text) });
  });

  it('says why a record cannot be used, with its id when it has one', () => {
    assert.match((parseOsvRecord(texts.get('CVE-2023-4911')!.slice(0, 300)) as { problem: string }).problem, /^not JSON: /);
    assert.deepEqual(parseOsvRecord('[]'), { problem: 'not a JSON object' });
    assert.deepEqual(parseOsvRecord(broken((r) => delete r.id)), { problem: 'no id' });
    assert.deepEqual(parseOsvRecord(broken((r) => (r.modified = 'yesterday'))), { problem: 'no valid modified time', id: 'CVE-2023-4911' });
    assert.deepEqual(parseOsvRecord(broken((r) => (r.related = 'DSA-5514-1'))), { problem: 'related is not a list of ids', id: 'CVE-2023-4911' });
    assert.deepEqual(parseOsvRecord(broken((r) => ((r.affected as Record<string, unknown>[])[1]!.versions = '2.36-9'))), {
      problem: 'affected[1]: versions is not a list of strings',
      id: 'CVE-2023-4911',
    });
    assert.deepEqual(parseOsvRecord(broken((r) => ((r.affected as { ranges: { events: unknown[] }[] }[])[0]!.ranges[0]!.events = [{ fixed: 2 }]))), {
      problem: 'affected[0]: ranges[0].events is not a list of events',
      id: 'CVE-2023-4911',
    });
    assert.deepEqual(parseOsvRecord(broken((r) => (r.severity = [{ type: 'CVSS_V3' }]))), { problem: 'severity is not a list of {type, score}', id: 'CVE-2023-4911' });
  });
});

describe('importing OSV sources', { skip: vulndbUnavailable() }, () => {
  let root: string;
  before(() => {
    root = tempDir('vulndb-unit');
  });
  after(() => removeDir(root));

  it('reads an archive in batches, holding every record id, and counts entries for progress', async () => {
    const port = new RecordingPort();
    const progress: number[] = [];
    const report = await importOsv({ location: osvArchive('PyPI') }, asPort(port), (p) => p.phase === 'importing' && progress.push(p.done));
    assert.equal(report.records, 2661);
    assert.ok(port.batches.every((batch) => batch.length <= 250));
    assert.equal(port.batches.flat().length, 2661);
    assert.equal(new Set(port.summary!.heldIds).size, 2661);
    assert.deepEqual(port.summary!.newestModified, new Date('2024-10-10T17:22:00.587Z'));
    assert.equal(progress[0], 0);
    assert.equal(progress.at(-1), 2661);
  });

  it('refuses an archive cut short, naming it', async () => {
    const cut = path.join(root, 'cut.zip');
    const archive = readFileSync(osvArchive('PyPI'));
    writeFileSync(cut, archive.subarray(0, archive.length / 2));
    await assert.rejects(importOsv({ location: cut }, asPort(new RecordingPort())), /cut\.zip is not a readable zip archive/);
  });

  it('reports an entry whose bytes were damaged and goes on with the others', async () => {
    const damaged = path.join(root, 'damaged.zip');
    copyFileSync(osvArchive('npm'), damaged);
    // The deflated bytes of the first entry, past its local header (30 bytes, its name and extra field).
    const header = readFileSync(damaged).subarray(0, 30);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 30 + header.readUInt16LE(26) + header.readUInt16LE(28) + 16);
    closeSync(fd);
    const port = new RecordingPort();
    const report = await importOsv({ location: damaged, name: 'npm' }, asPort(port));
    assert.equal(report.invalid, 1);
    assert.equal(report.records, 3791);
    assert.match(report.problems[0]!.reason, /cannot read it from the archive|not JSON|bytes where the archive lists/);
    // Its stored copy is kept: the import still holds its id.
    assert.equal(port.summary!.heldIds.length, 3792);
  });

  it('reads stored (uncompressed) entries and passes over what is not a record', { skip: which('zip') ? false : 'no zip command' }, async () => {
    const tree = path.join(root, 'tree');
    mkdirSync(path.join(tree, 'pypi'), { recursive: true });
    for (const [id, text] of await osvRecordTexts('PyPI', ['PYSEC-2008-1', 'PYSEC-2018-49'])) writeFileSync(path.join(tree, 'pypi', `${id}.json`), text);
    writeFileSync(path.join(tree, 'NOTICE'), 'records from pypa/advisory-database\n');
    const zip = path.join(root, 'stored.zip');
    execFileSync('zip', ['-q', '-0', '-r', zip, '.'], { cwd: tree });
    const port = new RecordingPort();
    const report = await importOsv({ location: zip }, asPort(port));
    assert.deepEqual([report.records, report.invalid], [2, 0]);
    assert.deepEqual(port.batches.flat().map((record) => record.id).sort(), ['PYSEC-2008-1', 'PYSEC-2018-49']);
  });
});
