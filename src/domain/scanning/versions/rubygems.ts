import { compareDigits, compareText } from './characters.js';
import { defineOrdering } from './ordering.js';

/**
 * Ruby gem versions in Gem::Version's order: segments split at dots and at digit/letter
 * transitions, `-` read as `.pre.`, trailing zeros dropped from the release part and from the
 * pre-release part; a letter segment makes a pre-release, sorting before any number there.
 */
interface Segment {
  numeric: boolean;
  text: string;
}

/** Gem::Version::ANCHORED_VERSION_PATTERN, matched against the trimmed version. */
const VERSION = /^(?:[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?$/;
const SEGMENT = /[0-9]+|[a-z]+/gi;
const ZERO: Segment = { numeric: true, text: '0' };

const isZero = (segment: Segment): boolean => segment.numeric && compareDigits(segment.text, '0') === 0;

function withoutTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

/** Gem::Version#canonical_segments. */
function parseGemVersion(version: string): Segment[] | undefined {
  const trimmed = version.trim();
  if (!VERSION.test(trimmed)) return undefined;
  const segments = [...trimmed.replaceAll('-', '.pre.').matchAll(SEGMENT)].map(([text]) => ({ numeric: text[0]! <= '9', text }));
  const prerelease = segments.findIndex((segment) => !segment.numeric);
  if (prerelease < 0) return withoutTrailingZeros(segments);
  return [...withoutTrailingZeros(segments.slice(0, prerelease)), ...withoutTrailingZeros(segments.slice(prerelease))];
}

function compareGemVersions(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i] ?? ZERO;
    const right = b[i] ?? ZERO;
    if (left.numeric !== right.numeric) return left.numeric ? 1 : -1;
    const order = left.numeric ? compareDigits(left.text, right.text) : compareText(left.text, right.text);
    if (order !== 0) return order;
  }
  return 0;
}

export const rubyGemsOrdering = defineOrdering('RubyGems', parseGemVersion, compareGemVersions);
