import type { InstalledPackage, Inventory } from '../inventory/model.js';
import { compareText } from '../versions/characters.js';
import { packagePurl } from './purl.js';

/** The image an SBOM describes. */
export interface SbomImage {
  repository: string;
  digest: string;
  /** The tag it was asked for by, when it was. */
  tag?: string;
  /** host[:port] clients pull it from, when known (publicHost). */
  registryHost?: string;
}

/** What makes each document unique, passed in so that the same input writes the same bytes. */
export interface SbomCreation {
  createdAt: Date;
  /** A random UUID: the CycloneDX serial number and the SPDX namespace's unique part. */
  uuid: string;
  /** Berth's version, for the tool that wrote the document. */
  toolVersion: string;
}

export interface ListedPackage {
  pkg: InstalledPackage;
  purl: string;
}

/** The inventory's packages with their purls, in purl then path order, so documents do not depend on the order layers were read in. */
export function listedPackages(inventory: Inventory): ListedPackage[] {
  return inventory.packages
    .map((pkg) => ({ pkg, purl: packagePurl(pkg, inventory.os) }))
    .sort((a, b) => compareText(a.purl, b.purl) || compareText(a.pkg.path, b.pkg.path));
}

/**
 * Makes identifiers distinct, in order: the first of each keeps it, repeats get `<separator>2`,
 * `<separator>3`, ... (skipping any already taken). The same package can be installed at two paths.
 */
export function distinctIds(ids: readonly string[], separator: string): string[] {
  const taken = new Set<string>();
  return ids.map((id) => {
    let distinct = id;
    for (let n = 2; taken.has(distinct); n++) distinct = `${id}${separator}${n}`;
    taken.add(distinct);
    return distinct;
  });
}
