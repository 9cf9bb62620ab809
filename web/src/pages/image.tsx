/** An image: its details, vulnerability findings, platforms (for an index), layers, referrers, manifest and config, and SBOM downloads. */
import { useEffect } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { getImageContent, type ImageContent, type ImageDescriptor, type PlatformDescriptor, type ReferrerDescriptor, sbomUrl } from '../api/console.js';
import { ecr, ecrAll, type ImageScanFindings } from '../api/ecr.js';
import { useSession } from '../api/session.js';
import { ScanStatusBadge } from '../components/badges.js';
import { Bytes } from '../components/bytes.js';
import { CopyableValue } from '../components/copy-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { DateTime } from '../components/date-time.js';
import { ErrorMessage } from '../components/error-message.js';
import { JsonView } from '../components/json-editor.js';
import { PageHeader } from '../components/page-header.js';
import { EmptyState, ErrorState, SkeletonLines } from '../components/states.js';
import { useToast } from '../components/toasts.js';
import { shortDigest } from '../format.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';
import { useTitle } from '../hooks/use-title.js';
import { artifactKind, imageKind, isIndexMediaType, scanInFlight } from '../model/images.js';
import { imagePath, REPOSITORIES_PATH, repositoryPath } from '../routes.js';
import { FindingsTable } from './image-findings.js';

const SCAN_POLL_MS = 3000;

