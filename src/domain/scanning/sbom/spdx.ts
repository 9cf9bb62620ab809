import type { InstalledPackage, Inventory } from '../inventory/model.js';
import { isSpdxLicenseExpression } from './license-expression.js';
import { imagePurl } from './purl.js';
import { distinctIds, listedPackages, type SbomCreation, type SbomImage } from './sbom-input.js';

const NOASSERTION = 'NOASSERTION';
const DOCUMENT_ID = 'SPDXRef-DOCUMENT';
const IMAGE_ID = 'SPDXRef-Image';
const OPERATING_SYSTEM_ID = 'SPDXRef-OperatingSystem';
/** Image digest algorithms SPDX has a checksum algorithm for. */
const CHECKSUM_DIGEST = /^(sha256|sha384|sha512):([0-9a-f]+)$/;

interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: typeof NOASSERTION;
  /** Packages are described, not their files (which would need a verification code). */
  filesAnalyzed: false;
  checksums?: { algorithm: string; checksumValue: string }[];
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  description?: string;
  externalRefs?: SpdxExternalRef[];
  primaryPackagePurpose: 'CONTAINER' | 'OPERATING-SYSTEM' | 'LIBRARY';
}

interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS';
  relatedSpdxElement: string;
}

/** An SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/), the parts Berth writes. */
export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: typeof DOCUMENT_ID;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
}

/** An SPDX id from free text: only letters, digits, `.` and `-`, each run of anything else (and of dashes) one dash. */
function spdxIdentifier(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '') || 'unnamed'}`;
}

/** A package as Berth describes one: where to download it and its licences unasserted, its files not analysed. */
function spdxPackage(SPDXID: string, name: string, versionInfo: string) {
  return { SPDXID, name, versionInfo, downloadLocation: NOASSERTION, filesAnalyzed: false, licenseConcluded: NOASSERTION, licenseDeclared: NOASSERTION } as const;
}

const purlRef = (purl: string): SpdxExternalRef[] => [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }];

/**
 * Declared licences as SPDX expressions: one that is written as an expression is kept; free text
 * becomes a LicenseRef whose text the document carries (hasExtractedLicensingInfos).
 */
function declaredLicenses(packages: readonly InstalledPackage[]) {
  const freeText = [...new Set(packages.flatMap(({ license }) => (license && !isSpdxLicenseExpression(license) ? [license] : [])))];
  const refs = distinctIds(freeText.map((text) => spdxIdentifier('LicenseRef', text)), '-');
  const refOf = new Map(freeText.map((text, i) => [text, refs[i]!]));
  return {
    declared: (license: string | undefined) => (license ? (refOf.get(license) ?? license) : NOASSERTION),
    extracted: freeText.map((text) => ({ licenseId: refOf.get(text)!, extractedText: text, name: text })),
  };
}

function sourceInfo(pkg: InstalledPackage): string {
  const source = pkg.sourceName === undefined ? '' : `, built from source package ${[pkg.sourceName, pkg.sourceVersion].filter((part) => part !== undefined).join(' ')}`;
  return `found in ${pkg.path}${source}`;
}

/**
 * The image's inventory as an SPDX 2.3 document: the document DESCRIBES the image, which CONTAINS
 * its operating system and each package installed in it. Licences are declared as found;
 * Berth concludes none (licenseConcluded NOASSERTION).
 */
export function spdxSbom(inventory: Inventory, image: SbomImage, creation: SbomCreation): SpdxDocument {
  const listed = listedPackages(inventory);
  const licenses = declaredLicenses(listed.map(({ pkg }) => pkg));
  const ids = distinctIds(listed.map(({ pkg }) => spdxIdentifier('SPDXRef-Package', `${pkg.type}-${pkg.name}-${pkg.version}`)), '-');
  const packages = listed.map(
    ({ pkg, purl }, i): SpdxPackage => ({
      ...spdxPackage(ids[i]!, pkg.name, pkg.version),
      sourceInfo: sourceInfo(pkg),
      licenseDeclared: licenses.declared(pkg.license),
      externalRefs: purlRef(purl),
      primaryPackagePurpose: 'LIBRARY',
    }),
  );
  const [, algorithm, checksum] = CHECKSUM_DIGEST.exec(image.digest) ?? [];
  const imagePackage: SpdxPackage = {
    ...spdxPackage(IMAGE_ID, image.repository, image.digest),
    ...(algorithm && { checksums: [{ algorithm: algorithm.toUpperCase(), checksumValue: checksum! }] }),
    externalRefs: purlRef(imagePurl(image)),
    primaryPackagePurpose: 'CONTAINER',
  };
  const os = inventory.os;
  const osPackages: SpdxPackage[] = os
    ? [{ ...spdxPackage(OPERATING_SYSTEM_ID, os.id, os.versionId), ...(os.prettyName && { description: os.prettyName }), primaryPackagePurpose: 'OPERATING-SYSTEM' }]
    : [];
  const contained = [...osPackages, ...packages];
  const name = `${image.repository}@${image.digest}`;
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT_ID,
    name,
    documentNamespace: `https://spdx.org/spdxdocs/berth/${name}-${creation.uuid}`,
    creationInfo: { created: creation.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'), creators: [`Tool: berth-${creation.toolVersion}`] },
    ...(licenses.extracted.length > 0 && { hasExtractedLicensingInfos: licenses.extracted }),
    packages: [imagePackage, ...contained],
    relationships: [
      { spdxElementId: DOCUMENT_ID, relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE_ID },
      ...contained.map(({ SPDXID }): SpdxRelationship => ({ spdxElementId: IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: SPDXID })),
    ],
  };
}
