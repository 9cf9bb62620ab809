import { compareDigits, compareText, isAsciiDigit } from './characters.js';
import { defineOrdering } from './ordering.js';

/**
 * Alpine package versions, `digit{.digit}...{letter}{_suffix{digit}}...{~hash}{-r#}`, ordered as
 * apk-tools' version.c does: the token kinds follow each other in that order, suffixes _alpha,
 * _beta, _pre and _rc sort before no suffix and _cvs, _svn, _git, _hg and _p after it.
 */

/** Token kinds in the order they may follow each other. */
const Token = { InitialDigit: 0, Digit: 1, Letter: 2, Suffix: 3, SuffixNumber: 4, CommitHash: 5, Revision: 6, End: 7 } as const;
type TokenKind = (typeof Token)[keyof typeof Token];

interface ApkToken {
  kind: TokenKind;
  text: string;
  /** For a suffix: its rank, around NO_SUFFIX. */
  rank: number;
}

const SUFFIX_RANKS = new Map([['alpha', 1], ['beta', 2], ['pre', 3], ['rc', 4], ['cvs', 6], ['svn', 7], ['git', 8], ['hg', 9], ['p', 10]]);
const NO_SUFFIX = 5;
const END: ApkToken = { kind: Token.End, text: '', rank: 0 };

function isHexDigit(char: string | undefined): boolean {
  return isAsciiDigit(char) || (char !== undefined && ((char >= 'a' && char <= 'f') || (char >= 'A' && char <= 'F')));
}

function isLowerLetter(char: string | undefined): boolean {
  return char !== undefined && char >= 'a' && char <= 'z';
}

/** The tokens of a version apk_version_validate accepts; undefined for any other text. */
function parseApkVersion(version: string): ApkToken[] | undefined {
  const tokens: ApkToken[] = [];
  let position = 0;
  const take = (accepts: (char: string | undefined) => boolean): string => {
    const start = position;
    while (accepts(version[position])) position++;
    return version.slice(start, position);
  };
  const push = (kind: TokenKind, text: string, rank = 0): boolean => {
    tokens.push({ kind, text, rank });
    return text !== '';
  };
  if (!push(Token.InitialDigit, take(isAsciiDigit))) return undefined;
  while (position < version.length) {
    const last = tokens[tokens.length - 1]!.kind;
    const char = version[position]!;
    let valid: boolean;
    if (isLowerLetter(char)) {
      valid = last <= Token.Digit && push(Token.Letter, char);
      position++;
    } else if (char === '.') {
      position++;
      valid = last <= Token.Digit && push(Token.Digit, take(isAsciiDigit));
    } else if (isAsciiDigit(char)) {
      valid = last === Token.Suffix && push(Token.SuffixNumber, take(isAsciiDigit));
    } else if (char === '_') {
      position++;
      const suffix = take(isLowerLetter);
      valid = last <= Token.SuffixNumber && SUFFIX_RANKS.has(suffix) && push(Token.Suffix, suffix, SUFFIX_RANKS.get(suffix));
    } else if (char === '~') {
      position++;
      valid = last < Token.CommitHash && push(Token.CommitHash, take(isHexDigit));
    } else if (char === '-' && version[position + 1] === 'r') {
      position += 2;
      valid = last < Token.Revision && push(Token.Revision, take(isAsciiDigit));
    } else {
      valid = false;
    }
    if (!valid) return undefined;
  }
  return tokens;
}

function compareTokens(a: ApkToken, b: ApkToken): number {
  switch (a.kind) {
    case Token.Digit:
      // A run with a leading zero compares as a string, as in Gentoo's rules.
      if (a.text[0] === '0' || b.text[0] === '0') return compareText(a.text, b.text);
      return compareDigits(a.text, b.text);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.Revision:
      return compareDigits(a.text, b.text);
    case Token.Suffix:
      return Math.sign(a.rank - b.rank);
    default:
      return compareText(a.text, b.text);
  }
}

function compareApkVersions(a: ApkToken[], b: ApkToken[]): number {
  let index = 0;
  let left = a[0] ?? END;
  let right = b[0] ?? END;
  while (left.kind === right.kind && left.kind !== Token.End) {
    const order = compareTokens(left, right);
    if (order !== 0) return order;
    index++;
    left = a[index] ?? END;
    right = b[index] ?? END;
  }
  if (left.kind === right.kind) return 0;
  // Equal so far: the longer version is newer unless what it goes on with is a pre-release suffix.
  if (left.kind === Token.Suffix && left.rank < NO_SUFFIX) return -1;
  if (right.kind === Token.Suffix && right.rank < NO_SUFFIX) return 1;
  return left.kind > right.kind ? -1 : 1;
}

export const apkOrdering = defineOrdering('apk', parseApkVersion, compareApkVersions);
