import { compareDigits, compareText, isAsciiDigit } from './characters.js';
import { defineOrdering } from './ordering.js';

/**
 * Maven versions in the order of Maven 3.9's ComparableVersion (the POM reference's "Version Order
 * Specification"): a version is a list of numbers, qualifiers and sub-lists, a sub-list opened by
 * each `-` and each digit/letter transition, trailing "null" items (0, "", ga, final, release)
 * trimmed. Qualifiers order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
 * release < sp, then any other qualifier alphabetically; a1, b1 and m1 mean alpha-1, beta-1 and
 * milestone-1. Qualifiers sort before sub-lists, sub-lists before numbers.
 */
type Item = NumberItem | QualifierItem | ListItem;

interface NumberItem {
  kind: 'number';
  digits: string;
  /** Java keeps numbers as int (up to 9 digits), long (18) or BigInteger, and orders those kinds first. */
  magnitude: number;
}
interface QualifierItem {
  kind: 'qualifier';
  /** Java's comparableQualifier: a known qualifier's rank, else "7-" and the qualifier. */
  key: string;
}
interface ListItem {
  kind: 'list';
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES = new Map([['ga', ''], ['final', ''], ['release', ''], ['cr', 'rc']]);
const SHORT_QUALIFIERS = new Map([['a', 'alpha'], ['b', 'beta'], ['m', 'milestone']]);
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));
const ZERO: NumberItem = { kind: 'number', digits: '0', magnitude: 0 };

function numberItem(text: string): NumberItem {
  // Java strips leading zeros unless the number is all zeros.
  let start = 0;
  while (start < text.length && text[start] === '0') start++;
  const digits = start === text.length ? text : text.slice(start);
  return { kind: 'number', digits, magnitude: digits.length <= 9 ? 0 : digits.length <= 18 ? 1 : 2 };
}

function qualifierItem(text: string, followedByDigit: boolean): QualifierItem {
  const short = followedByDigit ? (SHORT_QUALIFIERS.get(text) ?? text) : text;
  const value = ALIASES.get(short) ?? short;
  const rank = QUALIFIERS.indexOf(value);
  return { kind: 'qualifier', key: rank >= 0 ? String(rank) : `${QUALIFIERS.length}-${value}` };
}

const parseItem = (isDigit: boolean, text: string): Item => (isDigit ? numberItem(text) : qualifierItem(text, false));

function isNull(item: Item): boolean {
  if (item.kind === 'number') return compareDigits(item.digits, '0') === 0;
  return item.kind === 'qualifier' ? item.key === RELEASE_KEY : item.items.length === 0;
}

/** ListItem.normalize: drops the null items ending the list, looking past sub-lists. */
function normalize(list: ListItem): void {
  const { items } = list;
  for (let i = items.length - 1; i >= 0; i--) {
    if (isNull(items[i]!)) items.splice(i, 1);
    else if (items[i]!.kind !== 'list') break;
  }
}

function parseMavenVersion(version: string): ListItem | undefined {
  if (version === '') return undefined;
  const text = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  const lists = [root];
  let list = root;
  const openList = () => {
    const next: ListItem = { kind: 'list', items: [] };
    list.items.push(next);
    lists.push(next);
    list = next;
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '.' || char === '-') {
      list.items.push(i === start ? ZERO : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (char === '-') openList();
    } else if (isAsciiDigit(char)) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier after a dot reads as after a hyphen.
        if (list.items.length > 0) openList();
        list.items.push(qualifierItem(text.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, text.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.items.length > 0) openList();
    list.items.push(parseItem(isDigit, text.slice(start)));
  }
  for (const opened of lists.reverse()) normalize(opened);
  return root;
}

/** Item.compareTo; `b` undefined stands for Java's null, the padding of the shorter list. */
function compareItems(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'number':
      if (b === undefined) return isNull(a) ? 0 : 1;
      return b.kind === 'number' ? Math.sign(a.magnitude - b.magnitude) || compareDigits(a.digits, b.digits) : 1;
    case 'qualifier':
      if (b === undefined || b.kind === 'qualifier') return compareText(a.key, b?.key ?? RELEASE_KEY);
      return -1;
    case 'list':
      if (b === undefined) {
        for (const item of a.items) {
          const order = compareItems(item, undefined);
          if (order !== 0) return order;
        }
        return 0;
      }
      if (b.kind !== 'list') return b.kind === 'number' ? -1 : 1;
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
        const left = a.items[i];
        const order = left === undefined ? -compareItems(b.items[i]!, undefined) : compareItems(left, b.items[i]);
        if (order !== 0) return order;
      }
      return 0;
  }
}

export const mavenOrdering = defineOrdering<ListItem>('Maven', parseMavenVersion, compareItems);
