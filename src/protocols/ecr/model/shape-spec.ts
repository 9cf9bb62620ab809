/**
 * The runtime form of the ECR service model (botocore's service-2.json), as ecr-model.generated.ts
 * holds it: what validation, serialization and the error table need, and nothing else. Shapes refer
 * to each other by name.
 */

interface Bounds {
  /** Length for strings, lists, maps and blobs; value for numbers. */
  min?: number;
  max?: number;
}

export interface StructureSpec {
  type: 'structure';
  /** Member name -> shape name, in the model's order. */
  members: Readonly<Record<string, string>>;
  required?: readonly string[];
  /** Set on error shapes. */
  exception?: true;
  /** Set on error shapes the service blames on itself (5xx). */
  fault?: true;
  /** The HTTP status of an error shape, when the model states one. */
  status?: number;
}

export interface ListSpec extends Bounds {
  type: 'list';
  member: string;
}

export interface MapSpec extends Bounds {
  type: 'map';
  key: string;
  value: string;
}

export interface StringSpec extends Bounds {
  type: 'string';
  /** A Java regular expression the whole value must match. */
  pattern?: string;
  enum?: readonly string[];
}

export interface NumberSpec extends Bounds {
  type: 'integer' | 'long' | 'float' | 'double';
}

export interface BlobSpec extends Bounds {
  type: 'blob';
}

export interface ScalarSpec {
  type: 'boolean' | 'timestamp';
}

export type ShapeSpec = StructureSpec | ListSpec | MapSpec | StringSpec | NumberSpec | BlobSpec | ScalarSpec;

export interface OperationSpec {
  input: string;
  output: string;
  /** The error shapes the model says the operation may answer with. */
  errors: readonly string[];
  /** The first sentence of the operation's documentation, as plain text. */
  summary: string;
}

export interface ServiceSpec {
  apiVersion: string;
  /** The `X-Amz-Target` prefix: `<targetPrefix>.<Operation>`. */
  targetPrefix: string;
  /** The JSON protocol version: requests and responses are `application/x-amz-json-<jsonVersion>`. */
  jsonVersion: string;
  /** The botocore release the model was generated from. */
  botocoreVersion: string;
}
