/**
 * What a scan found installed in an image's final filesystem: the shape extractors produce,
 * the metadata store keeps (so continuous scanning re-matches without re-reading layers),
 * the matcher reads and the SBOM exporters write out.
 */

/** From /etc/os-release (or /usr/lib/os-release). */
export interface OperatingSystem {
  /** `ID`, lower case: debian, ubuntu, alpine, rhel, rocky, almalinux, fedora, centos, amzn, ... */
  id: string;
  /** `VERSION_ID` as written: 12, 22.04, 3.19.1, 9.3 */
  versionId: string;
  /** `VERSION_CODENAME` when present: bookworm, jammy */
  codename?: string;
  prettyName?: string;
}

/** purl types (https://github.com/package-url/purl-spec) of the package managers Berth reads. */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'pypi' | 'npm' | 'golang' | 'maven' | 'gem';

export interface InstalledPackage {
  type: PackageType;
  /** As the package manager names it; Maven as `groupId:artifactId`, Go as the module path. */
  name: string;
  version: string;
  /** Distribution packages: the source package vulnerability feeds are keyed by (dpkg `Source:`, rpm SOURCERPM, apk origin). */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** Where it was found in the image's filesystem, without a leading slash: var/lib/dpkg/status, usr/lib/python3/dist-packages/x.dist-info/METADATA */
  path: string;
  license?: string;
}

export interface Inventory {
  /** Absent when no os-release was found (scratch, distroless without one). */
  os?: OperatingSystem;
  packages: InstalledPackage[];
  /** Files the scan skipped and why (a malformed package.json, a nested archive too deep); absent when there were none. */
  warnings?: string[];
}
