/** How the console names an image's kind from its media types. */
import type { ImageDetail } from '../api/ecr.js';

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return !!mediaType && INDEX_TYPES.has(mediaType);
}

/** "Image", "Image index", or the artifact type of anything else (a signature, an SBOM). */
export function imageKind(image: Pick<ImageDetail, 'imageManifestMediaType' | 'artifactMediaType'>): string {
  if (isIndexMediaType(image.imageManifestMediaType)) return 'Image index';
  if (!image.artifactMediaType || IMAGE_CONFIG_TYPES.has(image.artifactMediaType)) return 'Image';
  return image.artifactMediaType;
}

/** Scan states after which nothing changes without a new scan. */
export function scanInFlight(status: string | undefined): boolean {
  return status === 'IN_PROGRESS' || status === 'PENDING';
}

const ARTIFACT_KINDS: [RegExp, string][] = [
  [/^application\/vnd\.dev\.cosign\.artifact\.sig/, 'Signature (cosign)'],
  [/^application\/vnd\.cncf\.notary\.signature/, 'Signature (Notation)'],
  [/^application\/vnd\.dev\.sigstore\.bundle/, 'Sigstore bundle'],
  [/spdx/, 'SBOM (SPDX)'],
  [/cyclonedx/, 'SBOM (CycloneDX)'],
  [/syft/, 'SBOM (Syft)'],
  [/in-toto|dsse/, 'Attestation (in-toto)'],
];

/** A referrer's kind for people: signature, SBOM or attestation, else its artifact type as is. */
export function artifactKind(artifactType: string | undefined): string {
  if (!artifactType) return 'Artifact';
  return ARTIFACT_KINDS.find(([pattern]) => pattern.test(artifactType))?.[1] ?? artifactType;
}
