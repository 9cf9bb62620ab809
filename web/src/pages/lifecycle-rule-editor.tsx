/** The rule editor: every field of ECR's lifecycle rule grammar, in a dialog. */
import { useState } from 'preact/hooks';
import { Field, RadioGroup } from '../components/field.js';
import { Modal } from '../components/modal.js';
import { StringListEditor } from '../components/string-list-editor.js';
import {
  COUNT_TYPE_LABELS,
  type CountType,
  countTypesFor,
  describeRule,
  type RuleDraft,
  ruleProblems,
  type StorageClass,
  type TagListKind,
  type TagStatus,
} from '../model/lifecycle.js';

export function RuleEditor({ title, rule, others, onSave, onClose }: { title: string; rule: RuleDraft; others: readonly RuleDraft[]; onSave: (rule: RuleDraft) => void; onClose: () => void }) {
  const [draft, setDraft] = useState(rule);
  const [submitted, setSubmitted] = useState(false);
  const problems = ruleProblems(draft, others);
  const shown = submitted ? problems : {};
  const update = (change: Partial<RuleDraft>) => setDraft((current) => ({ ...current, ...change }));

  const setStorageClass = (storageClass: StorageClass) => {
    const countTypes = countTypesFor(storageClass);
    // Archived images can only expire, counted from their transition; keep the draft valid as the class changes.
    update({
      storageClass,
      countType: countTypes.includes(draft.countType) ? draft.countType : countTypes[0]!,
      ...(storageClass === 'archive' && { actionType: 'expire', countNumber: Math.max(draft.countNumber, 90) }),
    });
  };
  const submit = (event: Event) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length === 0) onSave({ ...draft, tags: draft.tags.map((t) => t.trim()).filter(Boolean) });
  };
  const countIsDays = draft.countType !== 'imageCountMoreThan';

  return (
    <Modal title={title} onClose={onClose} size="large" testId="rule-editor">
      <form class="stack" onSubmit={submit} noValidate>
        <div class="form-grid">
          <Field label="Rule priority" hint="Lower numbers apply first; each rule needs its own." error={shown.rulePriority}>
            {(control) => (
              <input {...control} class="input" type="number" min={1} step={1} value={draft.rulePriority} onInput={(e) => update({ rulePriority: e.currentTarget.valueAsNumber })} data-autofocus />
            )}
          </Field>
          <Field label="Description" optional>
            {(control) => <input {...control} class="input" value={draft.description} onInput={(e) => update({ description: e.currentTarget.value })} />}
          </Field>
        </div>
        <Field label="Storage class" hint="The images the rule looks at: those in standard storage, or those already archived.">
          {(control) => (
            <select {...control} class="input" value={draft.storageClass} onChange={(e) => setStorageClass(e.currentTarget.value as StorageClass)}>
              <option value="standard">Standard</option>
              <option value="archive">Archive</option>
            </select>
          )}
        </Field>
        <RadioGroup
          legend="Image status"
          name="tag-status"
          value={draft.tagStatus}
          onChange={(tagStatus: TagStatus) => update({ tagStatus })}
          options={[
            { value: 'tagged', label: 'Tagged', hint: 'Images with tags matching the list below.' },
            { value: 'untagged', label: 'Untagged', hint: 'Images without any tag.' },
            { value: 'any', label: 'Any', hint: 'All images, tagged or not. Such a rule must have the highest priority number.' },
          ]}
        />
        {draft.tagStatus === 'tagged' && (
          <div class="stack nested">
            <RadioGroup
              legend="Match tags by"
              name="tag-list-kind"
              value={draft.tagListKind}
              onChange={(tagListKind: TagListKind) => update({ tagListKind })}
              options={[
                { value: 'prefix', label: 'Prefixes (tagPrefixList)', hint: 'prod matches prod, prod-1, production.' },
                { value: 'pattern', label: 'Wildcard patterns (tagPatternList)', hint: 'Up to four * per pattern: v*-prod matches v1.2-prod.' },
              ]}
            />
            <StringListEditor
              legend={draft.tagListKind === 'prefix' ? 'Tag prefixes' : 'Tag patterns'}
              itemLabel={draft.tagListKind === 'prefix' ? 'Tag prefix' : 'Tag pattern'}
              hint={
                <>
                  <strong>All</strong> entries must match: an image is selected only if each entry matches one of its tags (AND, not OR). For "prod or dev", write two rules.
                </>
              }
              values={draft.tags}
              onChange={(tags) => update({ tags })}
              placeholder={draft.tagListKind === 'prefix' ? 'prod' : 'v*-prod'}
              addLabel={draft.tagListKind === 'prefix' ? 'Add tag prefix' : 'Add tag pattern'}
            />
            {shown.tags && <p class="field-error">{shown.tags}</p>}
          </div>
        )}
        <div class="form-grid">
          <Field label="Count type">
            {(control) => (
              <select {...control} class="input" value={draft.countType} onChange={(e) => update({ countType: e.currentTarget.value as CountType })}>
                {countTypesFor(draft.storageClass).map((countType) => (
                  <option key={countType} value={countType}>
                    {COUNT_TYPE_LABELS[countType]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={countIsDays ? 'Count number (days)' : 'Count number (images)'} error={shown.countNumber}>
            {(control) => <input {...control} class="input" type="number" min={1} step={1} value={draft.countNumber} onInput={(e) => update({ countNumber: e.currentTarget.valueAsNumber })} />}
          </Field>
          <Field label="Count unit">{(control) => <input {...control} class="input" readOnly value={countIsDays ? 'days' : '(none: a number of images)'} />}</Field>
        </div>
        <div class="form-grid">
          <Field label="Action">
            {(control) => (
              <select {...control} class="input" value={draft.actionType} onChange={(e) => update({ actionType: e.currentTarget.value as RuleDraft['actionType'] })}>
                <option value="expire">Expire (delete)</option>
                {draft.storageClass === 'standard' && <option value="transition">Transition</option>}
              </select>
            )}
          </Field>
          {draft.actionType === 'transition' && (
            <Field label="Target storage class">
              {(control) => (
                <select {...control} class="input" value="archive">
                  <option value="archive">Archive</option>
                </select>
              )}
            </Field>
          )}
        </div>
        <p class="rule-sentence" aria-live="polite" data-testid="rule-sentence">
          {describeRule(draft)}
        </p>
        <div class="form-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary">
            Save rule
          </button>
        </div>
      </form>
    </Modal>
  );
}
