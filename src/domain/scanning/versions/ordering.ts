/**
 * A package ecosystem's version order. Versions are parsed once and compared in parsed form, so the
 * OSV matcher can parse each event version of an affected entry a single time and reuse it.
 */
export interface VersionOrdering<Parsed = unknown> {
  /** Names the ordering in errors: dpkg, apk, rpm, PEP 440, ... */
  readonly name: string;
  /** The parsed version, or undefined when the text is not a version in this ordering. */
  parse(version: string): Parsed | undefined;
  /** Negative, zero or positive as `a` sorts before, the same as or after `b`. */
  compareParsed(a: Parsed, b: Parsed): number;
  isValid(version: string): boolean;
  /** -1, 0 or 1 as `a` sorts before, the same as or after `b`; throws a RangeError when either is not valid here. */
  compare(a: string, b: string): number;
}

/** Builds an ordering from its parser and its comparison of parsed versions. */
export function defineOrdering<Parsed>(
  name: string,
  parse: (version: string) => Parsed | undefined,
  compareParsed: (a: Parsed, b: Parsed) => number,
): VersionOrdering<Parsed> {
  const parseOrThrow = (version: string): Parsed => {
    const parsed = parse(version);
    if (parsed === undefined) throw new RangeError(`${JSON.stringify(version)} is not a ${name} version`);
    return parsed;
  };
  return {
    name,
    parse,
    compareParsed,
    isValid: (version) => parse(version) !== undefined,
    // + 0 turns -0 into 0.
    compare: (a, b) => Math.sign(compareParsed(parseOrThrow(a), parseOrThrow(b))) + 0,
  };
}
