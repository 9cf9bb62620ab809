/** The Images tab: images with tags, digest, push and pull times, size and scan results; filter, select, delete and scan. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { ecr, type ImageDetail } from '../api/ecr.js';
import { ScanStatusBadge, SeverityCountList } from '../components/badges.js';
import { Bytes } from '../components/bytes.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { CopyableValue } from '../components/copy-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { DateTime } from '../components/date-time.js';
import { ErrorMessage } from '../components/error-message.js';
import { Field } from '../components/field.js';
import { LoadMore } from '../components/load-more.js';
import { EmptyState } from '../components/states.js';
import { useToast } from '../components/toasts.js';
import { shortDigest } from '../format.js';
import { useAction } from '../hooks/use-action.js';
import { usePagedList } from '../hooks/use-paged-list.js';
import { imageKind, scanInFlight } from '../model/images.js';
import { imagePath } from '../routes.js';

const PAGE_SIZE = 100;
/** While a scan runs the list refreshes this often. */
const SCAN_POLL_MS = 3000;

type TagStatus = 'ANY' | 'TAGGED' | 'UNTAGGED';

/** BatchDeleteImage and StartImageScan report per-image failures; they become one error for the action. */
function failuresError(failures: { imageId?: { imageDigest?: string; imageTag?: string }; failureCode?: string; failureReason?: string }[]): ApiError | undefined {
  if (failures.length === 0) return undefined;
  const text = failures.map((f) => `${f.imageId?.imageTag ?? shortDigest(f.imageId?.imageDigest ?? '')}: ${f.failureReason ?? f.failureCode ?? 'failed'}`).join('; ');
  return new ApiError(failures[0]?.failureCode ?? 'ImageFailure', text, 400);
}

