/** The console API's own endpoints: image detail, SBOM downloads and storage usage. */
import { apiRequest } from './client.js';

export interface ImageDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

export interface PlatformDescriptor extends ImageDescriptor {
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ReferrerDescriptor extends ImageDescriptor {
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageContent {
  repositoryName: string;
  imageDigest: string;
  mediaType: string;
  manifest: unknown;
  /** Null for an index, an artifact without a JSON config, or a config over the size Berth shows. */
  config: unknown;
  layers: ImageDescriptor[];
  platforms: PlatformDescriptor[];
  referrers: ReferrerDescriptor[];
  sizeInBytes: number;
}

export function getImageContent(repositoryName: string, imageDigest: string, signal?: AbortSignal): Promise<ImageContent> {
  const query = new URLSearchParams({ repositoryName, imageDigest });
  return apiRequest('GET', `/console/api/image?${query}`, undefined, signal ? { signal } : {});
}

export type SbomFormat = 'cyclonedx' | 'spdx';

export function sbomUrl(repositoryName: string, imageDigest: string, format: SbomFormat): string {
  return `/console/api/sbom?${new URLSearchParams({ repositoryName, imageDigest, format })}`;
}

export interface RepositoryStorage {
  repositoryName: string;
  bytes: number;
  images: number;
  monthlyCost: number;
}

export interface StorageUsage {
  pricePerGbMonth: number;
  /** Absent when the principal may not describe the registry. */
  registry?: { bytes: number; images: number; monthlyCost: number };
  repositories: RepositoryStorage[];
  history?: { at: string; bytes: number }[];
}

export function getStorageUsage(signal?: AbortSignal): Promise<StorageUsage> {
  return apiRequest('GET', '/console/api/storage', undefined, signal ? { signal } : {});
}
