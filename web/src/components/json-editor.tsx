/** A JSON text editor for policies: checked as the user types (where the error is, by line and column) and formatted on request. */
import type { ComponentChildren } from 'preact';
import { Field } from './field.js';

export type JsonCheck = { ok: true; value: unknown } | { ok: false; message: string };

export function checkJson(text: string): JsonCheck {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Browsers give an offset; people need a line and column.
    const position = /at position (\d+)/.exec(message);
    if (!position || /line \d+/.test(message)) return { ok: false, message };
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { ok: false, message: `${message} (line ${line}, column ${column})` };
  }
}

export function JsonEditor({
  label,
  value,
  onChange,
  hint,
  rows = 18,
  allowEmpty = false,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ComponentChildren;
  rows?: number;
  /** An empty text is not an error (e.g. "no policy"). */
  allowEmpty?: boolean;
  testId?: string;
}) {
  const check = value.trim() === '' ? (allowEmpty ? undefined : ({ ok: false, message: 'Enter a JSON document.' } as const)) : checkJson(value);
  const format = () => {
    if (check?.ok) onChange(JSON.stringify(check.value, null, 2));
  };
  return (
    <div class="json-editor">
      <Field label={label} hint={hint} optional={allowEmpty} {...(check && !check.ok && { error: `Not valid JSON: ${check.message}` })}>
        {(control) => (
          <textarea
            {...control}
            class="input code-editor"
            rows={rows}
            spellcheck={false}
            autocomplete="off"
            autocapitalize="off"
            value={value}
            data-testid={testId}
            onInput={(e) => onChange(e.currentTarget.value)}
          />
        )}
      </Field>
      <div class="json-editor-status">
        <span class={check?.ok ? 'json-valid' : 'muted'} aria-live="polite">
          {check?.ok ? 'Valid JSON' : ''}
        </span>
        <button type="button" class="button button-small" onClick={format} disabled={!check?.ok}>
          Format JSON
        </button>
      </div>
    </div>
  );
}

/** A JSON value pretty-printed, read-only. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json-view" tabIndex={0} aria-label={label}>
      <code>{JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}
