/**
 * Reads a parsed JSON request into its operation's input shape the way ECR does: first the JSON types
 * (SerializationException), then the model's constraints (InvalidParameterException), reporting the
 * first violation in member order. Members the shape does not declare are ignored and `null` counts
 * as absent, as at AWS. Blobs arrive base64 and leave as Buffers; timestamps arrive as epoch seconds.
 *
 * Wordings are AWS's. SerializationException, from a Coral JSON 1.1 service (Athena) probed with
 * wrongly typed values: "STRING_VALUE can not be converted to an Integer", "NUMBER_VALUE can not be
 * converted to a String", "TRUE_VALUE can not be converted to a String", "Start of list found where not
 * expected", "Start of structure or map found where not expected.", "Expected list or null" (scalar
 * for a list), "Expected null" (scalar for a structure); a fractional number for an integer is truncated
 * and accepted; null list elements are dropped. The target names of the other scalar types (a Long,
 * a Boolean, a Date, a ByteBuffer, ...) follow Java's, unmeasured.
 *
 * InvalidParameterException, from ECR itself: "Invalid parameter at '<path>' failed to satisfy
 * constraint: '<constraint>'" with Coral's constraint texts, e.g.
 *   'Member must have length less than or equal to 100' (imageIds; github.com/trek10inc/ecr-cleaner/issues/8)
 *   'Member must have length greater than or equal to 1' (github.com/puemos/aws-lambda-ecr-cleaner/issues/3)
 *   'Member must have value less than or equal to 1000' (maxResults; github.com/renovatebot/renovate/issues/3800)
 *   'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'
 *     (a registryIds element; github.com/aws-actions/amazon-ecr-login/issues/225)
 *   'Member must satisfy enum value set: [IMMUTABLE, MUTABLE]' (getmoto/moto's ECR tests)
 *   'Member must not be null', and nested paths such as 'tags.2.member.key' (mulgadc/spinifex's ECR
 *     gateway tests, from captured AWS responses)
 * except for repository names, which ECR checks with its own wording (github.com/jenkins-x/jx/issues/1344,
 * github.com/aws/aws-dotnet-deploy/issues/549, mulgadc/spinifex):
 *   'must satisfy regular expression '<pattern>'', 'must have length greater than or equal to 2',
 *   'must not be null'.
 */
import { DomainError } from '../../../domain/errors.js';
import { invalidParameter } from '../../../domain/model/invalid-parameter.js';
import { ECR_OPERATIONS, ECR_SHAPES, type EcrInput, type EcrOperationName } from './ecr-model.generated.js';
import { compilePattern, type PatternMatcher } from './pattern.js';
import type { ShapeSpec } from './shape-spec.js';

/** The operation's input from the parsed request body; throws the DomainError ECR's answer maps from. */
export function decodeEcrInput<Op extends EcrOperationName>(operation: Op, body: unknown): EcrInput<Op> {
  const inputShape = ECR_OPERATIONS[operation].input;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    // AWS answers a body that is not an object with a bare SerializationException (no message), except a list.
    throw serializationError(Array.isArray(body) ? 'Start of list found where not expected' : 'The request body must be a JSON object');
  }
  const input = decode(inputShape, body);
  checkMembers(inputShape, input, '');
  return input as EcrInput<Op>;
}

function shapeOf(name: string): ShapeSpec {
  const shape = ECR_SHAPES[name];
  if (!shape) throw new Error(`the ECR model has no shape ${name}`);
  return shape;
}

function serializationError(message: string): DomainError {
  return new DomainError('INVALID_PARAMETER', message, { awsType: 'SerializationException' });
}

// What Coral's JSON reader calls the Java type it was converting to.
const JAVA_TYPE_NAMES: Record<string, string> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  float: 'a Float',
  double: 'a Double',
  boolean: 'a Boolean',
  timestamp: 'a Date',
  blob: 'a ByteBuffer',
};

