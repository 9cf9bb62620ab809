import { controlParagraphs } from './control-fields.js';
import type { InstalledPackage } from './model.js';

/** `Source: name` or `Source: name (version)`, when the source version differs from the binary's. */
const SOURCE_FIELD = /^(\S+)(?:\s+\((.+)\))?$/;

/**
 * The installed packages of a dpkg status database (var/lib/dpkg/status, or one file of the
 * distroless status.d/). A package is on disk when its status is `<want> ok installed` with want
 * install or hold; status.d/ files carry no Status field and list installed packages only. The
 * source package defaults to the binary package and its version (dpkg's own rule). Throws a
 * SyntaxError for a database dpkg could not have written.
 */
export function parseDpkgStatus(text: string, path: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const fields of controlParagraphs(text)) {
    const status = fields.get('status')?.split(/\s+/);
    if (status && !(['install', 'hold'].includes(status[0]!) && status[1] === 'ok' && status[2] === 'installed')) continue;
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version) throw new SyntaxError(`an installed entry has no ${name ? 'Version' : 'Package'} field`);
    const source = fields.get('source');
    const sourceMatch = source ? SOURCE_FIELD.exec(source) : undefined;
    if (source && !sourceMatch) throw new SyntaxError(`package ${name} has the malformed Source field ${JSON.stringify(source)}`);
    const arch = fields.get('architecture');
    packages.push({
      type: 'deb',
      name,
      version,
      sourceName: sourceMatch?.[1] ?? name,
      sourceVersion: sourceMatch?.[2] ?? version,
      ...(arch && { arch }),
      path,
    });
  }
  return packages;
}
