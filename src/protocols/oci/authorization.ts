import type { OciRoute } from './routes.js';

export type OciMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/**
 * The ECR action AWS checks for each OCI request, in one table (docs/security.md shows it).
 * undefined: the request needs only an authenticated caller (the base endpoint), or names no
 * repository (the catalog, filtered per repository with ecr:DescribeRepositories).
 */
export const OCI_ACTIONS: Record<Exclude<OciRoute['kind'], 'base' | 'catalog'>, Partial<Record<OciMethod, string>>> = {
  manifest: { GET: 'ecr:BatchGetImage', HEAD: 'ecr:BatchGetImage', PUT: 'ecr:PutImage', DELETE: 'ecr:BatchDeleteImage' },
  tags: { GET: 'ecr:ListImages' },
  referrers: { GET: 'ecr:BatchGetImage' },
  blob: { GET: 'ecr:GetDownloadUrlForLayer', HEAD: 'ecr:BatchCheckLayerAvailability', DELETE: 'ecr:BatchDeleteImage' },
  uploads: { POST: 'ecr:InitiateLayerUpload' },
  upload: { PATCH: 'ecr:UploadLayerPart', GET: 'ecr:UploadLayerPart', DELETE: 'ecr:UploadLayerPart', PUT: 'ecr:CompleteLayerUpload' },
};

/** The catalog lists only repositories the caller may describe. */
export const CATALOG_ACTION = 'ecr:DescribeRepositories';
/** A cross-repository mount reads the blob from its source: the caller must be able to pull it there. */
export const MOUNT_SOURCE_ACTION = 'ecr:GetDownloadUrlForLayer';
/** Pushing to a missing repository creates it (create-on-push) only for callers who may create it. */
export const CREATE_ON_PUSH_ACTION = 'ecr:CreateRepository';

export function ociActionFor(route: OciRoute, method: OciMethod): string | undefined {
  return route.kind === 'base' || route.kind === 'catalog' ? undefined : OCI_ACTIONS[route.kind][method];
}
