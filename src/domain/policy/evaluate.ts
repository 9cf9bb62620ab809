/**
 * Evaluation: one set of documents against one request, and the whole decision as AWS makes it
 * from identity policies, a resource (or trust) policy and a permissions boundary.
 */
import { arnMatches, type ArnComponents, splitArn } from './arn.js';
import { conditionHolds } from './conditions.js';
import { type ConditionContext, type ContextLookup, contextLookup } from './context.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import { matchPrincipal, notPrincipalApplies, type PrincipalMatch, type RequestPrincipal } from './principal.js';
import { bindVariables, NO_BINDINGS } from './variables.js';
import { globMatches } from './wildcard.js';

export interface EvaluationRequest {
  /** Such as "ecr:BatchGetImage"; matched case-insensitively. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  readonly principal: RequestPrincipal;
  /**
   * The request's condition keys. The principal's keys the context does not set — aws:PrincipalArn,
   * aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid, aws:PrincipalTag/* — are
   * derived from `principal`.
   */
  readonly context: Readonly<ConditionContext>;
}

export interface AuthorizationRequest extends EvaluationRequest {
  /** The account that owns the resource; a caller from another account needs both sides to allow. */
  readonly resourceAccount: string;
  /** Every identity policy of the caller (its own, its groups', its role's). */
  readonly identityPolicies: readonly PolicyDocument<'identity'>[];
  /** The repository or registry policy, or for sts:AssumeRole the role's trust policy. */
  readonly resourcePolicy?: PolicyDocument<'resource' | 'trust'> | undefined;
  readonly permissionsBoundary?: PolicyDocument<'identity'> | undefined;
}

export type PolicyType = 'identity' | 'resource' | 'permissionsBoundary';

/**
 * `policyType` says which kind of policy denied, or for an implicit deny which kind lacked an allow,
 * as AWS's AccessDenied messages do ("because no resource-based policy allows the ... action").
 */
export type Decision =
  | { readonly allowed: true; readonly reason: 'allowed' }
  | { readonly allowed: false; readonly reason: 'explicitDeny' | 'implicitDeny'; readonly policyType: PolicyType };

interface PreparedRequest {
  readonly action: string;
  readonly resource: string;
  readonly resourceComponents: ArnComponents;
  readonly principal: RequestPrincipal;
  readonly lookup: ContextLookup;
}

interface Outcome {
  readonly denied: boolean;
  /** The strongest way an Allow statement named the caller; undefined when none allowed. */
  readonly grant: PrincipalMatch | undefined;
}

const GRANT_STRENGTH: Record<PrincipalMatch, number> = { account: 1, role: 2, caller: 3 };
const PRINCIPAL_TAG = 'aws:principaltag/';

/** 'Deny' when any statement denies, else 'Allow' when any allows, else 'NotApplicable'. */
export function evaluate(docs: readonly PolicyDocument[], request: EvaluationRequest): 'Allow' | 'Deny' | 'NotApplicable' {
  const outcome = evaluateDocuments(docs, prepare(request));
  return outcome.denied ? 'Deny' : outcome.grant ? 'Allow' : 'NotApplicable';
}

/**
 * AWS's decision for one request:
 * - an explicit Deny in any policy wins;
 * - within the resource's account, an Allow in the identity policies (bounded by the permissions
 *   boundary) or in the resource policy suffices — but a resource policy that names only the
 *   caller's account delegates to the identity policies, and one that names the caller's role is
 *   still bounded by the boundary;
 * - across accounts, both the caller's identity side and the resource policy must allow;
 * - a trust policy must always allow (AWS's exception for roles), naming the caller directly or
 *   delegating to its account, whose identity policies must then allow sts:AssumeRole;
 * - the account root's identity side allows everything, so it needs only the resource policy
 *   across accounts and nothing in its own.
 */
