/**
 * The Condition element: operators parsed and their values converted once, evaluated per request.
 *
 * AWS's rules, all here:
 * - operators are AND-ed, keys under one operator are AND-ed, the values of one key are OR-ed (for a
 *   negated operator — StringNotEquals, NotIpAddress, ... — NOR-ed: none may match);
 * - a key the request lacks makes a positive operator false and a negated one true; `...IfExists`
 *   makes any operator true then; `Null` tests presence itself;
 * - `ForAllValues:` holds when every request value matches (so also when the key is absent or empty),
 *   `ForAnyValue:` when at least one does (so never when absent); without a qualifier a multi-valued
 *   key holds when any of its values matches;
 * - key names are case-insensitive; values are case-sensitive except for the IgnoreCase operators.
 */
import { BlockList, isIP } from 'node:net';
import { type ArnPattern, arnMatches, compileArnPattern, splitArn } from './arn.js';
import { type ContextLookup, type ContextScalar, contextScalarText, isMultiValued } from './context.js';
import type { JsonValue } from './json.js';
import { invalid } from './syntax.js';
import {
  type Bindings,
  NO_BINDINGS,
  parseTemplate,
  resolveTemplate,
  type Template,
  templateVariables,
  type VariableRef,
} from './variables.js';
import { compileGlob, globMatches } from './wildcard.js';

export type ConditionTest =
  | {
      readonly kind: 'compare';
      readonly key: string;
      readonly qualifier: 'none' | 'forAnyValue' | 'forAllValues';
      readonly ifExists: boolean;
      readonly negated: boolean;
      /** Whether one request value matches any of the policy values (before negation). */
      readonly matches: (value: ContextScalar, bindings: Bindings) => boolean;
    }
  | {
      readonly kind: 'null';
      readonly key: string;
      /** The policy's values: true means "the key is absent". */
      readonly expectAbsent: readonly boolean[];
    };

export interface ConditionBlock {
  readonly tests: readonly ConditionTest[];
  readonly variables: readonly VariableRef[];
}

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface OperatorDefinition {
  readonly family: Family;
  readonly negated: boolean;
  readonly comparison: Comparison;
}

const OPERATORS = new Map<string, OperatorDefinition>();
function define(name: string, family: Family, negated = false, comparison: Comparison = 'eq'): void {
  OPERATORS.set(name.toLowerCase(), { family, negated, comparison });
}
define('StringEquals', 'string');
define('StringNotEquals', 'string', true);
define('StringEqualsIgnoreCase', 'stringIgnoreCase');
define('StringNotEqualsIgnoreCase', 'stringIgnoreCase', true);
define('StringLike', 'stringLike');
define('StringNotLike', 'stringLike', true);
for (const family of ['numeric', 'date'] as const) {
  const prefix = family === 'numeric' ? 'Numeric' : 'Date';
  define(`${prefix}Equals`, family);
  define(`${prefix}NotEquals`, family, true);
  define(`${prefix}LessThan`, family, false, 'lt');
  define(`${prefix}LessThanEquals`, family, false, 'lte');
  define(`${prefix}GreaterThan`, family, false, 'gt');
  define(`${prefix}GreaterThanEquals`, family, false, 'gte');
}
define('Bool', 'bool');
define('BinaryEquals', 'binary');
define('IpAddress', 'ip');
define('NotIpAddress', 'ip', true);
define('ArnEquals', 'arn');
define('ArnLike', 'arn');
define('ArnNotEquals', 'arn', true);
define('ArnNotLike', 'arn', true);
define('Null', 'null');

const QUALIFIERS = new Map<string, 'forAnyValue' | 'forAllValues'>([
  ['foranyvalue', 'forAnyValue'],
  ['forallvalues', 'forAllValues'],
]);
const IF_EXISTS = 'ifexists';
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const EPOCH_SECONDS = /^\d+(?:\.\d+)?$/;

