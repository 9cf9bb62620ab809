/**
 * "Test rules": previews a draft lifecycle policy (StartLifecyclePolicyPreview, then GetLifecyclePolicyPreview
 * until it completes) and shows which images each rule would expire or archive, and the bytes freed.
 */
import { useEffect, useRef } from 'preact/hooks';
import { ecr, ecrAll, type LifecyclePolicyPreviewResult } from '../api/ecr.js';
import { Badge } from '../components/badges.js';
import { Bytes } from '../components/bytes.js';
import { type Column, DataTable } from '../components/data-table.js';
import { DateTime } from '../components/date-time.js';
import { EmptyState } from '../components/states.js';
import { formatBytes, plural, shortDigest } from '../format.js';
import type { RuleDraft } from '../model/lifecycle.js';
import { imagePath } from '../routes.js';

const POLL_MS = 1000;

export interface PreviewRow extends LifecyclePolicyPreviewResult {
  sizeInBytes: number | undefined;
}

export interface Preview {
  policyText: string;
  rows: PreviewRow[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Runs a preview to completion; aborting `signal` stops the polling. */
export async function runPreview(repositoryName: string, policyText: string, signal: AbortSignal): Promise<Preview> {
  await ecr('StartLifecyclePolicyPreview', { repositoryName, lifecyclePolicyText: policyText }, signal);
  for (;;) {
    const status = await ecr('GetLifecyclePolicyPreview', { repositoryName, maxResults: 1 }, signal);
    if (status.status === 'COMPLETE') break;
    if (status.status === 'FAILED' || status.status === 'EXPIRED') throw new Error(`The preview ${status.status === 'FAILED' ? 'failed' : 'expired'}; test the rules again.`);
    await sleep(POLL_MS, signal);
  }
  const [results, images] = await Promise.all([
    ecrAll('GetLifecyclePolicyPreview', { repositoryName, maxResults: 100 }, (o) => o.previewResults, signal),
    ecrAll('DescribeImages', { repositoryName, maxResults: 1000 }, (o) => o.imageDetails, signal),
  ]);
  const sizes = new Map(images.map((image) => [image.imageDigest, image.imageSizeInBytes]));
  return { policyText, rows: results.map((result) => ({ ...result, sizeInBytes: sizes.get(result.imageDigest) })) };
}

/** Aborts the preview in flight when the component goes away. */
export function usePreviewAbort(): () => AbortSignal {
  const controller = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => controller.current?.abort(), []);
  return () => {
    controller.current?.abort();
    controller.current = new AbortController();
    return controller.current.signal;
  };
}

export function PreviewResults({ preview, repositoryName, rules, stale }: { preview: Preview; repositoryName: string; rules: readonly RuleDraft[]; stale: boolean }) {
  const expiring = preview.rows.filter((row) => row.action?.type === 'EXPIRE');
  const transitioning = preview.rows.filter((row) => row.action?.type === 'TRANSITION');
  const freed = expiring.reduce((sum, row) => sum + (row.sizeInBytes ?? 0), 0);
  const ruleName = (priority: number | undefined) => {
    const rule = rules.find((r) => r.rulePriority === priority);
    return rule?.description ? `Rule ${priority} (${rule.description})` : `Rule ${priority}`;
  };
  const columns: Column<PreviewRow>[] = [
    {
      id: 'image',
      header: 'Image',
      cell: (row) => <a href={imagePath(repositoryName, row.imageDigest!)}>{row.imageTags?.length ? row.imageTags.join(', ') : shortDigest(row.imageDigest!)}</a>,
    },
    { id: 'pushed', header: 'Pushed at', cell: (row) => <DateTime value={row.imagePushedAt} />, sortValue: (row) => row.imagePushedAt ?? 0 },
    {
      id: 'action',
      header: 'Action',
      cell: (row) => (row.action?.type === 'EXPIRE' ? <Badge tone="bad">Expire</Badge> : <Badge tone="info">Transition to {row.action?.targetStorageClass?.toLowerCase() ?? 'archive'}</Badge>),
      sortValue: (row) => row.action?.type ?? '',
    },
    { id: 'rule', header: 'Rule', cell: (row) => ruleName(row.appliedRulePriority), sortValue: (row) => row.appliedRulePriority ?? 0 },
    { id: 'size', header: 'Size', cell: (row) => <Bytes value={row.sizeInBytes} />, sortValue: (row) => row.sizeInBytes ?? 0, class: 'numeric' },
  ];
  return (
    <section class="panel stack" aria-labelledby="preview-heading" data-testid="lifecycle-preview">
      <h3 id="preview-heading">Preview</h3>
      {stale && <p class="warning">The rules changed after this preview; test them again to see their effect.</p>}
      <p class="preview-summary" data-testid="preview-summary">
        {plural(expiring.length, 'image')} would expire, freeing {formatBytes(freed)}
        {transitioning.length > 0 && <>; {plural(transitioning.length, 'image')} would be archived</>}.
      </p>
      <DataTable
        caption="Lifecycle preview"
        columns={columns}
        rows={preview.rows}
        rowKey={(row) => row.imageDigest!}
        initialSort={{ column: 'rule', direction: 'ascending' }}
        empty={<EmptyState title="No image would be affected">These rules select none of the repository's images today.</EmptyState>}
      />
    </section>
  );
}
