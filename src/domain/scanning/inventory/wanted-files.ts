/** The files the inventory reads, by what they hold. */
export type WantedFile =
  | 'os-release'
  | 'dpkg-status'
  | 'apk-installed'
  | 'rpm-sqlite'
  | 'rpm-legacy'
  | 'python-metadata'
  | 'npm-package'
  | 'gemspec'
  | 'java-archive'
  | 'executable';

const BY_PATH = new Map<string, WantedFile>([
  ['etc/os-release', 'os-release'],
  ['usr/lib/os-release', 'os-release'],
  ['var/lib/dpkg/status', 'dpkg-status'],
  ['lib/apk/db/installed', 'apk-installed'],
  ['usr/lib/apk/db/installed', 'apk-installed'],
  ['var/lib/rpm/rpmdb.sqlite', 'rpm-sqlite'],
  ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'rpm-sqlite'],
  // Berkeley DB (RHEL 7/8, Amazon Linux 2) and NDB (SUSE) databases.
  ['var/lib/rpm/Packages', 'rpm-legacy'],
  ['usr/lib/sysimage/rpm/Packages', 'rpm-legacy'],
  ['var/lib/rpm/Packages.db', 'rpm-legacy'],
  ['usr/lib/sysimage/rpm/Packages.db', 'rpm-legacy'],
]);

const EXECUTE_BITS = 0o111;

/** What the file at `path` holds, if it is one the inventory reads; `mode` tells executables. */
export function wantedFile(path: string, mode: number): WantedFile | undefined {
  const known = BY_PATH.get(path);
  if (known) return known;
  const segments = path.split('/');
  const name = segments.at(-1)!;
  const parent = segments.at(-2) ?? '';
  // Distroless images list packages one file each in status.d/, next to their *.md5sums.
  if (path.startsWith('var/lib/dpkg/status.d/') && segments.length === 5) return name.endsWith('.md5sums') ? undefined : 'dpkg-status';
  if ((name === 'METADATA' && parent.endsWith('.dist-info')) || (name === 'PKG-INFO' && parent.endsWith('.egg-info')) || name.endsWith('.egg-info')) return 'python-metadata';
  // node_modules/<name>/package.json or node_modules/@scope/<name>/package.json; not package.json files deeper in a package.
  if (name === 'package.json' && (segments.at(-3) === 'node_modules' || (segments.at(-4) === 'node_modules' && segments.at(-3)!.startsWith('@')))) return 'npm-package';
  // specifications/*.gemspec, and the default gems Ruby ships in specifications/default/.
  if (name.endsWith('.gemspec') && (parent === 'specifications' || (parent === 'default' && segments.at(-3) === 'specifications'))) return 'gemspec';
  if (/\.(jar|war|ear)$/i.test(name)) return 'java-archive';
  if ((mode & EXECUTE_BITS) !== 0) return 'executable';
  return undefined;
}
