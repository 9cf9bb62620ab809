// Issue 5's scanning targets: reading the inventory of a 500 MB image the way the server does (a
// worker thread over the layers in the fs object store) against `zcat | tar -t` over the same
// layer files, and matching a stored inventory of 500 packages against the imported Debian, PyPI
// and npm OSV records. Berth only: distribution 2.8 has no image scanning.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openMetadataStore } from '../src/adapters/metadata/index.js';
import { workerInventoryReader } from '../src/app/scan-workers.js';
import type { MetadataStore } from '../src/domain/ports/metadata-store.js';
import type { Inventory } from '../src/domain/scanning/inventory/model.js';
import type { LayerRef } from '../src/domain/scanning/scan-runner.js';
import { matchStoredInventory } from '../src/domain/scanning/scan-runner.js';
import { importOsv } from '../src/domain/scanning/vulndb/import.js';
import type { Group, RowSpec, Sample } from './scenarios.js';
import { median } from './scenarios.js';
import { blobFile } from './seed-store.js';

/** Uncompressed tar bytes of the image, in LAYERS layers of about equal size. */
const IMAGE_BYTES = 500e6;
const LAYERS = 5;
const INVENTORY_PACKAGES = 500;
/** Matches per re-matching round; the round reports their median. */
const MATCHES_PER_ROUND = 15;
const SCAN_ROUNDS = 3;
/** Scanning targets (issue 5). */
const SCAN_MAX_RATIO = 1.5;
const REMATCH_MAX_MS = 50;

const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const VULNDB = fileURLToPath(new URL('../../../shared/vulndb/', import.meta.url));
/**
 * What the image holds, in this order until IMAGE_BYTES: this machine's Debian package database and
 * os-release, its Python and npm packages, executables (which the scan reads for Go build info),
 * shared libraries and data files.
 */
const SOURCES = ['/var/lib/dpkg/status', '/usr/lib/os-release', '/usr/lib/python3', '/usr/lib/python3.11', '/usr/lib/node_modules', '/usr/bin', '/usr/lib/x86_64-linux-gnu', '/usr/share'];

