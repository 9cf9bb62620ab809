import { firstControlParagraph } from './control-fields.js';
import type { InstalledPackage } from './model.js';

/**
 * A Python distribution's core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, or an
 * `*.egg-info` file): the Name and Version headers, and its licence (License-Expression, else a
 * one-line License other than UNKNOWN). Throws a SyntaxError when Name or Version is missing.
 */
export function parsePythonMetadata(text: string, path: string): InstalledPackage[] {
  const fields = firstControlParagraph(text);
  const name = fields.get('name');
  const version = fields.get('version');
  if (!name || !version) throw new SyntaxError(`the metadata has no ${name ? 'Version' : 'Name'} header`);
  const license = fields.get('license-expression') ?? oneLineLicense(fields.get('license'));
  return [{ type: 'pypi', name, version, path, ...(license && { license }) }];
}

function oneLineLicense(license: string | undefined): string | undefined {
  return license && !license.includes('\n') && license !== 'UNKNOWN' ? license : undefined;
}
