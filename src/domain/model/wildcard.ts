/**
 * Whether `text` matches `pattern` as a whole, where '*' stands for any run of characters (including
 * none) and every other character for itself: ECR's WILDCARD filters.
 *
 * Patterns come from users, so this is no regex: the literal pieces between stars are found left to
 * right, each at its first occurrence after the previous one (taking the earliest occurrence never
 * loses a match that a later one would allow), with a linear search, so the whole match takes time
 * linear in the lengths of pattern and text.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  return wildcardMatcher(pattern)(text);
}

/** `matchesWildcard` for one pattern and many texts (lifecycle rules over every tag): the pattern is split once. */
export function wildcardMatcher(pattern: string): (text: string) => boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (text) => pattern === text;
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  return (text) => {
    if (head.length + tail.length > text.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
    const end = text.length - tail.length;
    let from = head.length;
    for (const piece of middle) {
      const at = findWithin(text, piece, from, end);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** The first index >= from where `needle` occurs in text[from, end), or -1: Knuth-Morris-Pratt, linear in both. */
function findWithin(text: string, needle: string, from: number, end: number): number {
  const fallback = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = fallback[k - 1]!;
    if (needle[i] === needle[k]) k++;
    fallback[i] = k;
  }
  for (let i = from, k = 0; i < end; i++) {
    while (k > 0 && text[i] !== needle[k]) k = fallback[k - 1]!;
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}
