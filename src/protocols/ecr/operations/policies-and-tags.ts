import { repositoryArn, repositoryNameOfArn } from '../../../domain/model/arn.js';
import { invalidParameter } from '../../../domain/model/invalid-parameter.js';
import type { EcrDeps, EcrHandlers } from './index.js';
import { checkRepositoryPolicy } from './policy-texts.js';

/**
 * A repository's policy and resource tags. Both decide access, so every change to them makes cached
 * authorisation state reload.
 */
export function policyAndTagHandlers(deps: EcrDeps): EcrHandlers {
  const repositories = () => deps.registry.repositories;
  const documents = () => deps.registry.repositoryDocuments;
  const registryId = () => deps.scope.account;

  /** The repository a tagging operation's ARN names, which must be one of this registry's. */
  const repositoryOf = (resourceArn: string): string => {
    const name = repositoryNameOfArn(resourceArn);
    if (name === undefined || resourceArn !== repositoryArn(deps.scope, name)) {
      throw invalidParameter('resourceArn', `Invalid ARN: this registry's repositories are ${repositoryArn(deps.scope, '<name>')}`);
    }
    return name;
  };

  return {
    SetRepositoryPolicy: async ({ repositoryName, policyText, force }, call) => {
      checkRepositoryPolicy('PolicyText', policyText);
      const settingItAgain = {
        caller: call.caller,
        action: 'ecr:SetRepositoryPolicy',
        resource: { kind: 'repository' as const, name: repositoryName },
        sourceIp: call.sourceIp,
        secureTransport: call.secureTransport,
      };
      if (!force && !(await deps.access.wouldBeAllowedUnder(settingItAgain, policyText))) {
        throw invalidParameter(
          'PolicyText',
          `The repository policy would prevent ${call.caller.arn} from setting a repository policy on this repository again; repeat the call with force to set it anyway`,
        );
      }
      const stored = await documents().put(repositoryName, 'policy', policyText);
      await deps.access.noticeChanges();
      return { registryId: registryId(), repositoryName: stored.repositoryName, policyText: stored.text };
    },
    GetRepositoryPolicy: async ({ repositoryName }) => {
      const stored = await documents().get(repositoryName, 'policy');
      return { registryId: registryId(), repositoryName: stored.repositoryName, policyText: stored.text };
    },
    DeleteRepositoryPolicy: async ({ repositoryName }) => {
      const deleted = await documents().delete(repositoryName, 'policy');
      await deps.access.noticeChanges();
      return { registryId: registryId(), repositoryName: deleted.repositoryName, policyText: deleted.text };
    },
    TagResource: async ({ resourceArn, tags }) => {
      await repositories().tagResource(repositoryOf(resourceArn), tags);
      await deps.access.noticeChanges();
      return {};
    },
    UntagResource: async ({ resourceArn, tagKeys }) => {
      await repositories().untagResource(repositoryOf(resourceArn), tagKeys);
      await deps.access.noticeChanges();
      return {};
    },
    ListTagsForResource: async ({ resourceArn }) => ({ tags: await repositories().listTagsForResource(repositoryOf(resourceArn)) }),
  };
}
