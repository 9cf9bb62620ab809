import { fromBufferPromise, openPromise, type Entry, type ZipFile } from 'yauzl';
import { ByteBudget } from './byte-budget.js';
import { describeBytes, type InventoryLimits } from './limits.js';
import type { InstalledPackage } from './model.js';
import { ScanInputError } from './scan-input-error.js';

/** Maven's record of each artifact built into an archive: META-INF/maven/<groupId>/<artifactId>/pom.properties. */
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const NESTED_ARCHIVE = /\.(jar|war|ear)$/i;

export type JavaArchiveLimits = Pick<InventoryLimits, 'maxFileBytes' | 'maxArchiveExpandedBytes' | 'maxArchiveEntries' | 'maxArchiveDepth'>;

/**
 * The Maven artifacts in a jar, war or ear copied to `file` (found at `path` in the image), from the
 * pom.properties files inside it and inside the archives it nests (WEB-INF/lib, BOOT-INF/lib, ...),
 * which are read into memory, each at most maxFileBytes, down to maxArchiveDepth. Everything
 * decompressed out of it counts against maxArchiveExpandedBytes, so zip bombs stop early. Nested
 * archives are named `outer.war!/WEB-INF/lib/inner.jar`. Zip format errors are thrown as they are
 * (the caller skips the file); limits throw ScanInputError.
 */
export async function readJavaArchive(file: string, path: string, limits: JavaArchiveLimits, warn: (message: string) => void): Promise<InstalledPackage[]> {
  const reader = new JavaArchiveReader(limits, new ByteBudget(limits.maxArchiveExpandedBytes, 'maxArchiveExpandedBytes', path), warn);
  return reader.read(await openPromise(file, ZIP_OPTIONS), path, 0);
}

const ZIP_OPTIONS = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false } as const;

class JavaArchiveReader {
  constructor(
    private readonly limits: JavaArchiveLimits,
    private readonly expanded: ByteBudget,
    private readonly warn: (message: string) => void,
  ) {}

  async read(zip: ZipFile, path: string, depth: number): Promise<InstalledPackage[]> {
    const packages: InstalledPackage[] = [];
    try {
      if (zip.entryCount > this.limits.maxArchiveEntries) {
        throw new ScanInputError('limit', `${path} lists ${zip.entryCount} entries (limit maxArchiveEntries ${this.limits.maxArchiveEntries})`);
      }
      for await (const entry of zip.eachEntry()) {
        if (POM_PROPERTIES.test(entry.fileName)) {
          const artifact = mavenArtifact((await this.contents(zip, entry, path)).toString('utf8'));
          if (artifact) packages.push({ type: 'maven', ...artifact, path });
          else this.warn(`${path}!/${entry.fileName} names no groupId, artifactId and version; skipped`);
        } else if (NESTED_ARCHIVE.test(entry.fileName)) {
          const nestedPath = `${path}!/${entry.fileName}`;
          if (depth + 1 > this.limits.maxArchiveDepth) {
            this.warn(`${nestedPath} is nested ${depth + 1} archives deep (limit maxArchiveDepth ${this.limits.maxArchiveDepth}); skipped`);
            continue;
          }
          packages.push(...(await this.readNested(zip, entry, nestedPath, depth + 1)));
        }
      }
    } finally {
      zip.close();
    }
    return packages;
  }

  /** A nested archive that is not a readable zip is skipped with a warning; the rest of its parent still counts. */
  private async readNested(zip: ZipFile, entry: Entry, path: string, depth: number): Promise<InstalledPackage[]> {
    try {
      return await this.read(await fromBufferPromise(await this.contents(zip, entry, path), ZIP_OPTIONS), path, depth);
    } catch (error) {
      if (error instanceof ScanInputError) throw error;
      this.warn(`${path} is not a readable archive (${error instanceof Error ? error.message : String(error)}); skipped`);
      return [];
    }
  }

  private async contents(zip: ZipFile, entry: Entry, path: string): Promise<Buffer> {
    if (entry.uncompressedSize > this.limits.maxFileBytes) {
      throw new ScanInputError('limit', `${path} declares ${describeBytes(entry.uncompressedSize)} for ${entry.fileName} (limit maxFileBytes ${describeBytes(this.limits.maxFileBytes)})`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) {
      this.expanded.spend((chunk as Buffer).length);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
}

/** groupId, artifactId and version from a pom.properties (java.util.Properties `key=value` lines). */
function mavenArtifact(properties: string): { name: string; version: string } | undefined {
  const values = new Map<string, string>();
  for (const line of properties.split(/\r?\n/)) {
    const match = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (match) values.set(match[1]!, match[2]!);
  }
  const [groupId, artifactId, version] = [values.get('groupId'), values.get('artifactId'), values.get('version')];
  return groupId && artifactId && version ? { name: `${groupId}:${artifactId}`, version } : undefined;
}
