import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SqliteFileReader } from '../../ports/sqlite-file-reader.js';
import { parseApkInstalled } from './apk-installed.js';
import { ByteBudget } from './byte-budget.js';
import { parseDpkgStatus } from './dpkg-status.js';
import { consumeEntry, readEntryText, writeEntryToFile } from './entry-content.js';
import { GoBinaryScan } from './go-binary-scan.js';
import { goModules } from './go-buildinfo.js';
import { imagePath, symlinkTarget } from './image-path.js';
import { readJavaArchive } from './java-archive.js';
import { decompressedLayer } from './layer-decompression.js';
import { LayeredFiles } from './layered-files.js';
import type { InventoryLimits } from './limits.js';
import type { InstalledPackage, Inventory, OperatingSystem } from './model.js';
import { parseNpmPackage } from './npm-package.js';
import { parseOsRelease } from './os-release.js';
import { parsePythonMetadata } from './python-metadata.js';
import { readRpmDatabase } from './rpm-database.js';
import { parseGemspec } from './ruby-gemspec.js';
import { ScanInputError } from './scan-input-error.js';
import { tarEntries, type TarEntry } from './tar-entries.js';
import { wantedFile, type WantedFile } from './wanted-files.js';

/** What the scan keeps of one file that matters. */
type Found =
  | { kind: 'packages'; file: WantedFile; packages: InstalledPackage[] }
  | { kind: 'os'; os: OperatingSystem }
  /** A symbolic link (or hard link) between os-release files, to follow once the layers are applied. */
  | { kind: 'link'; target: string }
  | { kind: 'rpm-legacy' };

type TextFile = 'dpkg-status' | 'apk-installed' | 'python-metadata' | 'npm-package' | 'gemspec';

/**
 * How each text file is parsed, and what a malformed one means: a package database the image's own
 * package manager could not read fails the scan; a language package's metadata (there may be
 * thousands, some of them test fixtures) is skipped with a warning.
 */
const TEXT_FILES: Record<TextFile, { parse: (text: string, path: string) => InstalledPackage[]; malformed: 'fail' | 'skip' }> = {
  'dpkg-status': { parse: parseDpkgStatus, malformed: 'fail' },
  'apk-installed': { parse: parseApkInstalled, malformed: 'fail' },
  'python-metadata': { parse: parsePythonMetadata, malformed: 'skip' },
  'npm-package': { parse: parseNpmPackage, malformed: 'skip' },
  gemspec: { parse: parseGemspec, malformed: 'skip' },
};

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
const MAX_LINK_HOPS = 8;
const MAX_WARNINGS = 100;

/**
 * One image's inventory as its layers are applied bottom-up. Each layer streams through once:
 * entries replace what lower layers left at their paths, whiteouts remove it, and only the files
 * that matter are read, into parsed packages, not kept bytes. Bottom-up keeps memory proportional
 * to those files (top-down would have to remember every path of every upper layer to hide lower
 * ones); the price is parsing a file an upper layer later replaces, which is rare and bounded.
 */
export class ImageScan {
  private readonly files = new LayeredFiles<Found>((found) => (found.kind === 'packages' ? found.packages.length : 0));
  private readonly imageBytes: ByteBudget;
  private readonly warnings: string[] = [];
  private droppedWarnings = 0;
  private entryCount = 0;
  private scratchFiles = 0;

  constructor(
    private readonly limits: InventoryLimits,
    /** A directory of this scan's own; the caller removes it. */
    private readonly scratch: string,
    private readonly sqlite: SqliteFileReader,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.imageBytes = new ByteBudget(limits.maxImageBytes, 'maxImageBytes', 'the image');
  }

  /** Applies the layer at `index` (layers in manifest order, the base first) from its blob stream, which it destroys when done. */
  async applyLayer(blob: Readable, digest: string, index: number): Promise<void> {
    const layer = `layer ${digest}`;
    const abort = () => blob.destroy(this.signal?.reason);
    this.signal?.addEventListener('abort', abort, { once: true });
    try {
      const tar = this.counted(decompressedLayer(blob, layer), new ByteBudget(this.limits.maxLayerBytes, 'maxLayerBytes', layer));
      for await (const entry of tarEntries(tar, layer)) await this.applyEntry(entry, index, layer);
    } finally {
      this.signal?.removeEventListener('abort', abort);
      blob.destroy();
    }
  }

