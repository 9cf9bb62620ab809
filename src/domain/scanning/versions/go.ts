import { defineOrdering } from './ordering.js';
import { parseSemver } from './semver.js';

/**
 * Go module versions: semantic versions with a `v` (OSV's Go records leave it out), including
 * pseudo-versions (v0.0.0-20191109021931-daa7c04131f5, which order as pre-releases) and
 * `+incompatible` (build metadata, so ignored). Go toolchain versions as build info names them
 * (go1.21, go1.21.5, go1.22rc1) read as the Go vulnerability database writes the standard
 * library's versions (1.21.0, 1.21.5, 1.22.0-rc.1).
 */
const TOOLCHAIN = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?$/;

function fromToolchainVersion(version: string): string {
  const toolchain = TOOLCHAIN.exec(version);
  if (!toolchain) return version;
  const [, major, minor, patch = '0', stage, stageNumber] = toolchain;
  return `${major}.${minor}.${patch}${stage ? `-${stage}.${stageNumber}` : ''}`;
}

export const goOrdering = defineOrdering('Go', (version) => parseSemver(fromToolchainVersion(version)), (a, b) => a.compare(b));
