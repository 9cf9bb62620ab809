/** The button under a paged list that fetches its next page; nothing once the list is complete. */
import type { PagedList } from '../hooks/use-paged-list.js';

export function LoadMore({ list, label }: { list: PagedList<unknown>; label: string }) {
  if (!list.hasMore) return null;
  return (
    <div class="load-more">
      <button type="button" class="button" onClick={list.loadMore} disabled={list.loadingMore} aria-busy={list.loadingMore}>
        {label}
      </button>
    </div>
  );
}
