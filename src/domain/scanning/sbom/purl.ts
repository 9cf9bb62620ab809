import type { InstalledPackage, OperatingSystem } from '../inventory/model.js';
import { compareText } from '../versions/characters.js';
import type { SbomImage } from './sbom-input.js';

/** A package URL's components before encoding (https://github.com/package-url/purl-spec). */
interface PurlComponents {
  type: string;
  namespace?: string[];
  name: string;
  version?: string;
  /** Absent or empty values are left out, as the spec asks. */
  qualifiers?: Record<string, string | undefined>;
}

/** Bytes a purl component keeps as they are: alphanumerics, `.-_~`, and the colon, which is never encoded. */
const KEPT = /^[A-Za-z0-9.\-_~:]$/;
const utf8 = new TextEncoder();

/** Percent-encodes a component's UTF-8 bytes (a lone surrogate from a hostile package name becomes U+FFFD, never an exception). */
function encodeComponent(text: string): string {
  let encoded = '';
  for (const byte of utf8.encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += KEPT.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The canonical purl: segments encoded one by one, qualifiers sorted by key. */
function formatPurl({ type, namespace = [], name, version, qualifiers = {} }: PurlComponents): string {
  const path = [...namespace.filter((segment) => segment !== ''), name].map(encodeComponent).join('/');
  const pairs = Object.entries(qualifiers)
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, value]) => `${key}=${encodeComponent(value)}`);
  return `pkg:${type}/${path}${version === undefined ? '' : `@${encodeComponent(version)}`}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

/** The vendor namespace and `distro` qualifier of a distribution package: debian and debian-12. */
function distribution(os: OperatingSystem | undefined): { namespace: string[]; distro?: string } {
  if (!os) return { namespace: [] };
  const vendor = os.id.toLowerCase();
  return { namespace: [vendor], ...(os.versionId !== '' && { distro: `${vendor}-${os.versionId}` }) };
}

/** Splits `prefix<separator>rest` at the first separator; no prefix when there is none. */
function splitOnce(text: string, separator: string): [string | undefined, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [undefined, text] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** The purl components of an installed package, following each type's rules in the purl spec. */
function packageComponents(pkg: InstalledPackage, os: OperatingSystem | undefined): PurlComponents {
  const { type, name, version, arch } = pkg;
  switch (type) {
    case 'deb':
    case 'apk': {
      const { namespace, distro } = distribution(os);
      return { type, namespace, name: name.toLowerCase(), version, qualifiers: { arch, distro } };
    }
    case 'rpm': {
      // The epoch is a qualifier; the version is version-release.
      const { namespace, distro } = distribution(os);
      const [, epoch, versionRelease] = /^(?:(\d+):)?(.*)$/s.exec(version)!;
      return { type, namespace, name, version: versionRelease!, qualifiers: { arch, epoch, distro } };
    }
    case 'pypi':
      // PEP 503 normalisation: lower case, runs of -, _ and . as one dash.
      return { type, name: name.toLowerCase().replace(/[-_.]+/g, '-'), version };
    case 'npm': {
      const [scope, bare] = name.startsWith('@') ? splitOnce(name, '/') : [undefined, name];
      return { type, namespace: scope === undefined ? [] : [scope.toLowerCase()], name: bare.toLowerCase(), version };
    }
    case 'golang': {
      const segments = name.toLowerCase().split('/');
      return { type, namespace: segments.slice(0, -1), name: segments.at(-1)!, version };
    }
    case 'maven': {
      const [groupId, artifactId] = splitOnce(name, ':');
      return { type, namespace: groupId === undefined ? [] : [groupId], name: artifactId, version };
    }
    case 'gem':
      return { type, name, version };
  }
}

/** An installed package's purl: pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12, pkg:npm/%40scope/name@1.0.0, ... */
export function packagePurl(pkg: InstalledPackage, os: OperatingSystem | undefined): string {
  return formatPurl(packageComponents(pkg, os));
}

/** The image's purl: pkg:oci/<last repository segment>@<digest>, with where it is pulled from and the tag when known. */
export function imagePurl({ repository, digest, tag, registryHost }: SbomImage): string {
  return formatPurl({
    type: 'oci',
    name: repository.split('/').at(-1)!.toLowerCase(),
    version: digest,
    qualifiers: { repository_url: registryHost && `${registryHost}/${repository}`, tag },
  });
}
