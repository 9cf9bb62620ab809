/** The browser tab's title for the page shown. */
import { useEffect } from 'preact/hooks';

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Berth console`;
  }, [title]);
}
