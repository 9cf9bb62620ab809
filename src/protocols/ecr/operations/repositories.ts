import { repositoryArn } from '../../../domain/model/arn.js';
import type { RepositoryRecord } from '../../../domain/ports/metadata-store.js';
import { isDomainError } from '../../../domain/errors.js';
import type { Repository, RepositoryScanningConfiguration, RepositoryScanningConfigurationFailure } from '../model/ecr-model.generated.js';
import type { EcrCall, EcrDeps, EcrHandlers } from './index.js';

/** Repository operations: create, describe, delete, and the settings ECR changes one at a time. */
export function repositoryHandlers(deps: EcrDeps): EcrHandlers {
  const repositories = () => deps.registry.repositories;
  const registryId = () => deps.scope.account;
  return {
    CreateRepository: async (input, call) => {
      const { repositoryName, tags, imageTagMutability, imageTagMutabilityExclusionFilters, imageScanningConfiguration, encryptionConfiguration } = input;
      const created = await repositories().create(repositoryName, {
        tags,
        imageTagMutability,
        imageTagMutabilityExclusionFilters,
        imageScanningConfiguration,
        encryptionConfiguration,
      });
      return { repository: repositoryOutput(deps, created, call) };
    },
    DescribeRepositories: async ({ repositoryNames, maxResults, nextToken }, call) => {
      const page = await repositories().describe({ repositoryNames, maxResults, nextToken });
      return { repositories: page.repositories.map((record) => repositoryOutput(deps, record, call)), nextToken: page.nextToken };
    },
    DeleteRepository: async ({ repositoryName, force }, call) => {
      const deleted = await repositories().delete(repositoryName, { force });
      await deps.access.noticeChanges();
      return { repository: repositoryOutput(deps, deleted, call) };
    },
    PutImageTagMutability: async ({ repositoryName, imageTagMutability, imageTagMutabilityExclusionFilters }) => {
      const { name, settings } = await repositories().putImageTagMutability(repositoryName, imageTagMutability, imageTagMutabilityExclusionFilters);
      return { registryId: registryId(), repositoryName: name, imageTagMutability: settings.imageTagMutability, imageTagMutabilityExclusionFilters: exclusionFiltersIfAny(settings) };
    },
    // The settings scanning will act on (issue 5); per repository, as scan-on-push or manual.
    BatchGetRepositoryScanningConfiguration: async ({ repositoryNames }) => {
      const scanningConfigurations: RepositoryScanningConfiguration[] = [];
      const failures: RepositoryScanningConfigurationFailure[] = [];
      for (const name of repositoryNames) {
        try {
          const { settings } = await repositories().get(name);
          const scanOnPush = settings.imageScanningConfiguration.scanOnPush;
          scanningConfigurations.push({ repositoryArn: repositoryArn(deps.scope, name), repositoryName: name, scanOnPush, scanFrequency: scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL', appliedScanFilters: [] });
        } catch (err) {
          if (!isDomainError(err, 'NAME_UNKNOWN')) throw err;
          failures.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
        }
      }
      return { scanningConfigurations, failures };
    },
    PutImageScanningConfiguration: async ({ repositoryName, imageScanningConfiguration }) => {
      const { name, settings } = await repositories().putImageScanningConfiguration(repositoryName, { scanOnPush: imageScanningConfiguration.scanOnPush ?? false });
      return { registryId: registryId(), repositoryName: name, imageScanningConfiguration: settings.imageScanningConfiguration };
    },
  };
}

/** A repository as ECR describes it; its URI names the public host when configured, else the host the client reached. */
function repositoryOutput(deps: EcrDeps, record: RepositoryRecord, call: EcrCall): Repository {
  const host = deps.publicHost ?? new URL(call.endpoint).host;
  const { imageTagMutability, imageScanningConfiguration, encryptionConfiguration } = record.settings;
  return {
    repositoryArn: repositoryArn(deps.scope, record.name),
    registryId: deps.scope.account,
    repositoryName: record.name,
    repositoryUri: `${host}/${record.name}`,
    createdAt: record.createdAt,
    imageTagMutability,
    imageTagMutabilityExclusionFilters: exclusionFiltersIfAny(record.settings),
    imageScanningConfiguration,
    encryptionConfiguration,
  };
}

/** ECR leaves the exclusion filters out of its answers when a repository has none. */
export function exclusionFiltersIfAny<T>(settings: { imageTagMutabilityExclusionFilters: T[] }): T[] | undefined {
  return settings.imageTagMutabilityExclusionFilters.length > 0 ? settings.imageTagMutabilityExclusionFilters : undefined;
}
