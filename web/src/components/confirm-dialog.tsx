/** Asks before a destructive action; optionally the user types a word to confirm. The action's error shows in the dialog. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAction } from '../hooks/use-action.js';
import { ErrorMessage } from './error-message.js';
import { Field } from './field.js';
import { Modal } from './modal.js';

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  typeToConfirm,
  onConfirm,
  onClose,
  disabled = false,
  testId,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** A word the user must type before the action is enabled, e.g. "delete". */
  typeToConfirm?: string;
  /** Runs the action; the dialog closes when it succeeds. */
  onConfirm: () => Promise<unknown>;
  /** Holds the action back, e.g. while the dialog finds out what it would delete. */
  disabled?: boolean;
  onClose: () => void;
  testId?: string;
}) {
  const [typed, setTyped] = useState('');
  const typedRef = useRef<HTMLInputElement>(null);
  // The word to type may only be known after the dialog opened (once it found out what it would delete).
  useEffect(() => {
    if (typeToConfirm) typedRef.current?.focus();
  }, [typeToConfirm]);
  const action = useAction(onConfirm);
  const ready = !disabled && (!typeToConfirm || typed.trim() === typeToConfirm);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (ready && (await action.run())) onClose();
  };
  return (
    <Modal title={title} onClose={onClose} testId={testId ?? 'confirm-dialog'}>
      <form onSubmit={submit} class="stack">
        <div class="stack">{children}</div>
        {typeToConfirm && (
          <Field label={`To confirm, type "${typeToConfirm}"`}>
            {(control) => <input {...control} ref={typedRef} class="input" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />}
          </Field>
        )}
        <ErrorMessage error={action.error} />
        <div class="form-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            class="button button-danger"
            disabled={!ready || action.pending}
            aria-busy={action.pending}
            {...(!typeToConfirm && { 'data-autofocus': true })}
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
