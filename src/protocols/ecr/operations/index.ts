/** The ECR operations Berth serves: one handler per operation, typed by the service model. */
import type { Authenticator } from '../../../domain/identity/authenticator.js';
import type { Caller } from '../../../domain/identity/caller.js';
import type { AccountScope } from '../../../domain/model/arn.js';
import type { AccessControl } from '../../../domain/policy/access-control.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { DownloadLinks } from '../../../domain/registry/download-links.js';
import type { Registry } from '../../../domain/registry/registry.js';
import type { PullTimeExclusions } from '../../../domain/registry/pull-time-exclusions.js';
import type { RegistrySettings } from '../../../domain/registry/registry-settings.js';
import type { EcrInput, EcrOperationName, EcrOutput } from '../model/ecr-model.generated.js';
import { accountHandlers } from './account.js';
import { ecrAccessRequests } from './authorization.js';
import { imageHandlers } from './images.js';
import { layerHandlers } from './layers.js';
import { lifecycleHandlers } from './lifecycle.js';
import { policyAndTagHandlers } from './policies-and-tags.js';
import { repositoryHandlers } from './repositories.js';
import { scanningHandlers } from './scanning.js';
import { creationTemplateHandlers } from './templates.js';

/** What a handler knows about the call besides its input. */
export interface EcrCall {
  caller: Caller;
  requestId: string;
  sourceIp: string;
  secureTransport: boolean;
  operation: EcrOperationName;
  /** scheme://host[:port] the client reached, for repositoryUri and proxyEndpoint. */
  endpoint: string;
}

/** Serves one operation: a validated input in, the output shape out (Dates and bytes as such; the wire encodes them). */
export type EcrHandler<Op extends EcrOperationName> = (input: EcrInput<Op>, call: EcrCall) => Promise<EcrOutput<Op>>;

export type EcrHandlers = { [Op in EcrOperationName]?: EcrHandler<Op> };

/** The domain services ECR handlers call. */
export interface EcrDeps {
  scope: AccountScope;
  clock: Clock;
  registry: Registry;
  access: AccessControl;
  authenticator: Authenticator;
  downloads: DownloadLinks;
  registrySettings: RegistrySettings;
  pullTimeExclusions: PullTimeExclusions;
  /** host[:port] for repositoryUri when configured; else the host the client reached. */
  publicHost?: string;
}

/** Every implemented operation, each authorised (ecr:<Operation> on its resource) before it runs. */
export function ecrHandlers(deps: EcrDeps): EcrHandlers {
  const handlers: EcrHandlers = {
    ...accountHandlers(deps),
    ...repositoryHandlers(deps),
    ...imageHandlers(deps),
    ...layerHandlers(deps),
    ...policyAndTagHandlers(deps),
    ...lifecycleHandlers(deps),
    ...creationTemplateHandlers(deps),
    ...scanningHandlers(deps),
  };
  const authorised: Record<string, EcrHandler<EcrOperationName>> = {};
  for (const [operation, handler] of Object.entries(handlers) as [EcrOperationName, EcrHandler<EcrOperationName>][]) {
    authorised[operation] = async (input, call) => {
      for (const request of ecrAccessRequests(operation, input as object, call, deps.scope.account)) await deps.access.authorize(request);
      const output = await handler(input, call);
      return operation === 'DescribeRepositories' && !(input as { repositoryNames?: string[] }).repositoryNames?.length
        ? ((await describableOnly(deps, call, output as EcrOutput<'DescribeRepositories'>)) as EcrOutput<EcrOperationName>)
        : output;
    };
  }
  return authorised as EcrHandlers;
}

/** A listing of every repository shows only those the caller may describe, as the OCI catalog does. */
async function describableOnly(deps: EcrDeps, call: EcrCall, output: EcrOutput<'DescribeRepositories'>): Promise<EcrOutput<'DescribeRepositories'>> {
  const repositories = output.repositories ?? [];
  const allowed = await Promise.all(
    repositories.map((r) =>
      deps.access.isAllowed({ caller: call.caller, action: 'ecr:DescribeRepositories', resource: { kind: 'repository', name: r.repositoryName! }, sourceIp: call.sourceIp, secureTransport: call.secureTransport }),
    ),
  );
  return { ...output, repositories: repositories.filter((_, i) => allowed[i]) };
}

/** The operations served, for docs/ecr-api.md (handlers are only built here, never called). */
export const IMPLEMENTED_ECR_OPERATIONS: ReadonlySet<EcrOperationName> = new Set(Object.keys(ecrHandlers({} as EcrDeps)) as EcrOperationName[]);
