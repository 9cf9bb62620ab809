import type { InventoryLimits } from './limits.js';
import { ScanInputError } from './scan-input-error.js';

/**
 * A tar entry's name as a path in the image's filesystem: relative to its root, without `./`, a leading
 * `/`, empty or `.` segments or a trailing `/` ("" is the root itself). A `..` segment is refused, never
 * resolved: runtimes refuse such layers too, and the scanner never treats a path as outside the root.
 */
export function imagePath(name: string, limits: Pick<InventoryLimits, 'maxPathLength' | 'maxPathDepth'>, layer: string): string {
  if (name.length > limits.maxPathLength) {
    throw new ScanInputError('limit', `${layer} has an entry path of ${name.length} characters (limit maxPathLength ${limits.maxPathLength})`);
  }
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new ScanInputError('malformed', `${layer} has the entry ${JSON.stringify(name)}, which leaves the image root`);
  if (segments.length > limits.maxPathDepth) {
    throw new ScanInputError('limit', `${layer} has an entry path ${segments.length} directories deep (limit maxPathDepth ${limits.maxPathDepth})`);
  }
  return segments.join('/');
}

/**
 * Where a symbolic link at `linkPath` points, as an image path: relative targets start from the link's
 * directory, absolute ones from the image root, and `..` stops at the root (as it does inside a chroot).
 */
export function symlinkTarget(linkPath: string, target: string): string {
  const resolved = target.startsWith('/') ? [] : linkPath.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '..') resolved.pop();
    else if (segment !== '' && segment !== '.') resolved.push(segment);
  }
  return resolved.join('/');
}
