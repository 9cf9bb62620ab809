import { compareDigits, compareText, isAsciiDigit, isAsciiLetter } from './characters.js';
import { splitEpochVersionRelease } from './evr.js';
import { defineOrdering } from './ordering.js';

/**
 * RPM versions, `[epoch:]version[-release]`, ordered as rpm's rpmvercmp orders each part: runs of
 * digits and runs of letters compare in turn (numbers as numbers, a number above letters), other
 * characters only separate, `~` sorts before everything (even the end) and `^` after the end but
 * before anything else.
 */
export interface RpmVersion {
  epoch: string;
  version: string;
  release: string;
}

const WHITESPACE = /\s/;

function parseRpmVersion(text: string): RpmVersion | undefined {
  const split = splitEpochVersionRelease(text);
  if (split === undefined || split.version === '' || WHITESPACE.test(text)) return undefined;
  return { epoch: split.epoch, version: split.version, release: split.release ?? '' };
}

const isAlphanumeric = (char: string | undefined): boolean => isAsciiDigit(char) || isAsciiLetter(char);

/** rpmvercmp. */
function compareRpmPart(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlphanumeric(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlphanumeric(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i === a.length) return -1;
      if (j === b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i === a.length || j === b.length) break;
    const numeric = isAsciiDigit(a[i]);
    const inSegment = numeric ? isAsciiDigit : isAsciiLetter;
    const aStart = i;
    const bStart = j;
    while (inSegment(a[i])) i++;
    while (inSegment(b[j])) j++;
    // A number against letters: the number is newer.
    if (j === bStart) return numeric ? 1 : -1;
    const segmentA = a.slice(aStart, i);
    const segmentB = b.slice(bStart, j);
    const order = numeric ? compareDigits(segmentA, segmentB) : compareText(segmentA, segmentB);
    if (order !== 0) return order;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export const rpmOrdering = defineOrdering<RpmVersion>(
  'RPM',
  parseRpmVersion,
  (a, b) => compareDigits(a.epoch, b.epoch) || compareRpmPart(a.version, b.version) || compareRpmPart(a.release, b.release),
);
