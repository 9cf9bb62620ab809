import type { InstalledPackage } from './model.js';

/**
 * The packages of Alpine's apk database (lib/apk/db/installed): one `K:value` line per field, a
 * blank line between packages. P name, V version, A arch, o origin (the source package security
 * feeds name), L license. Throws a SyntaxError for a database apk could not have written.
 */
export function parseApkInstalled(text: string, path: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let fields = new Map<string, string>();
  const finish = () => {
    if (fields.size === 0) return;
    const name = fields.get('P');
    const version = fields.get('V');
    if (!name || !version) throw new SyntaxError(`a package entry has no ${name ? 'V (version)' : 'P (name)'} line`);
    const arch = fields.get('A');
    const license = fields.get('L');
    packages.push({
      type: 'apk',
      name,
      version,
      sourceName: fields.get('o') || name,
      sourceVersion: version,
      ...(arch && { arch }),
      path,
      ...(license && { license }),
    });
    fields = new Map();
  };
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') {
      finish();
      continue;
    }
    if (line[1] !== ':' || !/^[A-Za-z]$/.test(line[0]!)) throw new SyntaxError(`line ${index + 1} is not a "K:value" line`);
    // File lists repeat F/R/Z/a/M lines; only the first of the package's own fields counts.
    if (!fields.has(line[0]!)) fields.set(line[0]!, line.slice(2));
  }
  finish();
  return packages;
}
