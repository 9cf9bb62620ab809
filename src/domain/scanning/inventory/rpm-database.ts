import type { SqliteFileReader } from '../../ports/sqlite-file-reader.js';
import type { InstalledPackage } from './model.js';
import { RpmTag, parseRpmHeader } from './rpm-header.js';

/** `name-version-release.src.rpm` (or `.nosrc.rpm`): name and version-release of the source package. */
const SOURCE_RPM = /^(.+)-([^-]+-[^-]+)\.(?:no)?src\.rpm$/;

/**
 * The packages of an rpmdb.sqlite copied to `file`: one header blob per row of its Packages table.
 * Versions are written `[epoch:]version-release`, as RPM compares them; the source package takes
 * the binary package's epoch (rpm records none for it). The gpg-pubkey entries rpm keeps for
 * imported keys are not packages and are left out.
 */
export async function readRpmDatabase(file: string, reader: SqliteFileReader, path: string): Promise<InstalledPackage[]> {
  const packages: InstalledPackage[] = [];
  for await (const blob of reader.readBlobs(file, 'Packages', 'blob')) {
    const header = parseRpmHeader(blob);
    const name = header.string(RpmTag.NAME);
    const version = header.string(RpmTag.VERSION);
    const release = header.string(RpmTag.RELEASE);
    if (!name || !version || !release) throw new SyntaxError('a package header has no name, version or release');
    if (name === 'gpg-pubkey') continue;
    const epoch = header.int32(RpmTag.EPOCH);
    const epochPrefix = epoch === undefined ? '' : `${epoch}:`;
    const source = SOURCE_RPM.exec(header.string(RpmTag.SOURCERPM) ?? '');
    const arch = header.string(RpmTag.ARCH);
    const license = header.string(RpmTag.LICENSE);
    packages.push({
      type: 'rpm',
      name,
      version: `${epochPrefix}${version}-${release}`,
      ...(source && { sourceName: source[1]!, sourceVersion: `${epochPrefix}${source[2]!}` }),
      ...(arch && { arch }),
      path,
      ...(license && { license }),
    });
  }
  return packages;
}
