import type { InstalledPackage } from './model.js';

/** `s.name = "rack".freeze`, `spec.version = "2.2.22"`: an attribute assigned a string literal in the spec block. */
const ASSIGNMENT = (attribute: string) => new RegExp(`^\\s*\\w+\\.${attribute}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'm');
/** `s.licenses = ["MIT".freeze, ...]` or `s.license = "MIT"`: the first licence named. */
const LICENSES = /^\s*\w+\.licenses?\s*=\s*\[?\s*(?:"([^"]*)"|'([^']*)')/m;
/** rack-2.2.22.gemspec, nokogiri-1.15.4-x86_64-linux.gemspec: name, then a version starting with a digit, then an optional platform. */
const FILE_NAME = /^(.+?)-(\d[^-]*)(?:-.+)?\.gemspec$/;

/**
 * An installed gem's specification (`specifications/*.gemspec`, as RubyGems writes it): name and
 * version from the `Gem::Specification.new` block, else from the file name. Throws a SyntaxError
 * when neither names them.
 */
export function parseGemspec(text: string, path: string): InstalledPackage[] {
  const block = text.slice(Math.max(0, text.indexOf('Gem::Specification.new')));
  const fromFileName = FILE_NAME.exec(path.slice(path.lastIndexOf('/') + 1));
  const name = literal(ASSIGNMENT('name').exec(block)) ?? fromFileName?.[1];
  const version = literal(ASSIGNMENT('version').exec(block)) ?? fromFileName?.[2];
  if (!name || !version) throw new SyntaxError('the gemspec names no gem and version');
  const license = literal(LICENSES.exec(block));
  return [{ type: 'gem', name, version, path, ...(license && { license }) }];
}

function literal(match: RegExpExecArray | null): string | undefined {
  return match ? (match[1] ?? match[2]) : undefined;
}
