/** A licence or exception identifier: letters, digits, `.` and `-`; a licence may end in `+` (or later versions). */
const LICENSE_ID = /^[A-Za-z0-9.-]+\+?$/;
const EXCEPTION_ID = /^[A-Za-z0-9.-]+$/;
const LICENSE_REF = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;
const OPERATORS: ReadonlySet<string> = new Set(['AND', 'OR', 'WITH']);

const isLicense = (token: string | undefined) => token !== undefined && !OPERATORS.has(token) && (LICENSE_ID.test(token) || LICENSE_REF.test(token));

/**
 * Whether a declared licence is written as an SPDX licence expression (SPDX 2.3 Annex D): `MIT`,
 * `(MIT OR Apache-2.0)`, `GPL-2.0-or-later WITH Classpath-exception-2.0`, `LicenseRef-x`. The
 * grammar only: whether each identifier is on the SPDX licence list is not checked.
 */
export function isSpdxLicenseExpression(text: string): boolean {
  const tokens = text.match(/[()]|[^\s()]+/g) ?? [];
  let at = 0;
  // term := "(" expression ")" | license [WITH exception]
  const term = (): boolean => {
    if (tokens[at] === '(') {
      at++;
      if (!expression() || tokens[at] !== ')') return false;
      at++;
      return true;
    }
    if (!isLicense(tokens[at++])) return false;
    if (tokens[at] !== 'WITH') return true;
    const exception = tokens[++at];
    at++;
    return exception !== undefined && !OPERATORS.has(exception) && EXCEPTION_ID.test(exception);
  };
  // expression := term (("AND" | "OR") term)*
  const expression = (): boolean => {
    if (!term()) return false;
    while (tokens[at] === 'AND' || tokens[at] === 'OR') {
      at++;
      if (!term()) return false;
    }
    return true;
  };
  return tokens.length > 0 && expression() && at === tokens.length;
}