export function ImagePage({ repositoryName, imageDigest }: { repositoryName: string; imageDigest: string }) {
  const session = useSession();
  const toast = useToast();
  const detail = useResource(
    async (signal) => (await ecr('DescribeImages', { repositoryName, imageIds: [{ imageDigest }] }, signal)).imageDetails?.[0],
    [repositoryName, imageDigest],
  );
  const content = useResource((signal) => getImageContent(repositoryName, imageDigest, signal), [repositoryName, imageDigest]);
  const findings = useResource(async (signal): Promise<ImageScanFindings | undefined> => {
    const pages = await ecrAll('DescribeImageScanFindings', { repositoryName, imageId: { imageDigest }, maxResults: 1000 }, (page) => [page], signal).catch((error: unknown) => {
      if (error instanceof ApiError && error.type === 'ScanNotFoundException') return [];
      throw error;
    });
    if (pages.length === 0) return undefined;
    const first = pages[0]!.imageScanFindings;
    return {
      ...first,
      findings: pages.flatMap((p) => p.imageScanFindings?.findings ?? []),
      enhancedFindings: pages.flatMap((p) => p.imageScanFindings?.enhancedFindings ?? []),
    };
  }, [repositoryName, imageDigest]);

  const image = detail.data;
  const title = image?.imageTags?.[0] ? `${repositoryName}:${image.imageTags[0]}` : `${repositoryName}@${shortDigest(imageDigest)}`;
  useTitle(title);
  const scanStatus = image?.imageScanStatus?.status;
  const isIndex = isIndexMediaType(image?.imageManifestMediaType ?? content.data?.mediaType);
  useEffect(() => {
    if (!scanInFlight(scanStatus) || detail.loading) return;
    const timer = setTimeout(() => {
      detail.reload();
      findings.reload();
    }, SCAN_POLL_MS);
    return () => clearTimeout(timer);
  }, [scanStatus, detail.loading]);

  const scan = useAction(async () => {
    await ecr('StartImageScan', { repositoryName, imageId: { imageDigest } });
    toast('Scan started');
    detail.reload();
  });

  const crumbs = [
    { href: REPOSITORIES_PATH, label: 'Repositories' },
    { href: repositoryPath(repositoryName, 'images'), label: repositoryName },
  ];
  if (detail.error?.type === 'ImageNotFoundException' || (!detail.loading && !detail.error && !image)) {
    return (
      <div class="page">
        <PageHeader title={shortDigest(imageDigest)} crumbs={crumbs} />
        <EmptyState title="This image does not exist" actions={<a class="button" href={repositoryPath(repositoryName, 'images')}>Images of {repositoryName}</a>}>
          <p>It may have been deleted by a person or a lifecycle rule.</p>
        </EmptyState>
      </div>
    );
  }

  return (
    <div class="page">
      <PageHeader
        title={title}
        crumbs={crumbs}
        actions={
          <>
            {findings.data && scanStatus === 'COMPLETE' && (
              <>
                <a class="button" href={sbomUrl(repositoryName, imageDigest, 'cyclonedx')} download>
                  SBOM (CycloneDX)
                </a>
                <a class="button" href={sbomUrl(repositoryName, imageDigest, 'spdx')} download>
                  SBOM (SPDX)
                </a>
              </>
            )}
            {!isIndex && (
              <button type="button" class="button button-primary" onClick={() => scan.run()} disabled={scan.pending || scanInFlight(scanStatus)} aria-busy={scan.pending}>
                Scan
              </button>
            )}
          </>
        }
      />
      <ErrorMessage error={scan.error} testId="scan-error" />

      <section class="panel" aria-labelledby="image-details">
        <h2 id="image-details">Details</h2>
        {detail.error && !image ? (
          <ErrorState error={detail.error} onRetry={detail.reload} />
        ) : !image ? (
          <SkeletonLines lines={6} label="Loading the image" />
        ) : (
          <dl class="details" data-testid="image-details">
            <div>
              <dt>Image tags</dt>
              <dd>{image.imageTags?.length ? image.imageTags.join(', ') : <span class="muted">untagged</span>}</dd>
            </div>
            <div>
              <dt>Digest</dt>
              <dd>
                <CopyableValue value={imageDigest} label="Copy digest" testId="copy-digest" />
              </dd>
            </div>
            <div>
              <dt>Image URI</dt>
              <dd>
                <CopyableValue value={`${session.registry.host}/${repositoryName}@${imageDigest}`} label="Copy image URI" />
              </dd>
            </div>
            <div>
              <dt>Artifact type</dt>
              <dd>{imageKind(image)}</dd>
            </div>
            <div>
              <dt>Media type</dt>
              <dd>
                <code>{image.imageManifestMediaType ?? content.data?.mediaType}</code>
              </dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>
                <Bytes value={image.imageSizeInBytes} />
              </dd>
            </div>
            <div>
              <dt>Pushed at</dt>
              <dd>
                <DateTime value={image.imagePushedAt} />
              </dd>
            </div>
            <div>
              <dt>Last pulled</dt>
              <dd>
                <DateTime value={image.lastRecordedPullTime} empty="Never" />
              </dd>
            </div>
            <div>
              <dt>Scan status</dt>
              <dd>
                <ScanStatusBadge status={image.imageScanStatus} />
                {image.imageScanStatus?.description && <span class="muted"> {image.imageScanStatus.description}</span>}
              </dd>
            </div>
            {image.subjectManifestDigest && (
              <div>
                <dt>Refers to</dt>
                <dd>
                  <a href={imagePath(repositoryName, image.subjectManifestDigest)}>{shortDigest(image.subjectManifestDigest)}</a>
                </dd>
              </div>
            )}
          </dl>
        )}
      </section>

      <section class="panel" aria-labelledby="image-vulnerabilities">
        <h2 id="image-vulnerabilities">Vulnerabilities</h2>
        {isIndex ? (
          <EmptyState title="An image index is not scanned itself">Each platform's image is scanned on its own: open one under Platforms to see its findings.</EmptyState>
        ) : findings.error && !findings.data ? (
          <ErrorState error={findings.error} onRetry={findings.reload} />
        ) : findings.loading && !findings.data ? (
          <SkeletonLines lines={4} label="Loading findings" />
        ) : scanInFlight(scanStatus) ? (
          <EmptyState title="Scan in progress">This page updates when it finishes.</EmptyState>
        ) : !findings.data ? (
          <EmptyState title="Not scanned yet">Start a scan with the Scan button, or turn on scan on push for the repository.</EmptyState>
        ) : (
          <FindingsTable findings={findings.data} />
        )}
      </section>

      {content.error && !content.data ? (
        <section class="panel" aria-labelledby="image-content">
          <h2 id="image-content">Content</h2>
          <ErrorState error={content.error} onRetry={content.reload} />
        </section>
      ) : !content.data ? (
        <section class="panel" aria-labelledby="image-content">
          <h2 id="image-content">Layers</h2>
          <SkeletonLines lines={4} label="Loading the manifest" />
        </section>
      ) : (
        <ImageContentSections repositoryName={repositoryName} content={content.data} />
      )}
    </div>
  );
}