export function RepositoryImages({ repositoryName }: { repositoryName: string }) {
  const toast = useToast();
  const [tagFilter, setTagFilter] = useState('');
  const [tagStatus, setTagStatus] = useState<TagStatus>('ANY');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const list = usePagedList(
    async (nextToken, signal) => {
      const output = await ecr('DescribeImages', { repositoryName, maxResults: PAGE_SIZE, filter: { tagStatus }, ...(nextToken && { nextToken }) }, signal);
      return { items: output.imageDetails ?? [], nextToken: output.nextToken };
    },
    [repositoryName, tagStatus],
  );

  const scanning = !!list.items?.some((image) => scanInFlight(image.imageScanStatus?.status));
  useEffect(() => {
    if (!scanning || list.loading) return;
    const timer = setTimeout(list.reload, SCAN_POLL_MS);
    return () => clearTimeout(timer);
  }, [scanning, list.loading]);

  const filter = tagFilter.trim().toLowerCase();
  const rows = list.items && (filter ? list.items.filter((image) => image.imageTags?.some((tag) => tag.toLowerCase().includes(filter))) : list.items);
  const selectedDigests = [...selected].filter((digest) => list.items?.some((image) => image.imageDigest === digest));

  const scan = useAction(async () => {
    const failures = [];
    for (const imageDigest of selectedDigests) {
      try {
        await ecr('StartImageScan', { repositoryName, imageId: { imageDigest } });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failures.push({ imageId: { imageDigest }, failureCode: error.type, failureReason: error.message });
      }
    }
    list.reload();
    const error = failuresError(failures);
    if (error) throw error;
    toast(`Started scanning ${selectedDigests.length === 1 ? 'the image' : `${selectedDigests.length} images`}`);
  });

  const deleteImages = async () => {
    const output = await ecr('BatchDeleteImage', { repositoryName, imageIds: selectedDigests.map((imageDigest) => ({ imageDigest })) });
    setSelected(new Set());
    list.reload();
    const error = failuresError(output.failures ?? []);
    if (error) throw error;
    toast(`Deleted ${output.imageIds?.length ?? 0} image${output.imageIds?.length === 1 ? '' : 's'}`);
  };

  const columns: Column<ImageDetail>[] = [
    {
      id: 'tags',
      header: 'Image tags',
      cell: (image) => (
        <a href={imagePath(repositoryName, image.imageDigest!)} class="image-tags">
          {image.imageTags?.length ? image.imageTags.join(', ') : <span class="muted">untagged</span>}
        </a>
      ),
      sortValue: (image) => image.imageTags?.[0] ?? '',
    },
    { id: 'kind', header: 'Artifact type', cell: (image) => imageKind(image) },
    {
      id: 'digest',
      header: 'Digest',
      cell: (image) => <CopyableValue value={image.imageDigest!} display={shortDigest(image.imageDigest!)} label={`Copy digest ${shortDigest(image.imageDigest!)}`} />,
    },
    { id: 'pushed', header: 'Pushed at', cell: (image) => <DateTime value={image.imagePushedAt} />, sortValue: (image) => image.imagePushedAt ?? 0 },
    { id: 'pulled', header: 'Last pulled', cell: (image) => <DateTime value={image.lastRecordedPullTime} empty="Never" />, sortValue: (image) => image.lastRecordedPullTime ?? 0 },
    { id: 'size', header: 'Size', cell: (image) => <Bytes value={image.imageSizeInBytes} />, sortValue: (image) => image.imageSizeInBytes ?? 0, class: 'numeric' },
    {
      id: 'scan',
      header: 'Scan status',
      cell: (image) => (
        <span class="scan-cell">
          <ScanStatusBadge status={image.imageScanStatus} />
          {image.imageScanFindingsSummary && <SeverityCountList counts={image.imageScanFindingsSummary.findingSeverityCounts} />}
        </span>
      ),
    },
  ];

  return (
    <div class="stack">
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Filter by tag</span>
          <input type="search" class="input" placeholder="Filter by tag" value={tagFilter} onInput={(e) => setTagFilter(e.currentTarget.value)} />
        </label>
        <Field label="Show">
          {(control) => (
            <select {...control} class="input input-inline" value={tagStatus} onChange={(e) => setTagStatus(e.currentTarget.value as TagStatus)}>
              <option value="ANY">All images</option>
              <option value="TAGGED">Tagged images</option>
              <option value="UNTAGGED">Untagged images</option>
            </select>
          )}
        </Field>
        <div class="toolbar-actions">
          <button type="button" class="button" onClick={list.reload} disabled={list.loading} aria-busy={list.loading}>
            Refresh
          </button>
          <button type="button" class="button" disabled={selectedDigests.length === 0 || scan.pending} aria-busy={scan.pending} onClick={() => scan.run()}>
            Scan
          </button>
          <button type="button" class="button" disabled={selectedDigests.length === 0} onClick={() => setConfirmDelete(true)} data-testid="delete-images-button">
            Delete
          </button>
        </div>
      </div>
      <ErrorMessage error={scan.error} testId="scan-error" />
      <DataTable
        caption="Images"
        testId="images-table"
        columns={columns}
        rows={rows}
        rowKey={(image) => image.imageDigest!}
        rowLabel={(image) => (image.imageTags?.length ? image.imageTags.join(', ') : shortDigest(image.imageDigest!))}
        selection={{ mode: 'multiple', selected, onChange: setSelected }}
        error={list.error}
        onRetry={list.reload}
        initialSort={{ column: 'pushed', direction: 'descending' }}
        empty={
          filter || tagStatus !== 'ANY' ? (
            <EmptyState title="No images match the filter" />
          ) : (
            <EmptyState title="No images yet">
              <p>Push an image to this repository; "View push commands" above shows how.</p>
            </EmptyState>
          )
        }
      />
      <LoadMore list={list} label="Load more images" />
      {confirmDelete && (
        <ConfirmDialog title={`Delete ${selectedDigests.length === 1 ? 'this image' : `${selectedDigests.length} images`}?`} confirmLabel="Delete" onConfirm={deleteImages} onClose={() => setConfirmDelete(false)} testId="delete-images">
          <p>The selected images and all their tags are deleted from {repositoryName}. This cannot be undone.</p>
          <ul class="plain-list">
            {selectedDigests.map((digest) => {
              const image = list.items?.find((i) => i.imageDigest === digest);
              return (
                <li key={digest}>
                  <code>{shortDigest(digest)}</code> {image?.imageTags?.length ? `(${image.imageTags.join(', ')})` : '(untagged)'}
                </li>
              );
            })}
          </ul>
        </ConfirmDialog>
      )}
    </div>
  );
}
