import { DomainError } from '../../../domain/errors.js';
import { repositoryNameOfArn } from '../../../domain/model/arn.js';
import type { ResourceTag } from '../../../domain/model/repository-settings.js';
import type { AccessRequest } from '../../../domain/policy/access-control.js';
import type { EcrOperationName } from '../model/ecr-model.generated.js';
import type { EcrCall } from './index.js';

/** The fields of ECR inputs that say what an operation acts on. */
interface TargetFields {
  registryId?: string;
  repositoryName?: string;
  repositoryNames?: string[];
  resourceArn?: string;
  tags?: ResourceTag[];
  tagKeys?: string[];
}

/**
 * The access requests AWS makes for an ECR call: the action is `ecr:<Operation>`; the resource is each
 * repository the input names (by name, names, or ARN for the tagging operations), else the account
 * ("*"). A listing of all repositories (DescribeRepositories without names) asks nothing up front: its
 * output is filtered per repository instead.
 */
export function ecrAccessRequests(operation: EcrOperationName, input: TargetFields, call: EcrCall, account: string): AccessRequest[] {
  if (input.repositoryNames?.length) return input.repositoryNames.map((repositoryName) => ecrAccessRequest(operation, { ...input, repositoryNames: undefined, repositoryName }, call, account));
  if (operation === 'DescribeRepositories') return [];
  return [ecrAccessRequest(operation, input, call, account)];
}

function ecrAccessRequest(operation: EcrOperationName, input: TargetFields, call: EcrCall, account: string): AccessRequest {
  if (input.registryId !== undefined && input.registryId !== account) {
    throw new DomainError('INVALID_PARAMETER', `Invalid parameter at 'registryId' failed to satisfy constraint: 'this registry is account ${account}, not ${input.registryId}'`);
  }
  const repository = input.repositoryName ?? (input.resourceArn === undefined ? undefined : repositoryOfArn(input.resourceArn));
  // A registry token is the caller's own account's business (it then works wherever policies let it in).
  const ownAccount = operation === 'GetAuthorizationToken' ? call.caller.account : undefined;
  return {
    caller: call.caller,
    action: `ecr:${operation}`,
    resource: repository === undefined ? { kind: 'registry', ...(ownAccount && { account: ownAccount }) } : { kind: 'repository', name: repository },
    sourceIp: call.sourceIp,
    secureTransport: call.secureTransport,
    ...(input.tags && { requestTags: input.tags }),
    ...(input.tagKeys && { tagKeys: input.tagKeys }),
  };
}

function repositoryOfArn(arn: string): string {
  const name = repositoryNameOfArn(arn);
  if (name === undefined) {
    throw new DomainError('INVALID_PARAMETER', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: ${arn.slice(0, 300)}'`);
  }
  return name;
}
