/** Copies a value to the clipboard and says so; falls back to a selection copy where the Clipboard API is unavailable (plain http). */
import { useEffect, useState } from 'preact/hooks';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('copy refused');
}

export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (status === 'idle') return;
    const timer = setTimeout(() => setStatus('idle'), 2000);
    return () => clearTimeout(timer);
  }, [status]);
  const copy = () => copyText(text).then(() => setStatus('copied'), () => setStatus('failed'));
  return (
    <button type="button" class="button button-icon copy-button" onClick={copy} aria-label={label} title={label} data-testid={testId}>
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
        <path d="M5 1.5h7.5A1.5 1.5 0 0 1 14 3v8.5h-1.5V3H5z M2 5.5A1.5 1.5 0 0 1 3.5 4h6A1.5 1.5 0 0 1 11 5.5v8A1.5 1.5 0 0 1 9.5 15h-6A1.5 1.5 0 0 1 2 13.5zm1.5 0v8h6v-8z" />
      </svg>
      <span class="copy-status" aria-live="polite">
        {status === 'copied' ? 'Copied' : status === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  );
}

/** A value in monospace with a copy button beside it. */
export function CopyableValue({ value, display, label, testId }: { value: string; display?: string; label: string; testId?: string }) {
  return (
    <span class="copyable">
      <code class="copyable-value" title={value}>
        {display ?? value}
      </code>
      <CopyButton text={value} label={label} {...(testId && { testId })} />
    </span>
  );
}
