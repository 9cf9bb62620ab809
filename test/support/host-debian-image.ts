/**
 * Images made of this machine's real Debian package database, for scanning tests, and the
 * findings they should get: a ground truth computed with `dpkg --compare-versions` over the same
 * real OSV records, independently of Berth's matcher.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OsvRecord } from '../../src/domain/scanning/osv/record.js';
import { gzip, tarLayer } from './layer-builder.js';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, type OciClient } from './oci-client.js';
import { repoRoot } from './tools.js';

/** Real Debian OSV records (extracted from ../shared/vulndb/Debian/all.zip), some of which this machine's packages are affected by. */
export const DEBIAN_OSV_FIXTURES = join(repoRoot, 'test/fixtures/scan-vulndb/Debian');
export const DPKG_STATUS = '/var/lib/dpkg/status';

export function debianFixtureRecords(): OsvRecord[] {
  return readdirSync(DEBIAN_OSV_FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(DEBIAN_OSV_FIXTURES, file), 'utf8')) as OsvRecord);
}

/** Why the tests of this machine's packages cannot run here, or undefined when they can. */
export const dpkgMissing = (() => {
  try {
    execFileSync('dpkg', ['--version']);
    readFileSync(DPKG_STATUS);
    return undefined;
  } catch {
    return 'needs a Debian machine: dpkg and /var/lib/dpkg/status';
  }
})();

/** A gzip'd tar layer of the given files. */
export async function layerOf(files: Record<string, string>): Promise<Buffer> {
  return gzip(await tarLayer(Object.entries(files).map(([name, content]) => ({ name, content }))));
}

/** A layer holding this machine's os-release and dpkg status. */
export function hostDebianLayer(): Promise<Buffer> {
  return layerOf({ 'etc/os-release': readFileSync('/etc/os-release', 'utf8'), 'var/lib/dpkg/status': readFileSync(DPKG_STATUS, 'utf8') });
}

/** Pushes an image of one layer; resolves with its manifest digest. */
export async function pushLayerImage(oci: OciClient, repository: string, tag: string, layer: Buffer, configType = OCI_CONFIG): Promise<string> {
  const config = await oci.pushBlob(repository, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, tag }), configType);
  const layerDescriptor = await oci.pushBlob(repository, layer, OCI_LAYER);
  return (await oci.pushManifest(repository, tag, { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layerDescriptor] })).digest;
}

/** Source package -> source version of every installed package of a dpkg status file. */
export function installedSources(status: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const paragraph of status.split(/\n\n+/)) {
    const field = (name: string) => paragraph.match(new RegExp(`^${name}: *(.*)$`, 'm'))?.[1];
    if (!field('Status')?.endsWith('install ok installed')) continue;
    const [, source, sourceVersion] = field('Source')?.match(/^(\S+)(?: \((.+)\))?$/) ?? [];
    sources.set(source ?? field('Package')!, sourceVersion ?? field('Version')!);
  }
  return sources;
}

export function dpkgCompare(a: string, op: 'lt' | 'ge' | 'le' | 'eq', b: string): boolean {
  try {
    execFileSync('dpkg', ['--compare-versions', a, op, b]);
    return true;
  } catch {
    return false;
  }
}

/** The (vulnerability, source package) pairs the records say the installed versions have, as "<id> <package>", computed with dpkg itself. */
export function groundTruth(records: OsvRecord[], installed: Map<string, string>): Set<string> {
  const found = new Map<string, string>();
  for (const record of records) {
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem !== 'Debian:12') continue;
      const version = installed.get(affected.package.name ?? '');
      if (version === undefined) continue;
      const inRange = (affected.ranges ?? [])
        .filter((range) => range.type === 'ECOSYSTEM')
        .some((range) => {
          const introduced = range.events.find((e) => e.introduced !== undefined)?.introduced ?? '0';
          const fixed = range.events.find((e) => e.fixed !== undefined)?.fixed;
          return (introduced === '0' || dpkgCompare(version, 'ge', introduced)) && (fixed === undefined || dpkgCompare(version, 'lt', fixed));
        });
      if (inRange || affected.versions?.includes(version)) {
        // A DSA reports the CVEs it relates to: the CVE is the finding.
        const ids = record.id.startsWith('CVE-') ? [record.id] : (record.related ?? []).filter((id) => id.startsWith('CVE-'));
        for (const id of ids.length ? ids : [record.id]) found.set(`${id} ${affected.package.name}`, id);
      }
    }
  }
  return new Set(found.keys());
}