export function authorize(request: AuthorizationRequest): Decision {
  const prepared = prepare(request);
  const explicitDeny = (policyType: PolicyType): Decision => ({ allowed: false, reason: 'explicitDeny', policyType });

  const identity = evaluateDocuments(request.identityPolicies, prepared);
  if (identity.denied) return explicitDeny('identity');
  const boundary = request.permissionsBoundary && evaluateDocuments([request.permissionsBoundary], prepared);
  if (boundary?.denied) return explicitDeny('permissionsBoundary');
  const resource = request.resourcePolicy && evaluateDocuments([request.resourcePolicy], prepared);
  if (resource?.denied) return explicitDeny('resource');

  const withinBoundary = boundary === undefined || boundary.grant !== undefined;
  const identityGrants = request.principal.isRoot === true || identity.grant !== undefined;
  const identityAllows = identityGrants && withinBoundary;
  const grant = resource?.grant;
  const sameAccount = request.principal.account === request.resourceAccount;
  const resourceAlone = sameAccount && (grant === 'caller' || (grant === 'role' && withinBoundary));
  const identityAlone = sameAccount && request.resourcePolicy?.kind !== 'trust' && identityAllows;
  if (resourceAlone || identityAlone || (grant !== undefined && identityAllows)) return { allowed: true, reason: 'allowed' };

  const resourceRequired = !sameAccount || request.resourcePolicy?.kind === 'trust';
  const blockedByBoundary = identityGrants || (sameAccount && grant === 'role');
  const policyType: PolicyType =
    resourceRequired && grant === undefined ? 'resource' : blockedByBoundary ? 'permissionsBoundary' : 'identity';
  return { allowed: false, reason: 'implicitDeny', policyType };
}

/**
 * Whether a role's trust policy lets the principal assume the role (sts:AssumeRole). Naming the
 * principal's account counts: it delegates to that account's identity policies, which `authorize`
 * with the trust policy as `resourcePolicy` also checks.
 */
export function canAssume(trustPolicy: PolicyDocument<'trust'>, principal: RequestPrincipal, context: Readonly<ConditionContext>): boolean {
  // Trust policies have no Resource element, so the resource plays no part.
  const outcome = evaluateDocuments([trustPolicy], prepare({ action: 'sts:AssumeRole', resource: '', principal, context }));
  return !outcome.denied && outcome.grant !== undefined;
}

function prepare(request: EvaluationRequest): PreparedRequest {
  return {
    action: request.action.toLowerCase(),
    resource: request.resource,
    resourceComponents: splitArn(request.resource),
    principal: request.principal,
    lookup: withPrincipalKeys(request.principal, contextLookup(request.context)),
  };
}

function withPrincipalKeys(principal: RequestPrincipal, context: ContextLookup): ContextLookup {
  return (key) => context(key) ?? principalKey(principal, key);
}

function principalKey(principal: RequestPrincipal, key: string): string | undefined {
  switch (key) {
    case 'aws:principalarn':
      return principal.roleArn ?? principal.arn;
    case 'aws:principalaccount':
      return principal.account;
    case 'aws:principaltype':
      return principal.isRoot ? 'Account' : principal.roleArn !== undefined ? 'AssumedRole' : 'User';
    case 'aws:username':
      return principal.username;
    case 'aws:userid':
      return principal.userId;
  }
  if (principal.tags && key.startsWith(PRINCIPAL_TAG)) {
    const tagKey = key.slice(PRINCIPAL_TAG.length);
    for (const [name, value] of Object.entries(principal.tags)) if (name.toLowerCase() === tagKey) return value;
  }
  return undefined;
}

function evaluateDocuments(docs: readonly PolicyDocument[], request: PreparedRequest): Outcome {
  let grant: PrincipalMatch | undefined;
  for (const doc of docs) {
    for (const statement of doc.statements) {
      const match = statementMatch(statement, request);
      if (match === undefined) continue;
      if (statement.effect === 'Deny') return { denied: true, grant: undefined };
      if (grant === undefined || GRANT_STRENGTH[match] > GRANT_STRENGTH[grant]) grant = match;
    }
  }
  return { denied: false, grant };
}

/** How the statement applies to the request, or undefined when it does not. Cheapest checks first. */
function statementMatch(statement: PolicyStatement, request: PreparedRequest): PrincipalMatch | undefined {
  const { actions, resources, principals } = statement;
  if (actions.patterns.some((glob) => globMatches(glob, request.action, NO_BINDINGS)) === actions.negated) return undefined;

  const match = !principals
    ? 'caller'
    : principals.negated
      ? notPrincipalApplies(principals.set, request.principal)
        ? 'caller'
        : undefined
      : matchPrincipal(principals.set, request.principal);
  if (match === undefined) return undefined;

  const bindings = bindVariables(statement.variables, request.lookup);
  if (bindings === undefined) return undefined;
  if (resources) {
    const matched = resources.patterns.some((pattern) => arnMatches(pattern, request.resource, request.resourceComponents, bindings));
    if (matched === resources.negated) return undefined;
  }
  for (const test of statement.conditions) if (!conditionHolds(test, request.lookup, bindings)) return undefined;
  return match;
}
