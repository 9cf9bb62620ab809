import type { Inventory } from '../inventory/model.js';
import { type CycloneDxBom, cycloneDxSbom } from './cyclonedx.js';
import type { SbomCreation, SbomImage } from './sbom-input.js';
import { type SpdxDocument, spdxSbom } from './spdx.js';

export type { SbomCreation, SbomImage } from './sbom-input.js';

export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** An image's inventory as an SBOM in the format asked for: CycloneDX 1.5 or SPDX 2.3 JSON. */
export function sbomDocument(format: SbomFormat, inventory: Inventory, image: SbomImage, creation: SbomCreation): CycloneDxBom | SpdxDocument {
  return format === 'spdx' ? spdxSbom(inventory, image, creation) : cycloneDxSbom(inventory, image, creation);
}
