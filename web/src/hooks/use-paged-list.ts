/** A list read page by page with nextToken: the first page on load, further pages on request ("Load more"). */
import { useCallback, useMemo, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../api/client.js';
import { useResource } from './use-resource.js';

export interface Page<Item> {
  items: Item[];
  nextToken?: string | undefined;
}

export interface PagedList<Item> {
  /** Undefined until the first page answers. */
  items: Item[] | undefined;
  error: ApiError | undefined;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

interface MorePages<Item> {
  /** The first page these follow; they are dropped when the first page is loaded again. */
  after: Page<Item> | undefined;
  items: readonly Item[];
  nextToken: string | undefined;
}

const NO_ITEMS: readonly never[] = [];

export function usePagedList<Item>(loadPage: (nextToken: string | undefined, signal?: AbortSignal) => Promise<Page<Item>>, deps: readonly unknown[]): PagedList<Item> {
  const first = useResource((signal) => loadPage(undefined, signal), deps);
  const [stored, setStored] = useState<MorePages<Item>>({ after: undefined, items: NO_ITEMS, nextToken: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError>();
  const more: MorePages<Item> = stored.after === first.data ? stored : { after: first.data, items: NO_ITEMS, nextToken: first.data?.nextToken };

  const loadMore = useCallback(() => {
    if (!more.nextToken || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    loadPage(more.nextToken)
      .then(
        (page) => setStored({ after: more.after, items: [...more.items, ...page.items], nextToken: page.nextToken }),
        (error: unknown) => setMoreError(asApiError(error)),
      )
      .finally(() => setLoadingMore(false));
  }, [more, loadingMore, loadPage]);

  const items = useMemo(() => first.data && [...first.data.items, ...more.items], [first.data, more.items]);
  return { items, error: first.error ?? moreError, loading: first.loading, hasMore: !!more.nextToken, loadingMore, loadMore, reload: first.reload };
}