const now = (): number => performance.now();

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Runs a command; rejects with its stderr unless it exits 0. */
function exec(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} exited with ${code}: ${stderr.trim().slice(-500)}`))));
  });
}

/** Regular files and links under SOURCES, as tar paths (no leading slash), split into LAYERS lists of about IMAGE_BYTES / LAYERS tar bytes. */
async function layerFileLists(): Promise<string[][]> {
  const present = SOURCES.filter((source) => existsSync(source));
  const listing = await exec('find', [...present, '-xdev', '(', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '%s\t%P\t%H\n']);
  const layers: string[][] = [[]];
  let total = 0;
  for (const line of listing.split('\n')) {
    if (!line) continue;
    const [size, relative, start] = line.split('\t') as [string, string, string];
    const file = path.join(start, relative).slice(1);
    // A tar entry: a 512-byte header and the content padded to 512 bytes.
    const bytes = 512 + Math.ceil(Number(size) / 512) * 512;
    if (total + bytes > IMAGE_BYTES) break;
    if (total >= (IMAGE_BYTES / LAYERS) * layers.length) layers.push([]);
    layers.at(-1)!.push(file);
    total += bytes;
  }
  return layers;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

interface ImageFixture {
  dir: string;
  storageRoot: string;
  layers: LayerRef[];
  /** The layer files, in order, for the baseline. */
  files: string[];
  uncompressed: number;
}

/** Builds the image's gzip'd tar layers (gzip's default level, as `docker push` compresses) into an fs object store. */
async function buildImage(dir: string): Promise<ImageFixture> {
  const storageRoot = path.join(dir, 'storage');
  const fixture: ImageFixture = { dir, storageRoot, layers: [], files: [], uncompressed: 0 };
  for (const [index, list] of (await layerFileLists()).entries()) {
    const listFile = path.join(dir, `layer-${index}.list`);
    const layerFile = path.join(dir, `layer-${index}.tar.gz`);
    writeFileSync(listFile, `${list.join('\n')}\n`);
    fixture.uncompressed += Number((await exec('sh', ['-c', 'tar -C / -cf - --no-recursion -T "$1" | tee "$2.tar" | wc -c; gzip -c < "$2.tar" > "$2"; rm "$2.tar"', 'sh', listFile, layerFile])).trim());
    const digest = await sha256File(layerFile);
    const blob = blobFile(storageRoot, digest);
    mkdirSync(path.dirname(blob), { recursive: true });
    renameSync(layerFile, blob);
    fixture.layers.push({ digest, mediaType: GZIP_LAYER, size: statSync(blob).size });
    fixture.files.push(blob);
  }
  return fixture;
}

/** The layers as the server scans them: one worker thread reading them from the fs object store. */
async function scanInWorker(fixture: ImageFixture): Promise<{ inventory: Inventory; seconds: number }> {
  const t0 = now();
  const inventory = await workerInventoryReader(fixture.storageRoot)(fixture.layers);
  return { inventory, seconds: (now() - t0) / 1000 };
}

/** The baseline: each layer file through `zcat | tar -t`, one after the other, as the scan reads them. */
async function zcatTarList(fixture: ImageFixture): Promise<number> {
  const t0 = now();
  await exec('sh', ['-c', 'for f in "$@"; do zcat < "$f" | tar -t > /dev/null || exit 1; done', 'sh', ...fixture.files]);
  return (now() - t0) / 1000;
}

/** A real inventory of INVENTORY_PACKAGES packages from the scanned one: every language package, then Debian packages. */
function storedInventory(scanned: Inventory): Inventory {
  const languages = scanned.packages.filter((pkg) => pkg.type !== 'deb');
  const debs = scanned.packages.filter((pkg) => pkg.type === 'deb');
  const packages = [...languages, ...debs].slice(0, INVENTORY_PACKAGES);
  if (packages.length < INVENTORY_PACKAGES) throw new Error(`the image has ${scanned.packages.length} packages, fewer than ${INVENTORY_PACKAGES}`);
  return { ...(scanned.os && { os: scanned.os }), packages };
}

interface ScanningFixture {
  image: ImageFixture;
  metadata: MetadataStore;
  inventory: Inventory;
  vulndb: string;
}

let fixture: ScanningFixture | undefined;

async function importVulnerabilityData(metadata: MetadataStore): Promise<string> {
  const reports = [];
  for (const ecosystem of ['Debian', 'PyPI', 'npm']) {
    const location = path.join(VULNDB, ecosystem, 'all.zip');
    if (!existsSync(location)) throw new Error(`the OSV archive ${location} is missing`);
    reports.push(await importOsv({ location }, metadata));
  }
  return reports.map((r) => `${r.source} ${r.records.toLocaleString('en-US')}`).join(', ');
}

async function setUp(): Promise<ScanningFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-scanning-'));
  try {
    const metadata = await openMetadataStore({ kind: 'sqlite', path: path.join(dir, 'berth.db') });
    const t0 = now();
    const [image, vulndb] = await Promise.all([buildImage(dir), importVulnerabilityData(metadata)]);
    log(`scanning: built ${image.layers.length} layers (${(image.uncompressed / 1e6).toFixed(0)} MB of tar) and imported ${vulndb} records in ${((now() - t0) / 1000).toFixed(1)} s`);
    // The first scan warms the page cache, and gives the inventory the re-matching rounds use.
    const { inventory } = await scanInWorker(image);
    return { image, metadata, inventory: storedInventory(inventory), vulndb };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

/** "8 golang, 145 npm, 30 pypi, 775 deb": the inventory's packages by type. */
function packageCounts(inventory: Inventory): string {
  const counts = new Map<string, number>();
  for (const pkg of inventory.packages) counts.set(pkg.type, (counts.get(pkg.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** One scan and one baseline, in alternating order from round to round. */
async function scanRound(fx: ScanningFixture, k: number): Promise<Record<string, Sample>> {
  let scan: Awaited<ReturnType<typeof scanInWorker>> | undefined;
  let baseline = 0;
  const steps = [async () => (scan = await scanInWorker(fx.image)), async () => (baseline = await zcatTarList(fx.image))];
  for (const step of k % 2 === 0 ? steps : steps.reverse()) await step();
  const { inventory, seconds } = scan!;
  const compressed = fx.image.layers.reduce((sum, layer) => sum + layer.size, 0);
  return {
    'scan-image': {
      value: seconds,
      detail: `${LAYERS} gzip'd layers, ${mb(fx.image.uncompressed)} of tar (${mb(compressed)} compressed), ${Math.round(fx.image.uncompressed / 1e6 / seconds)} MB/s; found ${packageCounts(inventory)}`,
    },
    'scan-ratio': { value: seconds / baseline, detail: `\`zcat | tar -t\` over the same layer files ${baseline.toFixed(2)} s, Berth's scan ${seconds.toFixed(2)} s` },
  };
}

/** MATCHES_PER_ROUND matches of the stored inventory against the database; their median. */
async function rematchRound(fx: ScanningFixture): Promise<Record<string, Sample>> {
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < MATCHES_PER_ROUND; i++) {
    const t0 = now();
    findings = (await matchStoredInventory(fx.metadata, fx.inventory)).length;
    times.push(now() - t0);
  }
  return {
    'scan-rematch': {
      value: median(times),
      detail: `${packageCounts(fx.inventory)} against ${fx.vulndb} records, ${findings} findings; median of ${MATCHES_PER_ROUND}, from ${Math.min(...times).toFixed(1)} to ${Math.max(...times).toFixed(1)} ms`,
    },
  };
}

const NO_SCANNING = { cell: 'none', note: 'distribution 2.8 has no image scanning' };

const rows: RowSpec[] = [
  { id: 'scan-image', label: 'scan a 500 MB image (inventory, worker thread)', unit: 's', better: 'lower', target: { kind: 'info' }, reference: NO_SCANNING },
  { id: 'scan-ratio', label: 'image scan ÷ `zcat | tar -t` of its layers', unit: 'x', better: 'lower', target: { kind: 'below', max: SCAN_MAX_RATIO }, reference: NO_SCANNING },
  { id: 'scan-rematch', label: 're-match a stored inventory of 500 packages (Debian+PyPI+npm database)', unit: 'ms', better: 'lower', target: { kind: 'below', max: REMATCH_MAX_MS }, reference: NO_SCANNING },
];

export const scanningGroup: Group = {
  id: 'scanning',
  rows,
  rounds: () => 2 * SCAN_ROUNDS,
  async setup() {
    fixture = await setUp();
  },
  round(_ctx, k) {
    if (!fixture) throw new Error('the scanning fixture was not set up');
    return k % 2 === 0 ? scanRound(fixture, k / 2) : rematchRound(fixture);
  },
  async teardown() {
    await fixture?.metadata.close();
    if (fixture) rmSync(fixture.image.dir, { recursive: true, force: true });
    fixture = undefined;
  },
};
