/**
 * Key validation shared by object-store drivers. A key is a '/'-separated relative path whose
 * segments are never empty, '.' or '..', and which holds no backslash or NUL: that makes path
 * traversal impossible before any path is built from it.
 */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0) throw new Error('object key must be a non-empty string');
  if (key.includes('\\') || key.includes('\0')) throw new Error(`object key has a forbidden character: ${JSON.stringify(key)}`);
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new Error(`object key must be a relative path without empty, '.' or '..' segments: ${JSON.stringify(key)}`);
    }
  }
  return segments;
}

/** A list prefix names a directory: '' is everything, a trailing '/' is allowed. */
export function prefixSegments(prefix: string): string[] {
  if (prefix === '') return [];
  return keySegments(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