  /** The inventory of the final filesystem. */
  inventory(): Inventory {
    const packages: InstalledPackage[] = [];
    let rpmDatabase: string | undefined;
    let legacyRpmDatabase: string | undefined;
    for (const [path, found] of this.files.entries()) {
      if (found.kind === 'rpm-legacy') legacyRpmDatabase ??= path;
      if (found.kind !== 'packages') continue;
      if (found.file === 'rpm-sqlite') {
        if (rpmDatabase) {
          this.warn(`${path} is a second RPM database; only ${rpmDatabase} was read`);
          continue;
        }
        rpmDatabase = path;
      }
      packages.push(...found.packages);
    }
    if (legacyRpmDatabase && !rpmDatabase) {
      throw new ScanInputError('unsupported', `the image keeps its RPM packages in ${legacyRpmDatabase}, a Berkeley DB or NDB database, which Berth does not read (only rpmdb.sqlite)`);
    }
    const os = this.operatingSystem();
    const warnings = this.droppedWarnings > 0 ? [...this.warnings, `... and ${this.droppedWarnings} more warnings`] : this.warnings;
    return { ...(os && { os }), packages, ...(warnings.length > 0 && { warnings }) };
  }

  private async *counted(chunks: AsyncIterable<Uint8Array>, layerBytes: ByteBudget): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.signal?.throwIfAborted();
      layerBytes.spend(chunk.length);
      this.imageBytes.spend(chunk.length);
      yield chunk;
    }
  }

  private async applyEntry(entry: TarEntry, layer: number, layerName: string): Promise<void> {
    if (++this.entryCount > this.limits.maxEntries) {
      throw new ScanInputError('limit', `the image has more than ${this.limits.maxEntries} entries in its layers (limit maxEntries)`);
    }
    const { header } = entry;
    const path = imagePath(header.name, this.limits, layerName);
    // The root directory itself changes nothing.
    if (path === '') return entry.resume();
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (name === OPAQUE_WHITEOUT) {
      this.files.makeOpaque(path.slice(0, Math.max(0, path.lastIndexOf('/'))), layer);
    } else if (name.startsWith(WHITEOUT_PREFIX)) {
      // `.wh.<name>` hides <name>; other `.wh..wh.` names are aufs bookkeeping, not deletions.
      const hidden = path.slice(0, -name.length) + name.slice(WHITEOUT_PREFIX.length);
      if (!name.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) this.files.whiteout(hidden, layer);
    } else if (header.type === 'directory') {
      this.files.replaceWithDirectory(path);
    } else {
      this.files.replaceWithFile(path);
      const wanted = wantedFile(path, header.mode ?? 0);
      if (wanted && (header.type === 'file' || header.type === 'contiguous-file')) return this.readWantedFile(wanted, entry, path, layer);
      if (wanted && header.type === 'link') this.copyHardLink(imagePath(header.linkname ?? '', this.limits, layerName), path, layer);
      if (wanted === 'os-release' && header.type === 'symlink') this.keep(path, layer, { kind: 'link', target: this.linkTarget(path, header.linkname ?? '', layerName) });
    }
    entry.resume();
  }

  private async readWantedFile(wanted: WantedFile, entry: TarEntry, path: string, layer: number): Promise<void> {
    switch (wanted) {
      case 'os-release':
        return this.keep(path, layer, { kind: 'os', os: parseOsRelease(await readEntryText(entry, path, this.limits.maxFileBytes, 'maxFileBytes')) });
      case 'rpm-legacy':
        entry.resume();
        return this.keep(path, layer, { kind: 'rpm-legacy' });
      case 'rpm-sqlite':
        return this.keepPackages(path, layer, wanted, await this.readRpmDatabase(entry, path));
      case 'java-archive':
        return this.keepPackages(path, layer, wanted, await this.readJavaArchive(entry, path));
      case 'executable':
        return this.keepPackages(path, layer, wanted, await this.readGoBinary(entry, path));
      default:
        return this.keepPackages(path, layer, wanted, this.parseText(wanted, await readEntryText(entry, path, this.limits.maxFileBytes, 'maxFileBytes'), path));
    }
  }

  private parseText(file: TextFile, text: string, path: string): InstalledPackage[] {
    const { parse, malformed } = TEXT_FILES[file];
    try {
      return parse(text, path);
    } catch (error) {
      if (malformed === 'fail') throw new ScanInputError('malformed', `${path} is malformed: ${reason(error)}`);
      this.warn(`${path} skipped: ${reason(error)}`);
      return [];
    }
  }

  private readRpmDatabase(entry: TarEntry, path: string): Promise<InstalledPackage[]> {
    return this.withScratchFile('rpmdb.sqlite', async (file) => {
      await writeEntryToFile(entry, file, path, this.limits.maxFileBytes, 'maxFileBytes');
      try {
        return await readRpmDatabase(file, this.sqlite, path);
      } catch (error) {
        throw new ScanInputError('malformed', `the RPM database ${path} cannot be read: ${reason(error)}`);
      }
    });
  }

  private readJavaArchive(entry: TarEntry, path: string): Promise<InstalledPackage[]> {
    return this.withScratchFile('archive.zip', async (file) => {
      await writeEntryToFile(entry, file, path, this.limits.maxArchiveBytes, 'maxArchiveBytes');
      try {
        return await readJavaArchive(file, path, this.limits, (warning) => this.warn(warning));
      } catch (error) {
        if (error instanceof ScanInputError) throw error;
        this.warn(`${path} is not a readable archive (${reason(error)}); skipped`);
        return [];
      }
    });
  }

  private async readGoBinary(entry: TarEntry, path: string): Promise<InstalledPackage[]> {
    if ((entry.header.size ?? 0) > this.limits.maxExecutableBytes) {
      this.warn(`${path} is larger than maxExecutableBytes; not searched for Go build info`);
      entry.resume();
      return [];
    }
    const scan = new GoBinaryScan(this.limits.maxFileBytes);
    try {
      await consumeEntry(entry, (chunk) => scan.push(chunk));
    } catch (error) {
      if (error instanceof ScanInputError) throw error;
      this.warn(`${path} has unreadable Go build info (${reason(error)}); skipped`);
      return [];
    }
    scan.end();
    if (scan.result === 'legacy') this.warn(`${path} was built by a Go release before 1.18, whose build info Berth does not read; skipped`);
    if (scan.result === 'oversized') this.warn(`${path} has Go build info larger than maxFileBytes; skipped`);
    return typeof scan.result === 'object' ? goModules(scan.result, path) : [];
  }

  /** A hard link shares its target's content: what was read from the target (earlier in the same layer, as tar requires) holds for it too. */
  private copyHardLink(target: string, path: string, layer: number): void {
    const held = this.files.get(target);
    if (!held || held.layer !== layer) return;
    const found = held.value;
    if (found.kind !== 'packages') return this.keep(path, layer, found);
    const packages = found.packages.map((found) => ({ ...found, path: path + found.path.slice(target.length) }));
    this.keepPackages(path, layer, found.file, packages);
  }

  private linkTarget(path: string, linkname: string, layerName: string): string {
    if (linkname.length > this.limits.maxPathLength) {
      throw new ScanInputError('limit', `${layerName} has a link target of ${linkname.length} characters (limit maxPathLength ${this.limits.maxPathLength})`);
    }
    return symlinkTarget(path, linkname);
  }

  /** /etc/os-release, else /usr/lib/os-release, following the links between them inside the image. */
  private operatingSystem(): OperatingSystem | undefined {
    for (const start of ['etc/os-release', 'usr/lib/os-release']) {
      let found = this.files.get(start)?.value;
      for (let hops = 0; found?.kind === 'link' && hops < MAX_LINK_HOPS; hops++) found = this.files.get(found.target)?.value;
      if (found?.kind === 'os') return found.os;
    }
    return undefined;
  }

  private keepPackages(path: string, layer: number, file: WantedFile, packages: InstalledPackage[]): void {
    if (packages.length > 0) this.keep(path, layer, { kind: 'packages', file, packages });
  }

  private keep(path: string, layer: number, found: Found): void {
    this.files.set(path, layer, found);
    if (this.files.totalWeight > this.limits.maxPackages) {
      throw new ScanInputError('limit', `the image lists more than ${this.limits.maxPackages} packages (limit maxPackages)`);
    }
  }

  private async withScratchFile<T>(name: string, use: (file: string) => Promise<T>): Promise<T> {
    const directory = join(this.scratch, String(++this.scratchFiles));
    await mkdir(directory);
    try {
      return await use(join(directory, name));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  private warn(warning: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(warning);
    else this.droppedWarnings++;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
