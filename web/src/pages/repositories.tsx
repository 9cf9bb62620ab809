/** The private repositories: search, the list with settings and sizes, and the actions on the selected one. */
import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { getStorageUsage } from '../api/console.js';
import { ecr, type Repository } from '../api/ecr.js';
import { OnOff } from '../components/badges.js';
import { Bytes } from '../components/bytes.js';
import { CopyableValue } from '../components/copy-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { DateTime } from '../components/date-time.js';
import { describeEncryption } from '../components/encryption-fields.js';
import { LoadMore } from '../components/load-more.js';
import { PageHeader } from '../components/page-header.js';
import { PushCommandsButton } from '../components/push-commands.js';
import { EmptyState } from '../components/states.js';
import { usePagedList } from '../hooks/use-paged-list.js';
import { useResource } from '../hooks/use-resource.js';
import { useTitle } from '../hooks/use-title.js';
import { describeMutability } from '../model/tag-mutability.js';
import { CREATE_REPOSITORY_PATH, repositoryPath } from '../routes.js';
import { DeleteRepositoryDialog } from './delete-repository.js';
import { EditRepositoryDialog } from './edit-repository.js';

const PAGE_SIZE = 100;

export function Repositories() {
  useTitle('Repositories');
  const { route } = useLocation();
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'edit' | 'delete'>();
  const list = usePagedList(
    async (nextToken, signal) => {
      const output = await ecr('DescribeRepositories', { maxResults: PAGE_SIZE, ...(nextToken && { nextToken }) }, signal);
      return { items: output.repositories ?? [], nextToken: output.nextToken };
    },
    [],
  );
  // Sizes come from the storage report; the list works without them.
  const storage = useResource((signal) => getStorageUsage(signal), []);
  const sizes = useMemo(() => new Map(storage.data?.repositories.map((r) => [r.repositoryName, r.bytes])), [storage.data]);

  const query = search.trim().toLowerCase();
  const rows = list.items && (query ? list.items.filter((r) => r.repositoryName?.toLowerCase().includes(query)) : list.items);
  const selectedName = [...selected][0];
  const selectedRepository = list.items?.find((r) => r.repositoryName === selectedName);
  const reload = () => {
    setSelected(new Set());
    list.reload();
    storage.reload();
  };
  const createRepository = () => route(CREATE_REPOSITORY_PATH);

  const columns: Column<Repository>[] = [
    {
      id: 'name',
      header: 'Repository name',
      cell: (r) => <a href={repositoryPath(r.repositoryName!)}>{r.repositoryName}</a>,
      sortValue: (r) => r.repositoryName ?? '',
    },
    { id: 'uri', header: 'URI', cell: (r) => <CopyableValue value={r.repositoryUri ?? ''} label={`Copy URI of ${r.repositoryName}`} />, class: 'col-uri' },
    { id: 'created', header: 'Created at', cell: (r) => <DateTime value={r.createdAt} />, sortValue: (r) => r.createdAt ?? 0 },
    { id: 'mutability', header: 'Tag immutability', cell: (r) => describeMutability(r.imageTagMutability, r.imageTagMutabilityExclusionFilters) },
    { id: 'scan', header: 'Scan on push', cell: (r) => <OnOff on={!!r.imageScanningConfiguration?.scanOnPush} /> },
    { id: 'encryption', header: 'Encryption', cell: (r) => describeEncryption(r.encryptionConfiguration) },
    {
      id: 'size',
      header: 'Size',
      cell: (r) => (storage.loading && !storage.data ? <span class="skeleton skeleton-word" /> : <Bytes value={sizes.get(r.repositoryName!)} />),
      sortValue: (r) => sizes.get(r.repositoryName!) ?? 0,
      class: 'numeric',
    },
  ];

  return (
    <div class="page">
      <PageHeader
        title={
          <>
            Private repositories{list.items && <span class="count"> ({list.items.length}{list.hasMore ? '+' : ''})</span>}
          </>
        }
        actions={
          <>
            <PushCommandsButton repositoryName={selectedName} />
            <button type="button" class="button" disabled={!selectedRepository} onClick={() => setDialog('edit')}>
              Edit
            </button>
            <button type="button" class="button" disabled={!selectedRepository} onClick={() => setDialog('delete')} data-testid="delete-repository-button">
              Delete
            </button>
            <button type="button" class="button button-primary" onClick={createRepository} data-testid="create-repository-button">
              Create repository
            </button>
          </>
        }
      />
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Search repositories</span>
          <input type="search" class="input" placeholder="Search repositories" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        {list.hasMore && query && <span class="muted">Searching the {list.items?.length} repositories loaded so far.</span>}
      </div>
      <DataTable
        caption="Repositories"
        testId="repositories-table"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.repositoryName!}
        selection={{ mode: 'single', selected, onChange: setSelected }}
        error={list.error}
        onRetry={list.reload}
        initialSort={{ column: 'name', direction: 'ascending' }}
        empty={
          query ? (
            <EmptyState title={`No repositories match "${search.trim()}"`}>
              <button type="button" class="button" onClick={() => setSearch('')}>
                Clear search
              </button>
            </EmptyState>
          ) : (
            <EmptyState
              title="No repositories yet"
              actions={
                <button type="button" class="button button-primary" onClick={createRepository} data-testid="empty-create-repository-button">
                  Create repository
                </button>
              }
            >
              <p>Create a repository, then push images to it with docker. Its page shows the exact commands under "View push commands".</p>
            </EmptyState>
          )
        }
      />
      <LoadMore list={list} label="Load more repositories" />
      {dialog === 'edit' && selectedRepository && <EditRepositoryDialog repository={selectedRepository} onClose={() => setDialog(undefined)} onSaved={reload} />}
      {dialog === 'delete' && selectedName && <DeleteRepositoryDialog repositoryName={selectedName} onClose={() => setDialog(undefined)} onDeleted={reload} />}
    </div>
  );
}
