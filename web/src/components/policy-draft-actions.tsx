/** The buttons a policy editor puts after its own: discard the draft's edits, and delete the stored policy once confirmed. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ConfirmDialog } from './confirm-dialog.js';

export function PolicyDraftActions({
  changed,
  onDiscard,
  stored,
  deleteTitle,
  onDelete,
  children,
}: {
  changed: boolean;
  onDiscard: () => void;
  /** Whether a policy is stored: only then can it be deleted. */
  stored: boolean;
  deleteTitle: string;
  onDelete: () => Promise<void>;
  /** What deleting it means, in the confirmation. */
  children: ComponentChildren;
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" class="button" disabled={!changed} onClick={onDiscard}>
        Discard changes
      </button>
      {stored && (
        <button type="button" class="button button-danger-quiet" onClick={() => setConfirming(true)}>
          Delete policy
        </button>
      )}
      {confirming && (
        <ConfirmDialog title={deleteTitle} confirmLabel="Delete policy" onConfirm={onDelete} onClose={() => setConfirming(false)}>
          {children}
        </ConfirmDialog>
      )}
    </>
  );
}
