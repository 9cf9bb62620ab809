import { createHash } from 'node:crypto';
import type { AccountScope } from '../../domain/model/arn.js';
import type { ImageScanRecord, SeverityCounts } from '../../domain/ports/scan-metadata.js';
import type { InstalledPackage } from '../../domain/scanning/inventory/model.js';
import type { Finding } from '../../domain/scanning/osv/match.js';
import type { EnhancedImageScanFinding, ImageScanFinding, ImageScanFindingsSummary, ImageScanStatus, VulnerablePackage } from './model/ecr-model.generated.js';

/** ECR's package manager names, by purl type. */
const PACKAGE_MANAGERS: Record<InstalledPackage['type'], string> = {
  deb: 'OS',
  apk: 'OS',
  rpm: 'OS',
  pypi: 'PYTHONPKG',
  npm: 'NPM',
  golang: 'GOMOD',
  maven: 'JAR',
  gem: 'BUNDLER',
};

export function scanStatusOf(scan: ImageScanRecord): ImageScanStatus {
  return { status: scan.status, ...(scan.description !== null && { description: scan.description }) };
}

/** DescribeImages' imageScanFindingsSummary; absent until a scan completed. */
export function findingsSummaryOf(scan: ImageScanRecord): ImageScanFindingsSummary | undefined {
  if (scan.status !== 'COMPLETE' || !scan.completedAt) return undefined;
  return {
    imageScanCompletedAt: scan.completedAt,
    ...(scan.vulnerabilitySourceUpdatedAt && { vulnerabilitySourceUpdatedAt: scan.vulnerabilitySourceUpdatedAt }),
    findingSeverityCounts: (scan.severityCounts ?? {}) as SeverityCounts,
  };
}

/**
 * A finding in basic scanning's shape: name, uri, severity and package attributes. The fixed version,
 * when one is known, is one more attribute (`fixed_in_version`): ECR's basic findings carry none, but
 * the list is open key/value pairs and the version is what a reader of a finding wants next.
 */
export function basicFinding(finding: Finding): ImageScanFinding {
  const attributes = [
    { key: 'package_version', value: finding.packageVersion },
    { key: 'package_name', value: finding.packageName },
    ...(finding.fixedInVersion === undefined ? [] : [{ key: 'fixed_in_version', value: finding.fixedInVersion }]),
  ];
  for (const cvss of finding.cvss) {
    const family = cvss.version === '2.0' ? 'CVSS2' : cvss.version === '4.0' ? 'CVSS4' : 'CVSS3';
    if (attributes.some((a) => a.key === `${family}_SCORE`)) continue;
    attributes.push({ key: `${family}_VECTOR`, value: cvss.vector }, { key: `${family}_SCORE`, value: String(cvss.baseScore) });
  }
  return { name: finding.vulnerabilityId, description: finding.description, uri: finding.uri, severity: finding.severity, attributes };
}

/** A finding in enhanced scanning's (Amazon Inspector's) shape. */
export function enhancedFinding(finding: Finding, image: { repositoryName: string; imageDigest: string; imageTags: string[]; pushedAt: Date; observedAt: Date }, scope: AccountScope): EnhancedImageScanFinding {
  const id = createHash('sha256').update(`${image.repositoryName}\0${image.imageDigest}\0${finding.vulnerabilityId}\0${finding.packageName}`).digest('hex').slice(0, 32);
  const vulnerablePackages: VulnerablePackage[] = finding.packages.map((pkg) => ({
    name: pkg.name,
    version: pkg.version,
    packageManager: PACKAGE_MANAGERS[pkg.type],
    filePath: pkg.path,
    ...(pkg.arch && { arch: pkg.arch }),
    ...(finding.fixedInVersion && { fixedInVersion: finding.fixedInVersion }),
  }));
  const primary = finding.primaryCvss;
  return {
    awsAccountId: scope.account,
    description: finding.description,
    findingArn: `arn:aws:inspector2:${scope.region}:${scope.account}:finding/${id}`,
    firstObservedAt: image.observedAt,
    lastObservedAt: image.observedAt,
    updatedAt: image.observedAt,
    packageVulnerabilityDetails: {
      vulnerabilityId: finding.vulnerabilityId,
      source: finding.recordIds[0] ?? finding.vulnerabilityId,
      sourceUrl: finding.uri,
      cvss: finding.cvss.map((c) => ({ baseScore: c.baseScore, scoringVector: c.vector, source: c.source, version: c.version })),
      referenceUrls: finding.referenceUrls,
      relatedVulnerabilities: finding.relatedVulnerabilities,
      ...(finding.vendorSeverity && { vendorSeverity: finding.vendorSeverity }),
      ...(finding.publishedAt && { vendorCreatedAt: new Date(finding.publishedAt) }),
      ...(finding.modifiedAt && { vendorUpdatedAt: new Date(finding.modifiedAt) }),
      vulnerablePackages,
    },
    remediation: {
      recommendation: {
        text: finding.fixedInVersion ? `Upgrade ${finding.packageName} to ${finding.fixedInVersion} or later.` : `No fixed version of ${finding.packageName} is known yet.`,
        url: finding.uri,
      },
    },
    resources: [
      {
        id: `arn:aws:ecr:${scope.region}:${scope.account}:repository/${image.repositoryName}/${image.imageDigest}`,
        type: 'AWS_ECR_CONTAINER_IMAGE',
        details: {
          awsEcrContainerImage: { repositoryName: image.repositoryName, imageHash: image.imageDigest, imageTags: image.imageTags, pushedAt: image.pushedAt, registry: scope.account },
        },
      },
    ],
    ...(primary && { score: primary.baseScore, scoreDetails: { cvss: { score: primary.baseScore, scoringVector: primary.vector, scoreSource: primary.source, version: primary.version, adjustments: [] } } }),
    severity: finding.severity,
    status: 'ACTIVE',
    title: finding.title ?? `${finding.vulnerabilityId} - ${finding.packageName}`,
    type: 'PACKAGE_VULNERABILITY',
    fixAvailable: finding.fixedInVersion ? 'YES' : 'NO',
  };
}