export function parseConditionBlock(value: JsonValue, variablesEnabled: boolean): ConditionBlock {
  if (!(value instanceof Map)) return invalid('Condition must be an object such as {"StringEquals": {"aws:PrincipalTag/team": "dev"}}');
  const tests: ConditionTest[] = [];
  const variables: VariableRef[] = [];
  for (const [operatorName, entries] of value) {
    const operator = parseOperatorName(operatorName);
    if (!(entries instanceof Map)) invalid(`Condition ${operatorName} must be an object mapping condition keys to values`);
    for (const [key, raw] of entries) {
      if (!CONDITION_KEY.test(key)) invalid(`condition key '${key}' must start with its service prefix, as in 'aws:SourceIp'`);
      const values = conditionValues(raw, operatorName, key);
      tests.push(buildTest(operator, operatorName, key, values, variablesEnabled, variables));
    }
  }
  return { tests, variables };
}

interface ParsedOperator {
  readonly definition: OperatorDefinition;
  readonly qualifier: 'none' | 'forAnyValue' | 'forAllValues';
  readonly ifExists: boolean;
}

function parseOperatorName(name: string): ParsedOperator {
  let rest = name;
  let qualifier: ParsedOperator['qualifier'] = 'none';
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const found = QUALIFIERS.get(rest.slice(0, colon).toLowerCase());
    if (!found) invalid(`unknown condition qualifier '${rest.slice(0, colon)}' in '${name}'; expected ForAnyValue or ForAllValues`);
    qualifier = found;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.length > IF_EXISTS.length && rest.toLowerCase().endsWith(IF_EXISTS);
  if (ifExists) rest = rest.slice(0, -IF_EXISTS.length);
  const definition = OPERATORS.get(rest.toLowerCase());
  if (!definition) return invalid(`unknown condition operator '${name}'`);
  if (definition.family === 'null' && (ifExists || qualifier !== 'none')) {
    invalid(`condition operator '${name}' is not allowed: Null already tests whether a key is present`);
  }
  return { definition, qualifier, ifExists };
}

function conditionValues(raw: JsonValue, operator: string, key: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) invalid(`Condition ${operator} '${key}' has an empty list of values`);
  return list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return invalid(`Condition ${operator} '${key}' values must be strings, numbers or booleans`);
  });
}

function buildTest(
  operator: ParsedOperator,
  operatorName: string,
  keyName: string,
  values: string[],
  variablesEnabled: boolean,
  variables: VariableRef[],
): ConditionTest {
  const { definition, qualifier, ifExists } = operator;
  const key = keyName.toLowerCase();
  const reject = (value: string, expected: string): never =>
    invalid(`${operatorName} value '${value}' for '${keyName}' is not ${expected}`);
  const templates = (): Template[] => {
    const parsed = values.map((value) => parseTemplate(value, variablesEnabled));
    for (const template of parsed) variables.push(...templateVariables(template));
    return parsed;
  };
  const compare = (matches: (value: ContextScalar, bindings: Bindings) => boolean): ConditionTest => ({
    kind: 'compare',
    key,
    qualifier,
    ifExists,
    negated: definition.negated,
    matches,
  });

  switch (definition.family) {
    case 'null':
      return {
        kind: 'null',
        key,
        expectAbsent: values.map((value) => parseBoolean(value) ?? reject(value, 'true or false')),
      };
    case 'string':
    case 'stringIgnoreCase': {
      const ignoreCase = definition.family === 'stringIgnoreCase';
      const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
      const parsed = templates();
      if (parsed.every((template) => template.every((part) => part.kind !== 'variable'))) {
        const fixed = new Set(parsed.map((template) => fold(resolveTemplate(template, NO_BINDINGS))));
        return compare((value) => fixed.has(fold(contextScalarText(value))));
      }
      return compare((value, bindings) => {
        const text = fold(contextScalarText(value));
        return parsed.some((template) => fold(resolveTemplate(template, bindings)) === text);
      });
    }
    case 'stringLike': {
      const globs = templates().map((template) => compileGlob(template));
      return compare((value, bindings) => {
        const text = contextScalarText(value);
        return globs.some((glob) => globMatches(glob, text, bindings));
      });
    }
    case 'arn': {
      const patterns: ArnPattern[] = templates().map(compileArnPattern);
      return compare((value, bindings) => {
        const text = contextScalarText(value);
        const components = splitArn(text);
        return patterns.some((pattern) => arnMatches(pattern, text, components, bindings));
      });
    }
    case 'numeric': {
      const numbers = values.map((value) => parseNumber(value) ?? reject(value, 'a number'));
      return compare((value) => {
        const number = typeof value === 'number' ? value : typeof value === 'string' ? parseNumber(value) : undefined;
        return number !== undefined && numbers.some((limit) => compareNumbers(number, limit, definition.comparison));
      });
    }
    case 'date': {
      const instants = values.map((value) => parseDate(value) ?? reject(value, 'an ISO 8601 date or epoch seconds'));
      return compare((value) => {
        const instant = requestDate(value);
        return instant !== undefined && instants.some((limit) => compareNumbers(instant, limit, definition.comparison));
      });
    }
    case 'bool': {
      const booleans = values.map((value) => parseBoolean(value) ?? reject(value, 'true or false'));
      return compare((value) => {
        const flag = typeof value === 'boolean' ? value : typeof value === 'string' ? parseBoolean(value) : undefined;
        return flag !== undefined && booleans.includes(flag);
      });
    }
    case 'binary': {
      const encoded = new Set(values);
      return compare((value) => typeof value === 'string' && encoded.has(value));
    }
    case 'ip': {
      const blocks = new BlockList();
      for (const value of values) {
        if (!addIpRange(blocks, value)) reject(value, 'an IP address or CIDR block');
      }
      return compare((value) => {
        if (typeof value !== 'string') return false;
        const version = isIP(value);
        return version !== 0 && blocks.check(value, version === 4 ? 'ipv4' : 'ipv6');
      });
    }
  }
}

