import type { ReplicationConfiguration } from '../model/ecr-model.generated.js';
import { decodeNextToken, pageOf, pageSize } from '../../../domain/registry/page-tokens.js';
import type { EcrDeps, EcrHandlers } from './index.js';

/**
 * Account-level operations: registry credentials, the registry policy, account settings, registry
 * configurations and the pull time update exclusions.
 */
export function accountHandlers(deps: EcrDeps): EcrHandlers {
  const registryId = () => deps.scope.account;
  const settings = () => deps.registrySettings;
  return {
    GetAuthorizationToken: async (_input, call) => {
      const { token, expiresAt } = await deps.authenticator.issueRegistryToken(call.caller);
      const proxyEndpoint = deps.publicHost ? `${call.endpoint.split('://')[0]}://${deps.publicHost}` : call.endpoint;
      return { authorizationData: [{ authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'), expiresAt, proxyEndpoint }] };
    },
    DescribeRegistry: async () => {
      const replicationConfiguration = await settings().getConfiguration<ReplicationConfiguration>('replication-configuration');
      return { registryId: registryId(), replicationConfiguration: replicationConfiguration ?? { rules: [] } };
    },
    PutRegistryPolicy: async ({ policyText }) => {
      await settings().putPolicy(policyText);
      return { registryId: registryId(), policyText };
    },
    GetRegistryPolicy: async () => ({ registryId: registryId(), policyText: await settings().getPolicy() }),
    DeleteRegistryPolicy: async () => ({ registryId: registryId(), policyText: await settings().deletePolicy() }),
    GetAccountSetting: async ({ name }) => ({ name, value: await settings().getAccountSetting(name) }),
    PutAccountSetting: async ({ name, value }) => {
      await settings().putAccountSetting(name, value);
      return { name, value };
    },
    // Stored and returned now; replication itself is a later capability.
    PutReplicationConfiguration: async ({ replicationConfiguration }) => {
      await settings().putConfiguration('replication-configuration', replicationConfiguration);
      return { replicationConfiguration };
    },
    RegisterPullTimeUpdateExclusion: async ({ principalArn }) => deps.pullTimeExclusions.register(principalArn),
    DeregisterPullTimeUpdateExclusion: async ({ principalArn }) => {
      await deps.pullTimeExclusions.deregister(principalArn);
      return { principalArn };
    },
    ListPullTimeUpdateExclusions: async ({ maxResults, nextToken }) => {
      const all = (await deps.pullTimeExclusions.list()).map((e) => e.principalArn).sort();
      const after = nextToken === undefined ? undefined : decodeNextToken(nextToken, 1)[0];
      const page = pageOf(after ? all.filter((arn) => arn > after) : all, pageSize(maxResults), (arn) => [arn]);
      return { pullTimeUpdateExclusions: page.items, ...(page.nextToken && { nextToken: page.nextToken }) };
    },
  };
}
