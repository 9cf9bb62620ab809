/**
 * The console's URLs. Repository names may contain slashes, so a repository page is
 * /console/repositories/<name> with its tab in the query, and an image is .../<name>/images/<digest>:
 * a digest contains ':' and no repository path component can, so the split is unambiguous.
 */

export const CONSOLE_ROOT = '/console';
export const REPOSITORIES_PATH = '/console/repositories';
export const CREATE_REPOSITORY_PATH = '/console/create-repository';
export const SETTINGS_PATH = '/console/settings';
/** What the router handles: console pages, not the API or assets under the same prefix. */
export const CONSOLE_SCOPE = /^\/console(?!\/api\/|\/assets\/)/;

const encodePath = (name: string) => name.split('/').map(encodeURIComponent).join('/');

export function repositoryPath(repositoryName: string, tab?: string): string {
  return `${REPOSITORIES_PATH}/${encodePath(repositoryName)}${tab ? `?tab=${encodeURIComponent(tab)}` : ''}`;
}

export function imagePath(repositoryName: string, imageDigest: string): string {
  return `${REPOSITORIES_PATH}/${encodePath(repositoryName)}/images/${encodeURIComponent(imageDigest).replace('%3A', ':')}`;
}

export function settingsPath(tab?: string): string {
  return tab ? `${SETTINGS_PATH}?tab=${encodeURIComponent(tab)}` : SETTINGS_PATH;
}

/** What a path under /console/repositories/ names: a repository, or one of its images. */
export function parseRepositoryPath(path: string): { repositoryName: string; imageDigest?: string } | undefined {
  if (!path.startsWith(`${REPOSITORIES_PATH}/`)) return undefined;
  const segments = path.slice(REPOSITORIES_PATH.length + 1).split('/').filter(Boolean).map(decodeURIComponent);
  const last = segments[segments.length - 1];
  if (segments.length >= 3 && segments[segments.length - 2] === 'images' && last?.includes(':')) {
    return { repositoryName: segments.slice(0, -2).join('/'), imageDigest: last };
  }
  return segments.length > 0 ? { repositoryName: segments.join('/') } : undefined;
}
