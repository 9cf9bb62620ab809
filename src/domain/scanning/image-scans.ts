import { DomainError } from '../errors.js';
import { INDEX_TYPES } from '../model/media-types.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataOps, MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';
import type { ImageScanRecord, ScanType } from '../ports/scan-metadata.js';
import { type ImageIdentifier, imageArchived, imageNotFound } from '../registry/ecr-errors.js';
import type { ImageDetail, Images } from '../registry/images.js';
import { decodeNextToken, encodeNextToken, pageSize } from '../registry/page-tokens.js';
import type { Finding } from './osv/match.js';
import { DEFAULT_SCANNING_CONFIGURATION, type RegistryScanningConfiguration, type RepositoryScanning, repositoryScanning, validateScanningConfiguration } from './scanning-configuration.js';

/** Where the registry scanning configuration is kept among the registry documents. */
const CONFIGURATION_DOCUMENT = 'scanning-configuration';
/** Basic scanning scans an image at most once a day, scans on push included (ECR's quota). */
const BASIC_SCAN_INTERVAL_MS = 24 * 3_600_000;

export interface ImageScanFindingsPage {
  repository: RepositoryRecord;
  image: ImageDetail;
  scan: ImageScanRecord;
  findings: Finding[];
  nextToken?: string;
}

/**
 * Image scanning as ECR's API sees it: the registry scanning configuration, which scans run when,
 * and their results. Results are kept per scan type; only the configured type's are shown, so
 * switching type hides the other's (as ECR does).
 */
export class ImageScans {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly images: Images,
    private readonly registryId: string,
  ) {}

  async configuration(ops: MetadataOps = this.metadata): Promise<RegistryScanningConfiguration> {
    const stored = await ops.getRegistryDocument(CONFIGURATION_DOCUMENT);
    return stored ? (JSON.parse(stored.text) as RegistryScanningConfiguration) : DEFAULT_SCANNING_CONFIGURATION;
  }

  async putConfiguration(configuration: RegistryScanningConfiguration): Promise<RegistryScanningConfiguration> {
    validateScanningConfiguration(configuration);
    await this.metadata.putRegistryDocument(CONFIGURATION_DOCUMENT, JSON.stringify(configuration), this.clock.now());
    return configuration;
  }

  /** What applies to each named repository (BatchGetRepositoryScanningConfiguration). */
  async repositoryScanning(repository: RepositoryRecord): Promise<RepositoryScanning> {
    return repositoryScanning(await this.configuration(), repository.name, repository.settings.imageScanningConfiguration.scanOnPush);
  }

  /**
   * Called in the transaction that stores a pushed manifest: requests a scan when the repository
   * scans on push (or continuously) and the image has no scan of the configured type yet, so the
   * request is as durable as the image.
   */
  async requestOnPush(tx: MetadataOps, repository: RepositoryRecord, digest: string, mediaType: string): Promise<void> {
    if (INDEX_TYPES.has(mediaType)) return;
    const configuration = await this.configuration(tx);
    const applies = repositoryScanning(configuration, repository.name, repository.settings.imageScanningConfiguration.scanOnPush);
    if (!applies.scanOnPush) return;
    if (await tx.getImageScan(repository.id, digest, configuration.scanType)) return;
    await tx.requestScan({ repositoryId: repository.id, manifestDigest: digest, scanType: configuration.scanType, trigger: 'PUSH', at: this.clock.now() });
  }

  /** StartImageScan: the image's scan of the configured type starts over. */
  async start(repositoryName: string, imageId: ImageIdentifier): Promise<{ imageDigest: string; scan: ImageScanRecord }> {
    const { repository, image } = await this.resolve(repositoryName, imageId);
    const { imageDigest, imageStatus } = image;
    if (imageStatus !== 'ACTIVE') throw imageArchived(imageDigest, repository.name, imageStatus === 'ACTIVATING');
    if (INDEX_TYPES.has(image.imageManifestMediaType)) throw new DomainError('UNSUPPORTED_IMAGE_TYPE', 'The image is of a type that cannot be scanned: it is an image index; scan the image of each platform instead.');
    const { scanType } = await this.configuration();
    const now = this.clock.now();
    return this.metadata.transaction(async (tx) => {
      const previous = await tx.getImageScan(repository.id, imageDigest, scanType);
      if (scanType === 'BASIC' && previous && now.getTime() - previous.requestedAt.getTime() < BASIC_SCAN_INTERVAL_MS) {
        throw new DomainError('LIMIT_EXCEEDED', 'The scan quota per image has been exceeded. Wait and try again.');
      }
      await tx.requestScan({ repositoryId: repository.id, manifestDigest: imageDigest, scanType, trigger: 'MANUAL', at: now });
      return { imageDigest, scan: (await tx.getImageScan(repository.id, imageDigest, scanType))! };
    });
  }

  /** DescribeImageScanFindings: the scan's status and a page of its findings. */
  async findings(repositoryName: string, imageId: ImageIdentifier, page: { maxResults?: number; nextToken?: string }): Promise<ImageScanFindingsPage> {
    const { repository, image } = await this.resolve(repositoryName, imageId);
    const { imageDigest } = image;
    const { scanType } = await this.configuration();
    const scan = await this.metadata.getImageScan(repository.id, imageDigest, scanType);
    if (!scan) {
      throw new DomainError(
        'SCAN_NOT_FOUND',
        `Image scan does not exist for the image with '{imageDigest:'${imageDigest}', imageTag:'${imageId.imageTag ?? 'null'}'}' in the repository with name '${repository.name}' in the registry with id '${this.registryId}'`,
      );
    }
    const all = scan.status === 'COMPLETE' ? await this.metadata.getScanFindings(repository.id, imageDigest, scanType) : [];
    const start = page.nextToken === undefined ? 0 : Number(decodeNextToken(page.nextToken, 1)[0]);
    const size = pageSize(page.maxResults);
    const findings = all.slice(start, start + size);
    const end = start + findings.length;
    return { repository, image, scan, findings, ...(end < all.length && { nextToken: encodeNextToken([String(end)]) }) };
  }

  /** The configured type's scans of these images, for DescribeImages. */
  async scansOf(repositoryId: number, digests: readonly string[]): Promise<Map<string, ImageScanRecord>> {
    const { scanType } = await this.configuration();
    return this.metadata.getImageScans(repositoryId, digests, scanType);
  }

  /** The scan type's inventory of an image, for SBOMs. */
  async inventoryOf(repositoryName: string, imageId: ImageIdentifier, scanType?: ScanType) {
    const { repository, image } = await this.resolve(repositoryName, imageId);
    const type = scanType ?? (await this.configuration()).scanType;
    return { repository, imageDigest: image.imageDigest, inventory: await this.metadata.getScanInventory(repository.id, image.imageDigest, type) };
  }

  /** The image an id names (DescribeImages' own errors when it names none), with its repository. */
  private async resolve(repositoryName: string, imageId: ImageIdentifier): Promise<{ repository: RepositoryRecord; image: ImageDetail }> {
    const { repository, imageDetails } = await this.images.describeImages(repositoryName, { imageIds: [imageId] });
    const image = imageDetails[0];
    if (!image) throw imageNotFound(imageId, repository.name, this.registryId);
    return { repository, image };
  }
}
