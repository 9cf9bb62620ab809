/**
 * Thrown by the element parsers with a reason only; parsePolicyDocument adds where in the document
 * it happened and turns it into the domain's POLICY_INVALID error.
 */
export class PolicySyntaxError extends Error {}

export function invalid(reason: string): never {
  throw new PolicySyntaxError(reason);
}
