/**
 * Policy documents, parsed and validated once into a compiled form that evaluation reads without
 * touching JSON again. One grammar serves the three kinds, which differ only in what a statement may
 * or must contain:
 * - identity: attached to users and roles (and used as permissions boundaries); no Principal, a Resource;
 * - resource: ECR repository and registry policies; a Principal, Resource optional (the policy's own resource);
 * - trust: a role's trust policy; a Principal, no Resource.
 */
import { DomainError } from '../errors.js';
import { type ArnPattern, compileArnPattern } from './arn.js';
import { type ConditionTest, parseConditionBlock } from './conditions.js';
import { type JsonValue, readJson } from './json.js';
import { type PrincipalSet, parsePrincipalElement } from './principal.js';
import { invalid, PolicySyntaxError } from './syntax.js';
import { parseTemplate, templateVariables, type VariableRef } from './variables.js';
import { compileGlob, type Glob } from './wildcard.js';

export type PolicyKind = 'identity' | 'resource' | 'trust';
export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** ECR's limit for repository and registry policies, applied here to every kind of document. */
export const POLICY_MAX_LENGTH = 10_240;

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Action, or NotAction when `negated`; patterns are lower-cased, as actions match case-insensitively. */
  readonly actions: { readonly negated: boolean; readonly patterns: readonly Glob[] };
  /** Resource or NotResource; undefined when the statement has neither (any resource). */
  readonly resources: { readonly negated: boolean; readonly patterns: readonly ArnPattern[] } | undefined;
  /** Principal or NotPrincipal; undefined in identity policies (the principal is whoever holds the policy). */
  readonly principals: { readonly negated: boolean; readonly set: PrincipalSet } | undefined;
  readonly conditions: readonly ConditionTest[];
  /** Every policy variable of the statement, resolved per request before the statement is matched. */
  readonly variables: readonly VariableRef[];
}

export interface PolicyDocument<K extends PolicyKind = PolicyKind> {
  readonly kind: K;
  /** Absent means the 2008-10-17 language, which has no policy variables. */
  readonly version: PolicyVersion | undefined;
  readonly id: string | undefined;
  readonly statements: readonly PolicyStatement[];
  /** The document as submitted, to be returned unchanged (ECR's GetRepositoryPolicy does). */
  readonly text: string;
}

const VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'] satisfies PolicyVersion[];
const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
/** IAM's rule for identity and trust policies; ECR accepts any Sid in its own policies. */
const IAM_SID = /^[A-Za-z0-9]*$/;
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9_*?-]+$/;

/** Parses and validates a policy; throws DomainError POLICY_INVALID with the reason and where it is. */
export function parsePolicyDocument<K extends PolicyKind>(text: string, kind: K): PolicyDocument<K> {
  const fail = (reason: string) => new DomainError('POLICY_INVALID', `Invalid policy document: ${reason}`);
  if (text.length > POLICY_MAX_LENGTH) {
    throw fail(`the policy is ${text.length} characters long; the limit is ${POLICY_MAX_LENGTH}`);
  }
  const json = readJson(text);
  if (!json.ok) throw fail(json.reason);
  const root = json.value;
  if (!(root instanceof Map)) throw fail('the policy must be a JSON object');
  for (const element of root.keys()) {
    if (!DOCUMENT_ELEMENTS.has(element)) throw fail(`unknown element '${element}'; expected Version, Id and Statement`);
  }

  const version = root.get('Version');
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.includes(version))) {
    throw fail('Version must be "2012-10-17" or "2008-10-17"');
  }
  const id = root.get('Id');
  if (id !== undefined && typeof id !== 'string') throw fail('Id must be a string');

  const body = root.get('Statement');
  if (body === undefined) throw fail('Statement is required');
  const entries: [string, JsonValue][] = Array.isArray(body)
    ? body.map((statement, i) => [`Statement[${i}]`, statement])
    : [['Statement', body]];
  if (entries.length === 0) throw fail('Statement must not be empty');

  const variablesEnabled = version === '2012-10-17';
  const sids = new Set<string>();
  const statements = entries.map(([where, value]) => {
    try {
      const statement = parseStatement(value, kind, variablesEnabled);
      if (statement.sid) {
        if (sids.has(statement.sid)) invalid(`duplicate Sid '${statement.sid}'`);
        sids.add(statement.sid);
      }
      return statement;
    } catch (err) {
      if (err instanceof PolicySyntaxError) throw fail(`${where}: ${err.message}`);
      throw err;
    }
  });
  return { kind, version: version as PolicyVersion | undefined, id, statements, text };
}

