import { isAsciiDigit, isAsciiLetter } from './characters.js';
import { splitEpochVersionRelease } from './evr.js';
import { defineOrdering } from './ordering.js';

/**
 * Debian package versions, `[epoch:]upstream_version[-debian_revision]`, ordered as Debian policy
 * §5.6.12 and dpkg's verrevcmp do: non-digit runs compare character by character with `~` before
 * everything (even the end), letters before other characters; digit runs compare as numbers.
 */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const UPSTREAM_PUNCTUATION = '.+-~:';
const REVISION_PUNCTUATION = '.+~';
/** dpkg keeps epochs in an int. */
const MAX_EPOCH = 2 ** 31 - 1;

/** What dpkg's parseversion accepts without an error or a warning. */
function parseDpkgVersion(text: string): DpkgVersion | undefined {
  const split = splitEpochVersionRelease(text);
  if (split === undefined) return undefined;
  const { version: upstream, release: revision = '' } = split;
  const epoch = Number(split.epoch);
  if (epoch > MAX_EPOCH || !isAsciiDigit(upstream[0]) || (split.release !== undefined && revision === '')) return undefined;
  if (!allowedCharacters(upstream, UPSTREAM_PUNCTUATION) || !allowedCharacters(revision, REVISION_PUNCTUATION)) return undefined;
  return { epoch, upstream, revision };
}

function allowedCharacters(text: string, punctuation: string): boolean {
  for (const char of text) if (!isAsciiDigit(char) && !isAsciiLetter(char) && !punctuation.includes(char)) return false;
  return true;
}

/** The weight of one character of a non-digit run; the end of the string weighs 0. */
function order(char: string | undefined): number {
  if (char === undefined || isAsciiDigit(char)) return 0;
  if (isAsciiLetter(char)) return char.charCodeAt(0);
  if (char === '~') return -1;
  return char.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp over an upstream version or a revision. */
function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isAsciiDigit(a[i])) || (j < b.length && !isAsciiDigit(b[j]))) {
      const difference = order(a[i]) - order(b[j]);
      if (difference !== 0) return Math.sign(difference);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDifference = 0;
    while (isAsciiDigit(a[i]) && isAsciiDigit(b[j])) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isAsciiDigit(a[i])) return 1;
    if (isAsciiDigit(b[j])) return -1;
    if (firstDifference !== 0) return Math.sign(firstDifference);
  }
  return 0;
}

export const dpkgOrdering = defineOrdering<DpkgVersion>(
  'dpkg',
  parseDpkgVersion,
  (a, b) => Math.sign(a.epoch - b.epoch) || compareDpkgPart(a.upstream, b.upstream) || compareDpkgPart(a.revision, b.revision),
);
