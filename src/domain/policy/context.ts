/**
 * The request context: the condition keys a request carries (aws:SourceIp, aws:CurrentTime,
 * aws:ResourceTag/env, aws:TagKeys, ...), as a plain record. Key names are case-insensitive, as in
 * AWS (of two names differing only in case, the later wins); values are kept as given and converted
 * by each condition operator: a Date operator takes a Date, an ISO 8601 string or a number of epoch
 * seconds, a Numeric one a number or numeric string, Bool a boolean or "true"/"false". A
 * multi-valued key such as aws:TagKeys is an array; undefined or an empty array means the key is
 * absent.
 */
export type ContextScalar = string | number | boolean | Date;
export type ContextValue = ContextScalar | readonly ContextScalar[];
export type ConditionContext = Record<string, ContextValue | undefined>;

/** Reads a key by its lower-cased name. */
export type ContextLookup = (lowerCaseKey: string) => ContextValue | undefined;

/** A case-insensitive reader; the lower-cased index is built on the first read, so requests that test no condition never pay for it. */
export function contextLookup(context: Readonly<ConditionContext>): ContextLookup {
  let index: Map<string, ContextValue> | undefined;
  return (key) => {
    if (!index) {
      index = new Map();
      for (const [name, value] of Object.entries(context)) {
        if (value !== undefined && !(isMultiValued(value) && value.length === 0)) index.set(name.toLowerCase(), value);
      }
    }
    return index.get(key);
  };
}

export function isMultiValued(value: ContextValue): value is readonly ContextScalar[] {
  return Array.isArray(value);
}

/** A scalar as text, for policy variables and the String operators (Dates in ISO 8601, like aws:CurrentTime). */
export function contextScalarText(value: ContextScalar): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
