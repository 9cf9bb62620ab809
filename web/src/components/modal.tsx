/**
 * A modal dialog on the native <dialog> (the page behind is inert); Tab and Shift+Tab cycle inside it,
 * Escape and the close button close it (a click outside does not, so a half-filled form survives a
 * stray click), and focus goes back to what opened it.
 */
import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab inside `container`: from the last focusable to the first and back. */
function trapTab(event: KeyboardEvent, container: HTMLElement): void {
  if (event.key !== 'Tab') return;
  const focusable = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

export interface ModalProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  size?: 'medium' | 'large';
  testId?: string;
}

export function Modal({ title, onClose, children, size = 'medium', testId }: ModalProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const dialog = dialogRef.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const autofocus = dialog.querySelector<HTMLElement>('[data-autofocus]');
    autofocus?.focus();
    // Escape: the browser may close the dialog itself; either way the owner decides what is shown.
    const cancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      class={`modal modal-${size}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onKeyDown={(event) => trapTab(event, event.currentTarget)}
    >
      <div class="modal-content">
        <div class="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" class="button button-icon" aria-label="Close" onClick={onClose}>
            <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
              <path d="M3.5 2.4 8 6.9l4.5-4.5 1.1 1.1L9.1 8l4.5 4.5-1.1 1.1L8 9.1l-4.5 4.5-1.1-1.1L6.9 8 2.4 3.5z" />
            </svg>
          </button>
        </div>
        <div class="modal-body">{children}</div>
      </div>
    </dialog>
  );
}
