/** A failed action's error where the action was: the wire's `__type` and its message (a denial's reason included). */
import type { ApiError } from '../api/client.js';

export function ErrorMessage({ error, testId }: { error: ApiError | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <div class="error-message" role="alert" data-testid={testId ?? 'error-message'}>
      <strong class="error-type">{error.type}</strong>
      <span class="error-text">{error.message}</span>
    </div>
  );
}
