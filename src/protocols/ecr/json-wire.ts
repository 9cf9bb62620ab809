/** The AWS JSON 1.1 protocol as ECR speaks it: content type, operation target, body parsing and output serialization. */
import { DomainError } from '../../domain/errors.js';
import { ECR_OPERATIONS, ECR_SERVICE, ECR_SHAPES, type EcrOperationName } from './model/ecr-model.generated.js';

export const ECR_CONTENT_TYPE = `application/x-amz-json-${ECR_SERVICE.jsonVersion}`;

/** True when a Content-Type header names ECR's JSON protocol (parameters such as charset aside). */
export function isEcrContentType(header: string | undefined): boolean {
  return header?.split(';', 1)[0]!.trim().toLowerCase() === ECR_CONTENT_TYPE;
}

/** The operation an `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>` header names; case matters, as at AWS. */
export function operationForTarget(header: string | undefined): EcrOperationName | undefined {
  const prefix = `${ECR_SERVICE.targetPrefix}.`;
  if (!header?.startsWith(prefix)) return undefined;
  const name = header.slice(prefix.length);
  return Object.hasOwn(ECR_OPERATIONS, name) ? (name as EcrOperationName) : undefined;
}

/** A response body: bytes, so the content type goes out exactly as AWS sends it (no charset appended). */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A request body as JSON; an empty body is an empty input. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    // AWS answers a malformed body with a bare SerializationException (no message); ours says what is wrong.
    throw new DomainError('INVALID_PARAMETER', 'The request body is not valid JSON', { awsType: 'SerializationException' });
  }
}

/**
 * A value of the named shape as JSON: only the shape's members, undefined ones left out; Dates as epoch
 * seconds with a millisecond fraction, bytes as base64, as the JSON protocol carries them.
 */
export function serializeShape(shapeName: string, value: unknown): unknown {
  const shape = ECR_SHAPES[shapeName];
  if (!shape) throw new Error(`the ECR model has no shape ${shapeName}`);
  switch (shape.type) {
    case 'structure': {
      const record = value as Record<string, unknown>;
      const json: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const memberValue = record[member];
        if (memberValue !== undefined && memberValue !== null) json[member] = serializeShape(memberShape, memberValue);
      }
      return json;
    }
    case 'list':
      return (value as unknown[]).map((item) => serializeShape(shape.member, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => (item === undefined || item === null ? [] : [[key, serializeShape(shape.value, item)]])),
      );
    case 'timestamp':
      return (value as Date).getTime() / 1000;
    case 'blob': {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    default:
      return value;
  }
}