function parseStatement(value: JsonValue, kind: PolicyKind, variablesEnabled: boolean): PolicyStatement {
  if (!(value instanceof Map)) return invalid('a statement must be an object');
  for (const element of value.keys()) {
    if (!STATEMENT_ELEMENTS.has(element)) invalid(`unknown element '${element}'`);
  }

  const sid = value.get('Sid');
  if (sid !== undefined && typeof sid !== 'string') invalid('Sid must be a string');
  if (sid !== undefined && kind !== 'resource' && !IAM_SID.test(sid)) {
    invalid(`Sid '${sid}' may contain only letters and digits in ${kind === 'identity' ? 'an identity' : 'a trust'} policy`);
  }

  const effect = value.get('Effect');
  if (effect === undefined) invalid('Effect is required');
  if (effect !== 'Allow' && effect !== 'Deny') invalid(`Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}`);

  const action = pickOneOf(value, 'Action', 'NotAction');
  if (!action) return invalid('Action or NotAction is required');
  const actionPatterns = stringList(action.value, action.element).map((pattern) => {
    if (pattern !== '*' && !ACTION.test(pattern)) {
      invalid(`${action.element} '${pattern}' must be "*" or "service:ActionName", like "ecr:BatchGetImage"`);
    }
    return compileGlob([{ kind: 'text', text: pattern }], true);
  });

  const variables: VariableRef[] = [];
  const resource = pickOneOf(value, 'Resource', 'NotResource');
  if (kind === 'identity' && !resource) invalid('Resource or NotResource is required in an identity policy');
  if (kind === 'trust' && resource) invalid(`${resource.element} is not allowed in a trust policy`);
  const resources = resource && {
    negated: resource.element === 'NotResource',
    patterns: stringList(resource.value, resource.element).map((raw) => {
      const template = parseTemplate(raw, variablesEnabled);
      const pattern = compileArnPattern(template);
      if (raw !== '*' && (pattern.kind !== 'components' || !raw.startsWith('arn:'))) {
        invalid(`${resource.element} '${raw}' must be "*" or an ARN (arn:partition:service:region:account-id:resource)`);
      }
      variables.push(...templateVariables(template));
      return pattern;
    }),
  };

  const principal = pickOneOf(value, 'Principal', 'NotPrincipal');
  if (kind === 'identity' && principal) invalid(`${principal.element} is not allowed in an identity policy`);
  if (kind === 'resource' && !principal) invalid('Principal or NotPrincipal is required in a resource policy');
  if (kind === 'trust' && principal?.element !== 'Principal') {
    invalid(principal ? 'NotPrincipal is not allowed in a trust policy' : 'Principal is required in a trust policy');
  }
  const principals = principal && {
    negated: principal.element === 'NotPrincipal',
    set: parsePrincipalElement(principal.value, principal.element),
  };

  const conditionValue = value.get('Condition');
  const conditions = conditionValue === undefined ? undefined : parseConditionBlock(conditionValue, variablesEnabled);
  if (conditions) variables.push(...conditions.variables);

  return {
    sid,
    effect,
    actions: { negated: action.element === 'NotAction', patterns: actionPatterns },
    resources,
    principals,
    conditions: conditions?.tests ?? [],
    variables,
  };
}

/** The statement's `positive` or `negative` element (never both), or undefined when it has neither. */
function pickOneOf<E extends string>(statement: Map<string, JsonValue>, positive: E, negative: `Not${E}`) {
  const has = statement.get(positive);
  const hasNot = statement.get(negative);
  if (has !== undefined && hasNot !== undefined) invalid(`${positive} and ${negative} cannot both be present`);
  if (has !== undefined) return { element: positive, value: has };
  if (hasNot !== undefined) return { element: negative, value: hasNot };
  return undefined;
}

function stringList(value: JsonValue, element: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    if (value.length === 0) invalid(`${element} must not be an empty array`);
    return value as string[];
  }
  return invalid(`${element} must be a string or an array of strings`);
}