function ImageContentSections({ repositoryName, content }: { repositoryName: string; content: ImageContent }) {
  const platformColumns: Column<PlatformDescriptor>[] = [
    {
      id: 'platform',
      header: 'Platform',
      cell: (p) => <a href={imagePath(repositoryName, p.digest)}>{[p.platform?.os, p.platform?.architecture, p.platform?.variant].filter(Boolean).join('/') || 'unknown'}</a>,
      sortValue: (p) => `${p.platform?.os}/${p.platform?.architecture}/${p.platform?.variant ?? ''}`,
    },
    { id: 'digest', header: 'Digest', cell: (p) => <CopyableValue value={p.digest} display={shortDigest(p.digest)} label={`Copy digest ${shortDigest(p.digest)}`} /> },
    { id: 'mediaType', header: 'Media type', cell: (p) => <code>{p.mediaType}</code> },
    { id: 'size', header: 'Manifest size', cell: (p) => <Bytes value={p.size} />, class: 'numeric' },
  ];
  const layerColumns: Column<ImageDescriptor & { index: number }>[] = [
    { id: 'index', header: '#', cell: (l) => l.index + 1, sortValue: (l) => l.index, class: 'numeric col-narrow' },
    { id: 'digest', header: 'Digest', cell: (l) => <CopyableValue value={l.digest} display={shortDigest(l.digest)} label={`Copy layer digest ${shortDigest(l.digest)}`} /> },
    { id: 'mediaType', header: 'Media type', cell: (l) => <code>{l.mediaType}</code> },
    { id: 'size', header: 'Size', cell: (l) => <Bytes value={l.size} />, sortValue: (l) => l.size, class: 'numeric' },
  ];
  const referrerColumns: Column<ReferrerDescriptor>[] = [
    { id: 'kind', header: 'Kind', cell: (r) => artifactKind(r.artifactType), sortValue: (r) => artifactKind(r.artifactType) },
    { id: 'artifactType', header: 'Artifact type', cell: (r) => <code>{r.artifactType ?? '—'}</code> },
    { id: 'digest', header: 'Digest', cell: (r) => <a href={imagePath(repositoryName, r.digest)}>{shortDigest(r.digest)}</a> },
    { id: 'created', header: 'Created', cell: (r) => <DateTime value={r.annotations?.['org.opencontainers.image.created']} /> },
    { id: 'size', header: 'Size', cell: (r) => <Bytes value={r.size} />, class: 'numeric' },
  ];
  const layers = content.layers.map((layer, index) => ({ ...layer, index }));
  return (
    <>
      {content.platforms.length > 0 && (
        <section class="panel" aria-labelledby="image-platforms">
          <h2 id="image-platforms">Platforms</h2>
          <DataTable caption="Platforms" testId="platforms-table" columns={platformColumns} rows={content.platforms} rowKey={(p) => p.digest} empty={null} />
        </section>
      )}
      {content.platforms.length === 0 && (
        <section class="panel" aria-labelledby="image-layers">
          <h2 id="image-layers">Layers</h2>
          <DataTable
            caption="Layers"
            testId="layers-table"
            columns={layerColumns}
            rows={layers}
            rowKey={(l) => `${l.index}`}
            initialSort={{ column: 'index', direction: 'ascending' }}
            empty={<EmptyState title="No layers">This artifact carries no layers.</EmptyState>}
          />
        </section>
      )}
      <section class="panel" aria-labelledby="image-referrers">
        <h2 id="image-referrers">Referrers</h2>
        <DataTable
          caption="Referrers"
          testId="referrers-table"
          columns={referrerColumns}
          rows={content.referrers}
          rowKey={(r) => r.digest}
          empty={<EmptyState title="No referrers">Signatures, SBOMs and attestations attached to this image appear here.</EmptyState>}
        />
      </section>
      <section class="panel" aria-labelledby="image-documents">
        <h2 id="image-documents">Manifest and config</h2>
        <details class="collapsible">
          <summary>Manifest</summary>
          <JsonView value={content.manifest} label="Manifest JSON" />
        </details>
        {content.platforms.length === 0 && (
          <details class="collapsible">
            <summary>Config</summary>
            {content.config === null ? <p class="muted">No JSON config to show: the artifact has none, or it is too large to show here.</p> : <JsonView value={content.config} label="Config JSON" />}
          </details>
        )}
      </section>
    </>
  );
}
