/** What a region shows while it loads, when it has nothing, and when loading failed: never a blank space. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/client.js';
import { ErrorMessage } from './error-message.js';

export function EmptyState({ title, children, actions }: { title: string; children?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <div class="empty-state" data-testid="empty-state">
      <p class="empty-title">{title}</p>
      {children && <div class="empty-hint">{children}</div>}
      {actions && <div class="empty-actions">{actions}</div>}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'This could not be loaded' }: { error: ApiError; onRetry?: () => void; title?: string }) {
  return (
    <div class="error-state" data-testid="error-state">
      <p class="empty-title">{title}</p>
      <ErrorMessage error={error} testId="load-error" />
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Placeholder lines at the height of the content they stand for, so nothing moves when it arrives. */
export function SkeletonLines({ lines = 3, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div class="skeleton-lines" role="status" aria-label={label}>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} class="skeleton skeleton-line" />
      ))}
    </div>
  );
}
