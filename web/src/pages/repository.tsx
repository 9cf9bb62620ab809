/** A repository's page: its header and actions, and tabs for summary, images, permissions, lifecycle policy and tags. */
import { useLocation } from 'preact-iso/router';
import { useState } from 'preact/hooks';
import { ecr } from '../api/ecr.js';
import { PageHeader } from '../components/page-header.js';
import { PushCommandsButton } from '../components/push-commands.js';
import { EmptyState, ErrorState, SkeletonLines } from '../components/states.js';
import { TabPanel, Tabs } from '../components/tabs.js';
import { useResource } from '../hooks/use-resource.js';
import { useTitle } from '../hooks/use-title.js';
import { REPOSITORIES_PATH, repositoryPath } from '../routes.js';
import { DeleteRepositoryDialog } from './delete-repository.js';
import { EditRepositoryDialog } from './edit-repository.js';
import { RepositoryImages } from './repository-images.js';
import { RepositoryLifecycle } from './repository-lifecycle.js';
import { RepositoryPermissions } from './repository-permissions.js';
import { RepositorySummary } from './repository-summary.js';
import { RepositoryTags } from './repository-tags.js';

const TABS = [
  { id: 'summary', label: 'Summary' },
  { id: 'images', label: 'Images' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'lifecycle', label: 'Lifecycle policy' },
  { id: 'tags', label: 'Repository tags' },
] as const;

type TabId = (typeof TABS)[number]['id'];

export function RepositoryPage({ repositoryName }: { repositoryName: string }) {
  useTitle(repositoryName);
  const { query, route } = useLocation();
  const tab: TabId = TABS.find((t) => t.id === query.tab)?.id ?? 'summary';
  const [dialog, setDialog] = useState<'edit' | 'delete'>();
  const repository = useResource(
    async (signal) => (await ecr('DescribeRepositories', { repositoryNames: [repositoryName] }, signal)).repositories?.[0],
    [repositoryName],
  );
  const crumbs = [{ href: REPOSITORIES_PATH, label: 'Repositories' }];

  if (repository.error?.type === 'RepositoryNotFoundException') {
    return (
      <div class="page">
        <PageHeader title={repositoryName} crumbs={crumbs} />
        <EmptyState title="This repository does not exist" actions={<a class="button" href={REPOSITORIES_PATH}>All repositories</a>}>
          <p>It may have been deleted, or the name is misspelt.</p>
        </EmptyState>
      </div>
    );
  }
  const data = repository.data;
  return (
    <div class="page">
      <PageHeader
        title={repositoryName}
        crumbs={crumbs}
        actions={
          <>
            <PushCommandsButton repositoryName={repositoryName} />
            <button type="button" class="button" disabled={!data} onClick={() => setDialog('edit')}>
              Edit
            </button>
            <button type="button" class="button" onClick={() => setDialog('delete')} data-testid="delete-repository-button">
              Delete
            </button>
          </>
        }
      />
      <Tabs label="Repository" tabs={TABS} selected={tab} onSelect={(id) => route(repositoryPath(repositoryName, id === 'summary' ? undefined : id), true)} idPrefix="repository" />
      <TabPanel idPrefix="repository" id={tab}>
        {tab === 'summary' &&
          (repository.error && !data ? (
            <ErrorState error={repository.error} onRetry={repository.reload} />
          ) : data ? (
            <RepositorySummary repository={data} />
          ) : (
            <SkeletonLines lines={8} label="Loading the repository" />
          ))}
        {tab === 'images' && <RepositoryImages repositoryName={repositoryName} />}
        {tab === 'permissions' && <RepositoryPermissions repositoryName={repositoryName} />}
        {tab === 'lifecycle' && <RepositoryLifecycle repositoryName={repositoryName} />}
        {tab === 'tags' && (data?.repositoryArn ? <RepositoryTags resourceArn={data.repositoryArn} /> : <SkeletonLines lines={4} label="Loading tags" />)}
      </TabPanel>
      {dialog === 'edit' && data && <EditRepositoryDialog repository={data} onClose={() => setDialog(undefined)} onSaved={repository.reload} />}
      {dialog === 'delete' && <DeleteRepositoryDialog repositoryName={repositoryName} onClose={() => setDialog(undefined)} onDeleted={() => route(REPOSITORIES_PATH)} />}
    </div>
  );
}
