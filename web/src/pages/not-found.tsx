/** Any console URL that names no page. */
import { PageHeader } from '../components/page-header.js';
import { EmptyState } from '../components/states.js';
import { useTitle } from '../hooks/use-title.js';
import { REPOSITORIES_PATH } from '../routes.js';

export function NotFound() {
  useTitle('Not found');
  return (
    <div class="page">
      <PageHeader title="Page not found" />
      <EmptyState title="There is no console page at this address" actions={<a class="button" href={REPOSITORIES_PATH}>Repositories</a>} />
    </div>
  );
}
