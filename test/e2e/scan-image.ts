/**
 * A real Debian 12 image with known-old packages, for the scanning tests: a `debootstrap
 * --variant=minbase` bookworm root filesystem with python3-requests (Debian's urllib3, requests,
 * idna, certifi, chardet: Python distributions with *.egg-info / *.dist-info metadata) imported
 * with `docker import`, then a build that adds real npm packages at old versions (`npm pack` from
 * the npm registry) and deletes one Python distribution in an upper layer (a whiteout).
 *
 * The root filesystem tarball and the npm tarballs are cached in $BERTH_E2E_STATE/scan-image
 * (default /tmp/berth-e2e-state), so only the first run needs the Debian mirror and the npm registry.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runOk, tempDir, removeDir, which } from '../support/tools.js';
import type { DockerCli } from './local-images.js';

const CACHE = path.join(process.env.BERTH_E2E_STATE ?? '/tmp/berth-e2e-state', 'scan-image');
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const DEBIAN_INCLUDES = ['python3-requests'];

/** npm packages at versions with published advisories, and where each goes in the image. */
const NPM_PACKAGES = [
  { spec: 'lodash@4.17.15', dir: 'node_modules/lodash' },
  { spec: 'minimist@1.2.0', dir: 'node_modules/minimist' },
  { spec: 'qs@6.5.2', dir: 'node_modules/qs' },
  { spec: '@babel/traverse@7.22.0', dir: 'node_modules/@babel/traverse' },
] as const;

/** The Python distribution the upper layer deletes: the scan must not report it. */
const DELETED_DISTRIBUTION = '/usr/lib/python3/dist-packages/idna-*';

/** Why the image cannot be built here, or undefined. */
export function scanImageUnavailable(): string | undefined {
  for (const tool of ['debootstrap', 'npm', 'tar']) {
    if (!which(tool)) return `${tool} is not installed (run .ci/e2e-setup.sh)`;
  }
  return undefined;
}

/** The minbase root filesystem as a tar, made by debootstrap on the first call and cached. */
export async function debianRootfsTar(): Promise<string> {
  const tarball = path.join(CACHE, `debian-bookworm-minbase-${DEBIAN_INCLUDES.join('+')}.tar`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(CACHE, { recursive: true });
  const root = tempDir('debootstrap');
  try {
    await runOk('debootstrap', ['--variant=minbase', `--include=${DEBIAN_INCLUDES.join(',')}`, 'bookworm', root, DEBIAN_MIRROR], { timeoutMs: 1_200_000 });
    const partial = `${tarball}.partial`;
    await runOk('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.'], { timeoutMs: 600_000 });
    renameSync(partial, tarball);
  } finally {
    removeDir(root);
  }
  return tarball;
}

/** npm's tarball name for a spec: @babel/traverse@7.22.0 -> babel-traverse-7.22.0.tgz. */
function npmTarballName(spec: string): string {
  const at = spec.lastIndexOf('@');
  return `${spec.slice(0, at).replace(/^@/, '').replace('/', '-')}-${spec.slice(at + 1)}.tgz`;
}

/** Unpacks the npm packages (fetched with `npm pack` once, then cached) into `dir`. */
async function writeNpmPackages(dir: string): Promise<void> {
  const npmCache = path.join(CACHE, 'npm');
  mkdirSync(npmCache, { recursive: true });
  const missing = NPM_PACKAGES.filter(({ spec }) => !existsSync(path.join(npmCache, npmTarballName(spec))));
  if (missing.length > 0) await runOk('npm', ['pack', '--silent', '--pack-destination', npmCache, ...missing.map(({ spec }) => spec)], { cwd: npmCache, timeoutMs: 300_000 });
  for (const { spec, dir: target } of NPM_PACKAGES) {
    const into = path.join(dir, target);
    mkdirSync(into, { recursive: true });
    await runOk('tar', ['-xzf', path.join(npmCache, npmTarballName(spec)), '-C', into, '--strip-components=1', '--no-same-owner']);
  }
}

/**
 * Builds the image as `tag`: the imported root filesystem, a layer of npm packages under
 * /srv/app, and a layer that deletes a Python distribution. Returns the base image's tag, which
 * the caller removes with the image.
 */
export async function buildScanImage(docker: DockerCli, tag: string): Promise<{ baseTag: string }> {
  const baseTag = `${tag}-base`;
  await docker.ok(['import', await debianRootfsTar(), baseTag], { timeoutMs: 600_000 });
  const context = tempDir('scan-image');
  try {
    await writeNpmPackages(path.join(context, 'app'));
    const dockerfile = [`FROM ${baseTag}`, 'COPY app /srv/app', `RUN rm -r ${DELETED_DISTRIBUTION}`, 'CMD ["/bin/bash"]'];
    writeFileSync(path.join(context, 'Dockerfile'), `${dockerfile.join('\n')}\n`);
    await docker.ok(['build', '-q', '--network', 'none', '-t', tag, context], { timeoutMs: 600_000 });
  } finally {
    removeDir(context);
  }
  return { baseTag };
}

/** The image's final filesystem as one tar (`docker create` + `docker export`), written to `file`. */
export async function exportImageFilesystem(docker: DockerCli, tag: string, file: string): Promise<void> {
  const container = (await docker.ok(['create', tag])).trim();
  try {
    await docker.ok(['export', '-o', file, container], { timeoutMs: 600_000 });
  } finally {
    await docker.run(['rm', '-f', container]);
  }
}
