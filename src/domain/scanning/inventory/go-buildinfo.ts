import type { InstalledPackage } from './model.js';

/** Starts the build info the Go linker writes into every binary (debug/buildinfo). */
export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** The build info sits at a 16-byte aligned offset; other copies of the magic (in the toolchain's own code) do not count. */
export const GO_BUILDINFO_ALIGNMENT = 16;

const HEADER_BYTES = 32;
const FLAGS_OFFSET = 15;
/** Go 1.18 and later write the version and module strings inline after the header. */
const INLINE_STRINGS_FLAG = 0x2;
/** runtime/debug wraps the module text in 16-byte sentinels. */
const MODINFO_SENTINEL_BYTES = 16;
const MAX_VARINT_BYTES = 10;

export type GoBuildInfo = { goVersion: string; modules: string };

/**
 * Decodes the build info at the start of `bytes` (which begin with the magic): the Go version and
 * the module text, or 'incomplete' when more bytes are needed, or 'legacy' for the pointer-based
 * layout of Go before 1.18, which cannot be read without the binary's sections. Throws a SyntaxError
 * for lengths that make no sense.
 */
export function decodeGoBuildInfo(bytes: Buffer): GoBuildInfo | 'incomplete' | 'legacy' {
  if (bytes.length < HEADER_BYTES) return 'incomplete';
  if ((bytes[FLAGS_OFFSET]! & INLINE_STRINGS_FLAG) === 0) return 'legacy';
  const version = lengthPrefixed(bytes, HEADER_BYTES);
  if (version === 'incomplete') return version;
  const modules = lengthPrefixed(bytes, version.end);
  if (modules === 'incomplete') return modules;
  return { goVersion: version.value.toString('utf8'), modules: withoutSentinels(modules.value).toString('utf8') };
}

/**
 * The modules a Go binary was built from, as Go vulnerability data names them: `stdlib` at the
 * toolchain's version, the main module (unless it is a `(devel)` build) and every dependency,
 * replacements applied. Versions keep Go's `v` prefix. A dependency replaced by a local directory
 * has no version to match and is left out.
 */
export function goModules(info: GoBuildInfo, path: string): InstalledPackage[] {
  const stdlib = stdlibVersion(info.goVersion);
  const modules = stdlib ? [{ name: 'stdlib', version: stdlib }] : [];
  const firstModule = modules.length;
  for (const line of info.modules.split('\n')) {
    const [kind, name = '', version = ''] = line.split('\t');
    if (kind === 'mod' || kind === 'dep') modules.push({ name, version });
    else if (kind === '=>' && modules.length > firstModule) modules[modules.length - 1] = { name, version };
  }
  return modules
    .filter(({ name, version }) => name !== '' && version !== '' && version !== '(devel)')
    .map(({ name, version }) => ({ type: 'golang', name, version, path }));
}

/** go1.21.4 -> v1.21.4, go1.20 -> v1.20.0, go1.22rc1 -> v1.22.0-rc.1; anything else (devel builds, vendor toolchains) has none. */
function stdlibVersion(goVersion: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(goVersion.split(' ')[0]!);
  if (!match) return undefined;
  const [, major, minor, patch, preKind, preNumber] = match;
  return `v${major}.${minor}.${patch ?? 0}${preKind ? `-${preKind}.${preNumber}` : ''}`;
}

function lengthPrefixed(bytes: Buffer, start: number): { value: Buffer; end: number } | 'incomplete' {
  let length = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (start + i >= bytes.length) return 'incomplete';
    const byte = bytes[start + i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      const end = start + i + 1 + length;
      return end > bytes.length ? 'incomplete' : { value: bytes.subarray(start + i + 1, end), end };
    }
  }
  throw new SyntaxError('a string length in the Go build info is not a valid varint');
}

function withoutSentinels(modules: Buffer): Buffer {
  const wrapped = modules.length >= 2 * MODINFO_SENTINEL_BYTES + 1 && modules[modules.length - MODINFO_SENTINEL_BYTES - 1] === 0x0a;
  return wrapped ? modules.subarray(MODINFO_SENTINEL_BYTES, modules.length - MODINFO_SENTINEL_BYTES) : Buffer.alloc(0);
}
