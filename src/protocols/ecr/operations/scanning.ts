import { DomainError } from '../../../domain/errors.js';
import { repositoryArn } from '../../../domain/model/arn.js';
import type { RegistryScanningConfiguration } from '../../../domain/scanning/scanning-configuration.js';
import type { RepositoryScanningConfiguration, RepositoryScanningConfigurationFailure } from '../model/ecr-model.generated.js';
import { basicFinding, enhancedFinding, findingsSummaryOf, scanStatusOf } from '../scan-findings.js';
import type { EcrDeps, EcrHandlers } from './index.js';

/** Image scanning: the registry scanning configuration, starting scans and reading their findings. */
export function scanningHandlers(deps: EcrDeps): EcrHandlers {
  const scans = () => deps.registry.scans;
  const registryId = () => deps.scope.account;
  return {
    PutRegistryScanningConfiguration: async ({ scanType, rules }) => {
      const configuration = { scanType: scanType ?? 'BASIC', rules: rules ?? [] } as RegistryScanningConfiguration;
      return { registryScanningConfiguration: await scans().putConfiguration(configuration) };
    },
    GetRegistryScanningConfiguration: async () => ({ registryId: registryId(), scanningConfiguration: await scans().configuration() }),
    BatchGetRepositoryScanningConfiguration: async ({ repositoryNames }) => {
      const scanningConfigurations: RepositoryScanningConfiguration[] = [];
      const failures: RepositoryScanningConfigurationFailure[] = [];
      for (const repositoryName of new Set(repositoryNames)) {
        try {
          const repository = await deps.registry.repositories.get(repositoryName);
          const applied = await scans().repositoryScanning(repository);
          scanningConfigurations.push({
            repositoryArn: repositoryArn(deps.scope, repository.name),
            repositoryName: repository.name,
            scanOnPush: applied.scanOnPush,
            scanFrequency: applied.scanFrequency,
            appliedScanFilters: applied.appliedScanFilters,
          });
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'NAME_UNKNOWN') throw err;
          failures.push({ repositoryName, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
        }
      }
      return { scanningConfigurations, failures };
    },
    StartImageScan: async ({ repositoryName, imageId }) => {
      const started = await scans().start(repositoryName, imageId);
      return {
        registryId: registryId(),
        repositoryName,
        imageId: { imageDigest: started.imageDigest, ...(imageId.imageTag !== undefined && { imageTag: imageId.imageTag }) },
        imageScanStatus: scanStatusOf(started.scan),
      };
    },
    DescribeImageScanFindings: async ({ repositoryName, imageId, maxResults, nextToken }) => {
      const page = await scans().findings(repositoryName, imageId, { maxResults, nextToken });
      const { scan, image } = page;
      const summary = findingsSummaryOf(scan);
      const observedAt = scan.completedAt ?? scan.requestedAt;
      const findings =
        scan.scanType === 'BASIC'
          ? { findings: page.findings.map(basicFinding) }
          : {
              enhancedFindings: page.findings.map((finding) =>
                enhancedFinding(finding, { repositoryName, imageDigest: image.imageDigest, imageTags: image.imageTags, pushedAt: image.imagePushedAt, observedAt }, deps.scope),
              ),
            };
      return {
        registryId: registryId(),
        repositoryName,
        imageId: { imageDigest: image.imageDigest, ...(imageId.imageTag !== undefined && { imageTag: imageId.imageTag }) },
        imageScanStatus: scanStatusOf(scan),
        ...(summary && { imageScanFindings: { ...summary, ...findings } }),
        ...(page.nextToken && { nextToken: page.nextToken }),
      };
    },
  };
}
