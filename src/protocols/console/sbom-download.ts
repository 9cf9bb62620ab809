import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import { invalidParameter } from '../../domain/model/invalid-parameter.js';
import type { AccessControl } from '../../domain/policy/access-control.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Registry } from '../../domain/registry/registry.js';
import { SBOM_FORMATS, type SbomFormat, sbomDocument } from '../../domain/scanning/sbom/index.js';
import { decodeEcrInput } from '../ecr/model/validate.js';
import { type ConsoleCall, consoleAccessRequest, queryText } from './console-call.js';

export interface SbomDownloadDeps {
  registry: Registry;
  access: AccessControl;
  clock: Clock;
  /** host[:port] images are pulled from, when configured, for the SBOM's image reference. */
  publicHost?: string;
  /** Berth's version, as the tool that wrote the SBOM. */
  toolVersion: string;
}

const MEDIA_TYPES: Record<SbomFormat, string> = { cyclonedx: 'application/vnd.cyclonedx+json', spdx: 'application/spdx+json' };
const EXTENSIONS: Record<SbomFormat, string> = { cyclonedx: 'cdx.json', spdx: 'spdx.json' };

export interface SbomFile {
  fileName: string;
  mediaType: string;
  document: unknown;
}

/**
 * GET /console/api/sbom?repositoryName=&imageDigest= (or imageTag=)&format=cyclonedx|spdx: what
 * `berth sbom` writes, from the inventory the image's last scan stored; authorised as
 * ecr:DescribeImageScanFindings. SCAN_NOT_FOUND when no scan has stored an inventory.
 */
export async function sbomDownload(deps: SbomDownloadDeps, call: ConsoleCall, query: unknown): Promise<SbomFile> {
  const format = queryText(query, 'format') ?? 'cyclonedx';
  if (!(SBOM_FORMATS as readonly string[]).includes(format)) throw invalidParameter('format', `Member must satisfy enum value set: [${SBOM_FORMATS.join(', ')}]`);
  const imageTag = queryText(query, 'imageTag');
  const imageDigest = queryText(query, 'imageDigest');
  // Checked as DescribeImageScanFindings checks its input, in ECR's words.
  const { repositoryName, imageId } = decodeEcrInput('DescribeImageScanFindings', {
    repositoryName: queryText(query, 'repositoryName'),
    imageId: { ...(imageDigest !== undefined && { imageDigest }), ...(imageTag !== undefined && { imageTag }) },
  });
  await deps.access.authorize(consoleAccessRequest(call, 'ecr:DescribeImageScanFindings', { kind: 'repository', name: repositoryName }));
  const found = await deps.registry.scans.inventoryOf(repositoryName, imageId);
  if (!found.inventory) {
    throw new DomainError('SCAN_NOT_FOUND', `No scan of image ${found.imageDigest} in repository '${repositoryName}' has stored a package inventory yet: scan it first`);
  }
  const sbomFormat = format as SbomFormat;
  const document = sbomDocument(
    sbomFormat,
    found.inventory,
    {
      repository: found.repository.name,
      digest: found.imageDigest,
      ...(imageId.imageTag !== undefined && { tag: imageId.imageTag }),
      ...(deps.publicHost && { registryHost: deps.publicHost }),
    },
    { createdAt: deps.clock.now(), uuid: randomUUID(), toolVersion: deps.toolVersion },
  );
  const digestHex = found.imageDigest.slice(found.imageDigest.indexOf(':') + 1, found.imageDigest.indexOf(':') + 13);
  return { fileName: `${found.repository.name.replaceAll('/', '_')}-${digestHex}.${EXTENSIONS[sbomFormat]}`, mediaType: MEDIA_TYPES[sbomFormat], document };
}
