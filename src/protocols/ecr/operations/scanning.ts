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
      const { scan } = page;
      const summary = findingsSummaryOf(scan);
      const findings =
        scan.scanType === 'BASIC'
          ? { findings: page.findings.map(basicFinding) }
          : {
              enhancedFindings: await (async () => {
                const [detail] = (await deps.registry.images.describeImages(repositoryName, { imageIds: [{ imageDigest: page.imageDigest }] })).imageDetails;
                const image = { repositoryName, imageDigest: page.imageDigest, imageTags: detail?.imageTags ?? [], pushedAt: detail?.imagePushedAt ?? scan.requestedAt, observedAt: scan.completedAt ?? scan.requestedAt };
                return page.findings.map((finding) => enhancedFinding(finding, image, deps.scope));
              })(),
            };
      return {
        registryId: registryId(),
        repositoryName,
        imageId: { imageDigest: page.imageDigest, ...(imageId.imageTag !== undefined && { imageTag: imageId.imageTag }) },
        imageScanStatus: scanStatusOf(scan),
        ...(summary && { imageScanFindings: { ...summary, ...findings } }),
        ...(page.nextToken && { nextToken: page.nextToken }),
      };
    },
  };
}
