/** Storage usage: the registry's total and its history as a chart, and each repository's size and estimated monthly cost. */
import { getStorageUsage, type RepositoryStorage } from '../api/console.js';
import { Bytes } from '../components/bytes.js';
import { type Column, DataTable } from '../components/data-table.js';
import { LineChart } from '../components/line-chart.js';
import { EmptyState, ErrorState } from '../components/states.js';
import { formatBytes, formatCount, formatMoney } from '../format.js';
import { useResource } from '../hooks/use-resource.js';
import { repositoryPath } from '../routes.js';

export function RegistryStorage() {
  const usage = useResource((signal) => getStorageUsage(signal), []);
  if (usage.error && !usage.data) return <ErrorState error={usage.error} onRetry={usage.reload} />;
  const data = usage.data;
  const total = data?.registry?.bytes ?? data?.repositories.reduce((sum, r) => sum + r.bytes, 0) ?? 0;
  const history = (data?.history ?? []).map((point) => ({ at: new Date(point.at), value: point.bytes })).filter((p) => !Number.isNaN(p.at.getTime()));

  const columns: Column<RepositoryStorage>[] = [
    { id: 'name', header: 'Repository', cell: (r) => <a href={repositoryPath(r.repositoryName)}>{r.repositoryName}</a>, sortValue: (r) => r.repositoryName },
    { id: 'images', header: 'Images', cell: (r) => formatCount(r.images), sortValue: (r) => r.images, class: 'numeric' },
    { id: 'bytes', header: 'Size', cell: (r) => <Bytes value={r.bytes} />, sortValue: (r) => r.bytes, class: 'numeric' },
    {
      id: 'share',
      header: 'Share',
      cell: (r) => {
        const share = total > 0 ? r.bytes / total : 0;
        return (
          <span class="share">
            <span class="share-bar" aria-hidden="true">
              <span class="share-fill" style={{ '--share': `${(share * 100).toFixed(1)}%` }} />
            </span>
            {(share * 100).toFixed(1)}%
          </span>
        );
      },
    },
    { id: 'cost', header: 'Estimated monthly cost', cell: (r) => formatMoney(r.monthlyCost), sortValue: (r) => r.monthlyCost, class: 'numeric' },
  ];

  return (
    <div class="stack">
      <div class="stat-grid" data-testid="storage-totals">
        <Stat label="Stored" value={data ? formatBytes(total) : undefined} />
        <Stat label="Images" value={data ? formatCount(data.registry?.images ?? data.repositories.reduce((sum, r) => sum + r.images, 0)) : undefined} />
        <Stat
          label="Estimated monthly cost"
          value={data ? formatMoney(data.registry?.monthlyCost ?? data.repositories.reduce((sum, r) => sum + r.monthlyCost, 0)) : undefined}
        />
        <Stat label="Price per GB-month" value={data ? formatMoney(data.pricePerGbMonth) : undefined} />
      </div>
      <section class="panel" aria-labelledby="storage-history">
        <h3 id="storage-history">Storage over time</h3>
        {!data ? (
          <div class="chart-placeholder skeleton" role="status" aria-label="Loading the storage history" />
        ) : history.length === 0 ? (
          <EmptyState title="No history yet">{data.registry ? 'Berth records the registry\'s size periodically; the chart fills in as it does.' : 'Seeing the registry\'s history needs ecr:DescribeRegistry.'}</EmptyState>
        ) : (
          <LineChart points={history} label="Registry storage over time" formatValue={formatBytes} unitBase={1024} />
        )}
      </section>
      <DataTable
        caption="Storage per repository"
        testId="storage-table"
        columns={columns}
        rows={data?.repositories}
        rowKey={(r) => r.repositoryName}
        initialSort={{ column: 'bytes', direction: 'descending' }}
        empty={<EmptyState title="Nothing stored yet">Sizes appear once images are pushed.</EmptyState>}
      />
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string | undefined }) {
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value ?? <span class="skeleton skeleton-word" />}</span>
    </div>
  );
}