function typeMismatch(shape: ShapeSpec, value: unknown): DomainError {
  if (Array.isArray(value)) return serializationError('Start of list found where not expected');
  if (typeof value === 'object') return serializationError('Start of structure or map found where not expected.');
  if (shape.type === 'list') return serializationError('Expected list or null');
  if (shape.type === 'structure' || shape.type === 'map') return serializationError('Expected null');
  const token = typeof value === 'string' ? 'STRING_VALUE' : typeof value === 'number' ? 'NUMBER_VALUE' : value ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return serializationError(`${token} can not be converted to ${JAVA_TYPE_NAMES[shape.type]}`);
}

/** Padded standard base64, as the SDKs send; checked without a repeated group, which overflows V8's stack on a 27 MiB part. */
function isBase64(value: string): boolean {
  if (value.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(value)) return false;
  const padding = value.indexOf('=');
  return padding === -1 || (padding >= value.length - 2 && (padding === value.length - 1 || value[padding + 1] === '='));
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-null JSON value as the shape's runtime value; only declared members are copied. */
function decode(shapeName: string, value: unknown): unknown {
  const shape = shapeOf(shapeName);
  switch (shape.type) {
    case 'structure': {
      if (!isJsonObject(value)) throw typeMismatch(shape, value);
      const decoded: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const memberValue = Object.hasOwn(value, member) ? value[member] : undefined;
        if (memberValue !== undefined && memberValue !== null) decoded[member] = decode(memberShape, memberValue);
      }
      return decoded;
    }
    case 'list':
      if (!Array.isArray(value)) throw typeMismatch(shape, value);
      return value.filter((item) => item !== null).map((item) => decode(shape.member, item));
    case 'map':
      if (!isJsonObject(value)) throw typeMismatch(shape, value);
      // fromEntries defines keys such as "__proto__" as plain entries.
      return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item === null ? [] : [[key, decode(shape.value, item)]])));
    case 'string':
      if (typeof value !== 'string') throw typeMismatch(shape, value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeMismatch(shape, value);
      return value;
    case 'timestamp':
      if (typeof value !== 'number') throw typeMismatch(shape, value);
      return new Date(value * 1000);
    case 'blob':
      if (typeof value !== 'string') throw typeMismatch(shape, value);
      if (!isBase64(value)) throw serializationError('Invalid base64 data for a ByteBuffer');
      return Buffer.from(value, 'base64');
    default:
      if (typeof value !== 'number') throw typeMismatch(shape, value);
      return shape.type === 'integer' || shape.type === 'long' ? Math.trunc(value) : value;
  }
}

/** How a constraint reads in an InvalidParameterException. */
interface Wording {
  notNull: string;
  minLength(min: number): string;
  maxLength(max: number): string;
  pattern(pattern: string): string;
}

const CORAL_WORDING: Wording = {
  notNull: 'Member must not be null',
  minLength: (min) => `Member must have length greater than or equal to ${min}`,
  maxLength: (max) => `Member must have length less than or equal to ${max}`,
  pattern: (pattern) => `Member must satisfy regular expression pattern: ${pattern}`,
};

const REPOSITORY_NAME_WORDING: Wording = {
  notNull: 'must not be null',
  minLength: (min) => `must have length greater than or equal to ${min}`,
  maxLength: (max) => `must have length less than or equal to ${max}`,
  pattern: (pattern) => `must satisfy regular expression '${pattern}'`,
};

function wordingOf(shapeName: string): Wording {
  return shapeName === 'RepositoryName' ? REPOSITORY_NAME_WORDING : CORAL_WORDING;
}

