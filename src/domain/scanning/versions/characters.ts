/** Character tests and comparisons the version orders share. */

/** Orders two runs of ASCII digits as unbounded integers, ignoring leading zeros (no precision limit). */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a[i] === '0') i++;
  while (j < b.length - 1 && b[j] === '0') j++;
  const lengthDifference = a.length - i - (b.length - j);
  if (lengthDifference !== 0) return Math.sign(lengthDifference);
  for (; i < a.length; i++, j++) {
    if (a[i] !== b[j]) return a[i]! < b[j]! ? -1 : 1;
  }
  return 0;
}

/** Orders two strings by UTF-16 code units, as Java's and C's byte-wise comparisons do for ASCII. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAsciiDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

export function isAsciiLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}
