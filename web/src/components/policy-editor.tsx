/**
 * Edits one stored policy text (a repository's or the registry's): load it, change the draft with a JSON
 * check as the user types, save it with the server's validation error shown inline, or delete it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Badge } from './badges.js';
import { ErrorMessage } from './error-message.js';
import { checkJson, JsonEditor } from './json-editor.js';
import { PolicyDraftActions } from './policy-draft-actions.js';
import { ErrorState, SkeletonLines } from './states.js';
import { useToast } from './toasts.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';

export interface PolicyStore {
  /** The stored text, or undefined when there is none. */
  load: (signal: AbortSignal) => Promise<string | undefined>;
  save: (text: string) => Promise<unknown>;
  remove: () => Promise<unknown>;
}

export function PolicyEditor({
  store,
  deps,
  label,
  hint,
  emptyText,
  children,
}: {
  store: PolicyStore;
  deps: readonly unknown[];
  label: string;
  hint?: ComponentChildren;
  /** What a new policy starts as. */
  emptyText: string;
  /** Tools that change the draft, e.g. a statement builder. */
  children?: (draft: string, setDraft: (text: string) => void) => ComponentChildren;
}) {
  const toast = useToast();
  const stored = useResource(store.load, deps);
  const [draft, setDraft] = useState<string>();
  useEffect(() => {
    if (!stored.loading) setDraft(stored.data === undefined ? emptyText : pretty(stored.data));
  }, [stored.data, stored.loading]);

  const save = useAction(async () => {
    await store.save(draft ?? '');
    toast('Policy saved');
    stored.reload();
  });

  if (stored.error && stored.data === undefined && draft === undefined) return <ErrorState error={stored.error} onRetry={stored.reload} />;
  if (draft === undefined) return <SkeletonLines lines={10} label="Loading the policy" />;

  const valid = checkJson(draft).ok;
  const changed = draft !== (stored.data === undefined ? emptyText : pretty(stored.data));
  return (
    <div class="stack">
      <div class="status-row" data-testid="policy-state">
        {stored.data === undefined ? <Badge>No policy set</Badge> : <Badge tone="good">Policy set</Badge>}
        {changed && <Badge tone="warn">Unsaved changes</Badge>}
        {stored.data === undefined && <span class="muted">The text below is a starting point; saving it creates the policy.</span>}
      </div>
      <div class={children ? 'editor-layout' : 'stack'}>
        <div class="stack">
          <JsonEditor label={label} hint={hint} value={draft} onChange={setDraft} testId="policy-editor" />
          <ErrorMessage error={save.error} testId="policy-error" />
          <div class="form-actions form-actions-start">
            <button type="button" class="button button-primary" disabled={!valid || save.pending} aria-busy={save.pending} onClick={() => save.run()}>
              Save policy
            </button>
            <PolicyDraftActions
              changed={changed}
              onDiscard={() => setDraft(stored.data === undefined ? emptyText : pretty(stored.data))}
              stored={stored.data !== undefined}
              deleteTitle="Delete the policy?"
              onDelete={async () => {
                await store.remove();
                toast('Policy deleted');
                stored.reload();
              }}
            >
              <p>Access then follows identity policies alone. This cannot be undone.</p>
            </PolicyDraftActions>
          </div>
        </div>
        {children && (
          <aside>
            {children(draft, (text) => {
              setDraft(text);
              save.clearError();
            })}
          </aside>
        )}
      </div>
    </div>
  );
}

/** Stored policies keep their author's text; the editor shows them indented when they are JSON. */
function pretty(text: string): string {
  const check = checkJson(text);
  return check.ok ? JSON.stringify(check.value, null, 2) : text;
}