/** Whether the test holds for the request. `bindings` holds the statement's variables. */
export function conditionHolds(test: ConditionTest, lookup: ContextLookup, bindings: Bindings): boolean {
  const value = lookup(test.key);
  if (test.kind === 'null') return test.expectAbsent.includes(value === undefined);
  const values = value === undefined ? [] : isMultiValued(value) ? value : [value];
  if (values.length === 0) {
    if (test.ifExists || test.qualifier === 'forAllValues') return true;
    if (test.qualifier === 'forAnyValue') return false;
    return test.negated;
  }
  const matches = (one: ContextScalar) => test.matches(one, bindings);
  switch (test.qualifier) {
    case 'none':
      return values.some(matches) !== test.negated;
    case 'forAnyValue':
      return test.negated ? values.some((one) => !matches(one)) : values.some(matches);
    case 'forAllValues':
      return test.negated ? values.every((one) => !matches(one)) : values.every(matches);
  }
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** Epoch milliseconds of an ISO 8601 date (UTC unless it names an offset) or of epoch seconds. */
function parseDate(text: string): number | undefined {
  if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
  const iso = ISO_DATE.exec(text);
  if (!iso) return undefined;
  // Date.parse rolls 2024-02-30 over into March; a policy naming a day that does not exist is a mistake.
  const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  // A date-time without an offset is UTC in AWS, but local time to Date.parse.
  const instant = Date.parse(text.includes('T') && iso[4] === undefined ? `${text}Z` : text);
  return Number.isNaN(instant) ? undefined : instant;
}

function requestDate(value: ContextScalar): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return value * 1000;
  return typeof value === 'string' ? parseDate(value) : undefined;
}

function compareNumbers(value: number, limit: number, comparison: Comparison): boolean {
  switch (comparison) {
    case 'eq':
      return value === limit;
    case 'lt':
      return value < limit;
    case 'lte':
      return value <= limit;
    case 'gt':
      return value > limit;
    case 'gte':
      return value >= limit;
  }
}

/** Adds "203.0.113.7", "10.0.0.0/8" or "2001:db8::/32"; false when the text is neither. */
function addIpRange(blocks: BlockList, text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    blocks.addAddress(address, type);
    return true;
  }
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) return false;
  blocks.addSubnet(address, prefix, type);
  return true;
}
