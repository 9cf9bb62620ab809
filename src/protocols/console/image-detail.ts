import { Writable } from 'node:stream';
import { isDomainError } from '../../domain/errors.js';
import { Digest } from '../../domain/model/digest.js';
import { isObject } from '../../domain/model/descriptor.js';
import { type ParsedManifest, parseManifest } from '../../domain/model/manifest.js';
import type { AccessControl } from '../../domain/policy/access-control.js';
import { imageNotFound } from '../../domain/registry/ecr-errors.js';
import type { Registry } from '../../domain/registry/registry.js';
import { decodeEcrInput } from '../ecr/model/validate.js';
import { type ConsoleCall, consoleAccessRequest, queryText } from './console-call.js';

/** Image configs are small (a few KiB); the console shows none larger than this. */
export const CONFIG_DISPLAY_LIMIT = 4 * 1024 * 1024;

export interface ImageDetailDeps {
  registry: Registry;
  access: AccessControl;
}

interface DescriptorView {
  digest: string;
  mediaType: string;
  size: number;
}

/** What the console's image page shows beyond DescribeImages: the manifest, its config, layers, platforms and referrers. */
export interface ImageDetailView {
  repositoryName: string;
  imageDigest: string;
  mediaType: string;
  manifest: unknown;
  /** The parsed config, or null: an index has none, and one too large, not JSON or not readable by the caller is not shown. */
  config: unknown;
  /** Why an image's config is null. */
  configUnavailable?: string;
  layers: DescriptorView[];
  /** An index's entries, with their platform when the entry names one. */
  platforms: Array<DescriptorView & { platform?: { os?: string; architecture?: string; variant?: string } }>;
  /** Signatures, SBOMs, attestations: manifests whose subject is this one. */
  referrers: Array<DescriptorView & { artifactType?: string; annotations?: Record<string, string> }>;
  /** As DescribeImages reports it. */
  sizeInBytes: number;
}

/**
 * GET /console/api/image?repositoryName=&imageDigest= (or imageTag=): authorised as ecr:BatchGetImage
 * on the repository, and reading the config as ecr:GetDownloadUrlForLayer. Looking is not pulling: no
 * pull time is recorded. An archived image is refused as a pull of it is (ImageArchivedException).
 */
export async function imageDetail(deps: ImageDetailDeps, call: ConsoleCall, query: unknown): Promise<ImageDetailView> {
  const imageTag = queryText(query, 'imageTag');
  const imageDigest = queryText(query, 'imageDigest');
  // Checked as DescribeImages checks its input, in ECR's words.
  const { repositoryName, imageIds } = decodeEcrInput('DescribeImages', {
    repositoryName: queryText(query, 'repositoryName'),
    imageIds: [{ ...(imageDigest !== undefined && { imageDigest }), ...(imageTag !== undefined && { imageTag }) }],
  });
  await deps.access.authorize(consoleAccessRequest(call, 'ecr:BatchGetImage', { kind: 'repository', name: repositoryName }));
  const { repository, imageDetails } = await deps.registry.images.describeImages(repositoryName, { imageIds: imageIds! });
  const image = imageDetails[0];
  if (!image) throw imageNotFound(imageIds![0]!, repositoryName, deps.registry.registryId);
  const manifest = await deps.registry.manifests.get(repository, { kind: 'digest', digest: Digest.parse(image.imageDigest) });
  const parsed = parseManifest(manifest.payload, manifest.mediaType);
  const document: unknown = JSON.parse(Buffer.from(manifest.payload).toString('utf8'));
  const referrers = await deps.registry.manifests.referrers(repository, Digest.parse(manifest.digest));
  const config = parsed.config ? await readConfig(deps, call, repository.id, repositoryName, parsed.config) : { config: null };
  return {
    repositoryName: repository.name,
    imageDigest: manifest.digest,
    mediaType: manifest.mediaType,
    manifest: document,
    ...config,
    layers: parsed.kind === 'image' ? parsed.blobs.slice(1).map(descriptorView) : [],
    platforms: parsed.kind === 'index' ? platformsOf(parsed) : [],
    referrers: referrers.map((r) => ({
      digest: r.digest,
      mediaType: r.mediaType,
      size: r.size,
      ...(r.artifactType !== null && { artifactType: r.artifactType }),
      ...(r.annotations !== null && { annotations: r.annotations }),
    })),
    sizeInBytes: image.imageSizeInBytes,
  };
}

async function readConfig(
  deps: ImageDetailDeps,
  call: ConsoleCall,
  repositoryId: number,
  repositoryName: string,
  descriptor: NonNullable<ParsedManifest['config']>,
): Promise<{ config: unknown; configUnavailable?: string }> {
  try {
    await deps.access.authorize(consoleAccessRequest(call, 'ecr:GetDownloadUrlForLayer', { kind: 'repository', name: repositoryName }));
  } catch (err) {
    if (isDomainError(err, 'DENIED')) return { config: null, configUnavailable: err.message };
    throw err;
  }
  if (descriptor.size > CONFIG_DISPLAY_LIMIT) {
    return { config: null, configUnavailable: `The config is ${descriptor.size} bytes, more than the ${CONFIG_DISPLAY_LIMIT} bytes (4 MiB) the console shows` };
  }
  const bytes = await readBlob(deps.registry, repositoryId, descriptor.digest);
  try {
    return { config: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { config: null, configUnavailable: `The config (${descriptor.mediaType}) is not JSON` };
  }
}

/** A small blob's bytes, read whole. */
async function readBlob(registry: Registry, repositoryId: number, digest: Digest): Promise<Buffer> {
  const blob = await registry.blobs.stat(repositoryId, digest);
  const chunks: Buffer[] = [];
  // The sender reuses its buffers once a write is taken: keep copies.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await (await registry.blobs.openForSend(blob)).sendTo(sink);
  return Buffer.concat(chunks);
}

function descriptorView(descriptor: { digest: Digest; mediaType: string; size: number }): DescriptorView {
  return { digest: descriptor.digest.toString(), mediaType: descriptor.mediaType, size: descriptor.size };
}

function platformsOf(parsed: ParsedManifest): ImageDetailView['platforms'] {
  return parsed.manifests.map((entry) => {
    const platform = entry.platform;
    const text = (key: string) => (platform && typeof platform[key] === 'string' ? { [key]: platform[key] as string } : {});
    return { ...descriptorView(entry), ...(isObject(platform) && { platform: { ...text('os'), ...text('architecture'), ...text('variant') } }) };
  });
}
