/**
 * ECR operations through the console API: `POST /console/api/ecr/<Operation>` with the operation's JSON
 * input, answered with its wire JSON. Inputs and outputs are typed from the ECR service model Berth
 * generates (type imports only), with timestamps as the epoch seconds the wire carries.
 */
import type { EcrInput, EcrOperationName, EcrOutput } from '../../../src/protocols/ecr/model/ecr-model.generated.js';
import type * as Model from '../../../src/protocols/ecr/model/ecr-model.generated.js';
import { apiRequest } from './client.js';

/** A model shape as JSON 1.1 carries it: Dates as epoch seconds. */
export type Wire<T> = T extends Date ? number : T extends readonly (infer Item)[] ? Wire<Item>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export type Repository = Wire<Model.Repository>;
export type ImageDetail = Wire<Model.ImageDetail>;
export type ImageTagMutability = Model.ImageTagMutability;
export type ImageTagMutabilityExclusionFilter = Wire<Model.ImageTagMutabilityExclusionFilter>;
export type EncryptionConfiguration = Wire<Model.EncryptionConfiguration>;
export type ImageScanFinding = Wire<Model.ImageScanFinding>;
export type EnhancedImageScanFinding = Wire<Model.EnhancedImageScanFinding>;
export type ImageScanFindings = Wire<Model.ImageScanFindings>;
export type ImageScanStatus = Wire<Model.ImageScanStatus>;
export type FindingSeverity = Model.FindingSeverity;
export type LifecyclePolicyPreviewResult = Wire<Model.LifecyclePolicyPreviewResult>;
export type RegistryScanningRule = Wire<Model.RegistryScanningRule>;
export type ScanFrequency = Model.ScanFrequency;
export type RepositoryCreationTemplate = Wire<Model.RepositoryCreationTemplate>;
export type RCTAppliedFor = Model.RCTAppliedFor;
export type Tag = Wire<Model.Tag>;

export function ecr<Op extends EcrOperationName>(operation: Op, input: Wire<EcrInput<Op>>, signal?: AbortSignal): Promise<Wire<EcrOutput<Op>>> {
  return apiRequest('POST', `/console/api/ecr/${operation}`, input, signal ? { signal } : {});
}

/** Every page of a paginated operation, following nextToken. */
export async function ecrAll<Op extends EcrOperationName, Item>(
  operation: Op,
  input: Wire<EcrInput<Op>>,
  items: (output: Wire<EcrOutput<Op>>) => Item[] | undefined,
  signal?: AbortSignal,
): Promise<Item[]> {
  const all: Item[] = [];
  let nextToken: string | undefined;
  do {
    const output = await ecr(operation, { ...(input as object), ...(nextToken && { nextToken }) } as Wire<EcrInput<Op>>, signal);
    all.push(...(items(output) ?? []));
    nextToken = (output as { nextToken?: string }).nextToken;
  } while (nextToken);
  return all;
}
