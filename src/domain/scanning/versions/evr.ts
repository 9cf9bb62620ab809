import { isAsciiDigit } from './characters.js';

/** A version as dpkg and rpm write it: `[epoch:]version[-release]`. */
export interface EpochVersionRelease {
  /** Digits; "0" when the version has none. */
  epoch: string;
  version: string;
  /** Undefined when there is no `-`. */
  release: string | undefined;
}

/**
 * Splits at the first `:` and the last `-`, as both tools do; undefined when the epoch is present
 * but not a number.
 */
export function splitEpochVersionRelease(text: string): EpochVersionRelease | undefined {
  const colon = text.indexOf(':');
  const epoch = colon >= 0 ? text.slice(0, colon) : '0';
  if (epoch === '' || ![...epoch].every(isAsciiDigit)) return undefined;
  const rest = text.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0 ? { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) } : { epoch, version: rest, release: undefined };
}
