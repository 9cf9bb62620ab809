/** The IAM-style policy engine: parse and validate once, evaluate per request with AWS semantics. */
export type { ConditionContext, ContextScalar, ContextValue } from './context.js';
export {
  type Effect,
  parsePolicyDocument,
  POLICY_MAX_LENGTH,
  type PolicyDocument,
  type PolicyKind,
  type PolicyStatement,
  type PolicyVersion,
} from './document.js';
export {
  type AuthorizationRequest,
  authorize,
  canAssume,
  type Decision,
  evaluate,
  type EvaluationRequest,
  type PolicyType,
} from './evaluate.js';
export type { RequestPrincipal } from './principal.js';
