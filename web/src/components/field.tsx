/** A labelled form control with its hint and error tied to it by id, so every input has a name and a description. */
import type { ComponentChildren, VNode } from 'preact';
import { useId } from 'preact/hooks';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

export function Field({ label, hint, error, optional, children }: { label: string; hint?: ComponentChildren; error?: string | undefined; optional?: boolean; children: (control: ControlProps) => VNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id} class="field-label">
        {label}
        {optional && <span class="field-optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={hintId} class="field-hint">
          {hint}
        </p>
      )}
      {children({ id, ...(describedBy && { 'aria-describedby': describedBy }), ...(error && { 'aria-invalid': true }) })}
      {error && (
        <p id={errorId} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label after it and an optional hint. */
export function CheckboxField({ label, hint, checked, onChange, testId }: { label: string; hint?: ComponentChildren; checked: boolean; onChange: (checked: boolean) => void; testId?: string }) {
  const id = useId();
  return (
    <div class="field field-checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} data-testid={testId} {...(hint && { 'aria-describedby': `${id}-hint` })} />
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A group of radio buttons under one legend. */
export function RadioGroup<Value extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: Value;
  options: readonly { value: Value; label: string; hint?: string }[];
  onChange: (value: Value) => void;
}) {
  const id = useId();
  return (
    <fieldset class="field radio-group">
      <legend class="field-label">{legend}</legend>
      {options.map((option) => (
        <div class="radio-option" key={option.value}>
          <input
            type="radio"
            id={`${id}-${option.value}`}
            name={`${name}-${id}`}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            {...(option.hint && { 'aria-describedby': `${id}-${option.value}-hint` })}
          />
          <label for={`${id}-${option.value}`}>{option.label}</label>
          {option.hint && (
            <p class="field-hint" id={`${id}-${option.value}-hint`}>
              {option.hint}
            </p>
          )}
        </div>
      ))}
    </fieldset>
  );
}
