/** A user action (save, delete, scan): whether it is running and the error it ended with, shown where it was started. */
import { useCallback, useRef, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../api/client.js';

export interface Action<Args extends unknown[]> {
  run: (...args: Args) => Promise<boolean>;
  pending: boolean;
  error: ApiError | undefined;
  clearError: () => void;
}

/** run() resolves true when the action succeeded; a second run while one is pending is ignored. */
export function useAction<Args extends unknown[]>(perform: (...args: Args) => Promise<unknown>): Action<Args> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError>();
  const performRef = useRef(perform);
  performRef.current = perform;
  const running = useRef(false);

  const run = useCallback(async (...args: Args) => {
    if (running.current) return false;
    running.current = true;
    setPending(true);
    setError(undefined);
    try {
      await performRef.current(...args);
      return true;
    } catch (caught) {
      setError(asApiError(caught));
      return false;
    } finally {
      running.current = false;
      setPending(false);
    }
  }, []);
  const clearError = useCallback(() => setError(undefined), []);
  return { run, pending, error, clearError };
}