/** Coral's form of a path segment: the member name with its first letter lower-cased ('Key' -> 'key'). */
function pathSegment(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

const matchers = new Map<string, PatternMatcher>();

function matches(shapeName: string, pattern: string, value: string): boolean {
  let matcher = matchers.get(shapeName);
  if (!matcher) {
    matcher = compilePattern(pattern);
    matchers.set(shapeName, matcher);
  }
  return matcher(value);
}

/**
 * Coral lists enum values in the iteration order of a java.util.HashSet built from the model's list:
 * by bucket ((h ^ h >>> 16) & (capacity - 1) of String.hashCode), then insertion order. This reproduces
 * both observed messages: [IMMUTABLE, MUTABLE] and [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION].
 */
export function javaHashSetOrder(values: readonly string[]): string[] {
  let capacity = 16;
  while (values.length > capacity * 0.75) capacity *= 2;
  const bucketOf = (value: string) => {
    let hash = 0;
    for (let i = 0; i < value.length; i++) hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
    return (hash ^ (hash >>> 16)) & (capacity - 1);
  };
  return values
    .map((value, index) => ({ value, index, bucket: bucketOf(value) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map(({ value }) => value);
}

const enumMessages = new Map<string, string>();

function enumConstraint(shapeName: string, values: readonly string[]): string {
  let message = enumMessages.get(shapeName);
  if (!message) {
    message = `Member must satisfy enum value set: [${javaHashSetOrder(values).join(', ')}]`;
    enumMessages.set(shapeName, message);
  }
  return message;
}

/** The model's `\/` is a plain `/` in ECR's messages. */
function displayedPattern(pattern: string): string {
  return pattern.replace(/\\\//g, '/');
}

function lengthViolation(bounds: { min?: number; max?: number }, length: number, wording: Wording): string | undefined {
  if (bounds.min !== undefined && length < bounds.min) return wording.minLength(bounds.min);
  if (bounds.max !== undefined && length > bounds.max) return wording.maxLength(bounds.max);
  return undefined;
}

function firstViolation<T>(items: Iterable<T>, check: (item: T) => string | undefined): string | undefined {
  for (const item of items) {
    const broken = check(item);
    if (broken) return broken;
  }
  return undefined;
}

/** The first constraint a decoded value breaks, in ECR's words, checking list elements and map entries too. */
function violation(shapeName: string, value: unknown): string | undefined {
  const shape = shapeOf(shapeName);
  const wording = wordingOf(shapeName);
  switch (shape.type) {
    case 'structure':
    case 'boolean':
    case 'timestamp':
      return undefined;
    case 'string': {
      const text = value as string;
      const length = lengthViolation(shape, text.length, wording);
      if (length) return length;
      if (shape.pattern !== undefined && !matches(shapeName, shape.pattern, text)) return wording.pattern(displayedPattern(shape.pattern));
      if (shape.enum && !shape.enum.includes(text)) return enumConstraint(shapeName, shape.enum);
      return undefined;
    }
    case 'blob':
      return lengthViolation(shape, (value as Uint8Array).byteLength, wording);
    case 'list': {
      const items = value as unknown[];
      const length = lengthViolation(shape, items.length, wording);
      if (length) return length;
      const element = firstViolation(items, (item) => violation(shape.member, item));
      return element && `Member must satisfy constraint: [${element}]`;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      const length = lengthViolation(shape, entries.length, wording);
      if (length) return length;
      const key = firstViolation(entries, ([k]) => violation(shape.key, k));
      if (key) return `Map keys must satisfy constraint: [${key}]`;
      const item = firstViolation(entries, ([, v]) => violation(shape.value, v));
      return item && `Map value must satisfy constraint: [${item}]`;
    }
    default: {
      const number = value as number;
      if (shape.min !== undefined && number < shape.min) return `Member must have value greater than or equal to ${shape.min}`;
      if (shape.max !== undefined && number > shape.max) return `Member must have value less than or equal to ${shape.max}`;
      return undefined;
    }
  }
}

/** Checks a decoded structure's members, then descends into structures inside them ('tags.2.member.key'). */
function checkMembers(shapeName: string, value: unknown, path: string): void {
  const shape = shapeOf(shapeName);
  if (shape.type === 'list') {
    (value as unknown[]).forEach((item, i) => checkMembers(shape.member, item, `${path}.${i + 1}.member`));
    return;
  }
  if (shape.type === 'map') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) checkMembers(shape.value, item, `${path}.${key}.member`);
    return;
  }
  if (shape.type !== 'structure') return;
  const record = value as Record<string, unknown>;
  for (const [member, memberShape] of Object.entries(shape.members)) {
    const memberPath = path ? `${path}.${pathSegment(member)}` : pathSegment(member);
    const memberValue = record[member];
    if (memberValue === undefined) {
      if (shape.required?.includes(member)) throw invalidParameter(memberPath, wordingOf(memberShape).notNull);
      continue;
    }
    const broken = violation(memberShape, memberValue);
    if (broken) throw invalidParameter(memberPath, broken);
    checkMembers(memberShape, memberValue, memberPath);
  }
}
