import type { Inventory, OperatingSystem } from '../inventory/model.js';
import { isSpdxLicenseExpression } from './license-expression.js';
import { imagePurl } from './purl.js';
import { distinctIds, listedPackages, type SbomCreation, type SbomImage } from './sbom-input.js';

type CycloneDxLicense = { expression: string } | { license: { name: string } };

interface CycloneDxProperty {
  name: string;
  value: string;
}

export interface CycloneDxComponent {
  'bom-ref': string;
  type: 'container' | 'library' | 'operating-system';
  name: string;
  version: string;
  description?: string;
  licenses?: CycloneDxLicense[];
  purl?: string;
  properties?: CycloneDxProperty[];
}

/** A CycloneDX 1.5 JSON document (https://cyclonedx.org/docs/1.5/json/), the parts Berth writes. */
export interface CycloneDxBom {
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    component: CycloneDxComponent;
  };
  components: CycloneDxComponent[];
}

/** An SPDX expression as one; anything else (free text such as "BSD License") as a named licence. */
function cycloneDxLicense(license: string): CycloneDxLicense {
  return isSpdxLicenseExpression(license) ? { expression: license } : { license: { name: license } };
}

function operatingSystemComponent(os: OperatingSystem): CycloneDxComponent {
  return {
    'bom-ref': `os:${os.id}@${os.versionId}`,
    type: 'operating-system',
    name: os.id,
    version: os.versionId,
    ...(os.prettyName && { description: os.prettyName }),
  };
}

/**
 * The image's inventory as a CycloneDX 1.5 BOM: the image as the metadata component, its
 * operating system and each package it has installed as components, with purls, licences and,
 * as properties, where each was found (berth:path) and the source package it was built from.
 */
export function cycloneDxSbom(inventory: Inventory, image: SbomImage, creation: SbomCreation): CycloneDxBom {
  const listed = listedPackages(inventory);
  const refs = distinctIds(listed.map(({ purl }) => purl), '#');
  const packages = listed.map(({ pkg, purl }, i): CycloneDxComponent => {
    const properties: CycloneDxProperty[] = [{ name: 'berth:path', value: pkg.path }];
    if (pkg.sourceName !== undefined) properties.push({ name: 'berth:source-name', value: pkg.sourceName });
    if (pkg.sourceVersion !== undefined) properties.push({ name: 'berth:source-version', value: pkg.sourceVersion });
    return {
      'bom-ref': refs[i]!,
      type: 'library',
      name: pkg.name,
      version: pkg.version,
      ...(pkg.license && { licenses: [cycloneDxLicense(pkg.license)] }),
      purl,
      properties,
    };
  });
  const purl = imagePurl(image);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${creation.uuid}`,
    version: 1,
    metadata: {
      timestamp: creation.createdAt.toISOString(),
      tools: { components: [{ type: 'application', name: 'berth', version: creation.toolVersion }] },
      component: { 'bom-ref': purl, type: 'container', name: image.repository, version: image.digest, purl },
    },
    components: [...(inventory.os ? [operatingSystemComponent(inventory.os)] : []), ...packages],
  };
}
