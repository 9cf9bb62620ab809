import type { InstalledPackage } from './model.js';

/**
 * An installed npm package's package.json: its name and version, and its licence (an SPDX string,
 * or the older `{ "type": ... }` form). Throws a SyntaxError for invalid JSON or a missing name or version.
 */
export function parseNpmPackage(text: string, path: string): InstalledPackage[] {
  const manifest: unknown = JSON.parse(text);
  const { name, version, license } = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as Record<string, unknown>;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    throw new SyntaxError('package.json has no string name and version');
  }
  const licenseName = typeof license === 'string' ? license : typeof license === 'object' && license !== null ? (license as { type?: unknown }).type : undefined;
  return [{ type: 'npm', name, version, path, ...(typeof licenseName === 'string' && licenseName !== '' && { license: licenseName }) }];
}
