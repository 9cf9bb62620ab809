/** An editable list of short strings (tag filters, tag prefixes, repository filters), one input per entry. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function StringListEditor({
  legend,
  itemLabel,
  values,
  onChange,
  hint,
  placeholder,
  addLabel,
}: {
  legend: string;
  /** Names each input for assistive technology: "<itemLabel> 1", "<itemLabel> 2". */
  itemLabel: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  hint?: ComponentChildren;
  placeholder?: string;
  addLabel: string;
}) {
  const listRef = useRef<HTMLUListElement>(null);
  const previousLength = useRef(values.length);
  useEffect(() => {
    // A new entry takes the focus so the user can type it at once.
    if (values.length > previousLength.current) listRef.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus();
    previousLength.current = values.length;
  }, [values.length]);
  const update = (index: number, value: string) => onChange(values.map((v, i) => (i === index ? value : v)));
  return (
    <fieldset class="field string-list">
      <legend class="field-label">{legend}</legend>
      {hint && <p class="field-hint">{hint}</p>}
      {values.length > 0 && (
        <ul class="string-list-items" ref={listRef}>
          {values.map((value, index) => (
            <li key={index}>
              <input
                type="text"
                class="input"
                value={value}
                aria-label={`${itemLabel} ${index + 1}`}
                placeholder={placeholder}
                onInput={(e) => update(index, e.currentTarget.value)}
              />
              <button type="button" class="button button-quiet" aria-label={`Remove #${index + 1} from ${legend}`} onClick={() => onChange(values.filter((_, i) => i !== index))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="button button-small" onClick={() => onChange([...values, ''])}>
        {addLabel}
      </button>
    </fieldset>
  );
}
