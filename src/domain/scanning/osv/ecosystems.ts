import type { InstalledPackage, OperatingSystem, PackageType } from '../inventory/model.js';
import { packageKey } from '../vulndb/package-key.js';

/** Where an installed package is looked up in OSV: ecosystem(s), package name and the version to match. */
export interface OsvPackageRef {
  /** Usually one; a RHEL package may come from either of the release's two Red Hat product streams. */
  ecosystems: string[];
  /** The name as OSV records of that ecosystem write it, as `packageKey` normalises it. */
  name: string;
  version: string;
}

const major = (versionId: string): string => versionId.split('.')[0]!;
const majorMinor = (versionId: string): string => versionId.split('.').slice(0, 2).join('.');

/** Ubuntu's LTS releases are the April ones of even years: 22.04, 24.04. */
function ubuntuEcosystem(versionId: string): string {
  const [year, month] = versionId.split('.');
  return Number(year) % 2 === 0 && month === '04' ? `Ubuntu:${versionId}:LTS` : `Ubuntu:${versionId}`;
}

/** OSV ecosystems of the distributions Berth reads, from os-release; undefined for any other. */
function distributionEcosystems(os: OperatingSystem): string[] | undefined {
  const { id, versionId, prettyName } = os;
  if (versionId === '') return undefined;
  switch (id) {
    case 'debian':
      return [`Debian:${major(versionId)}`];
    case 'ubuntu':
      return [ubuntuEcosystem(majorMinor(versionId))];
    case 'alpine':
      return [`Alpine:v${majorMinor(versionId)}`];
    case 'rhel':
      return ['baseos', 'appstream'].map((stream) => `Red Hat:enterprise_linux:${major(versionId)}::${stream}`);
    case 'rocky':
      return [`Rocky Linux:${major(versionId)}`];
    case 'almalinux':
      return [`AlmaLinux:${major(versionId)}`];
    // SUSE's ecosystems name the release as os-release's PRETTY_NAME does.
    case 'opensuse-leap':
    case 'opensuse-tumbleweed':
      return prettyName ? [`openSUSE:${prettyName}`] : undefined;
    case 'sles':
      return prettyName ? [`SUSE:${prettyName}`] : undefined;
    default:
      return undefined;
  }
}

/** The package manager each distribution's packages come from. */
const DISTRIBUTION_PACKAGE_TYPES = new Map<string, PackageType>([
  ['debian', 'deb'],
  ['ubuntu', 'deb'],
  ['alpine', 'apk'],
  ['rhel', 'rpm'],
  ['rocky', 'rpm'],
  ['almalinux', 'rpm'],
  ['opensuse-leap', 'rpm'],
  ['opensuse-tumbleweed', 'rpm'],
  ['sles', 'rpm'],
]);

const LANGUAGE_ECOSYSTEMS = new Map<PackageType, string>([
  ['pypi', 'PyPI'],
  ['npm', 'npm'],
  ['golang', 'Go'],
  ['maven', 'Maven'],
  ['gem', 'RubyGems'],
]);

/**
 * How OSV knows an installed package. Distribution feeds are keyed by source package: Debian and
 * Ubuntu by the dpkg Source and matched with its version (a binary's version can differ by a
 * binNMU), Alpine by origin, RPM distributions by the source RPM, whose version the binaries share.
 * Undefined when Berth has no OSV ecosystem for the package.
 */
export function osvPackageRef(os: OperatingSystem | undefined, pkg: InstalledPackage): OsvPackageRef | undefined {
  const language = LANGUAGE_ECOSYSTEMS.get(pkg.type);
  if (language) return { ecosystems: [language], name: packageKey(language, pkg.name), version: pkg.version };
  if (os === undefined || DISTRIBUTION_PACKAGE_TYPES.get(os.id) !== pkg.type) return undefined;
  const ecosystems = distributionEcosystems(os);
  if (ecosystems === undefined) return undefined;
  const version = pkg.type === 'deb' ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
  return { ecosystems, name: pkg.sourceName ?? pkg.name, version };
}
