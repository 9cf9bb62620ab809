/** The tag mutability setting with its exclusion filters, as the create, edit and template forms share it. */
import type { TagMutabilitySetting } from '../model/tag-mutability.js';
import { RadioGroup } from './field.js';
import { StringListEditor } from './string-list-editor.js';

export function TagMutabilityFields({ value, onChange }: { value: TagMutabilitySetting; onChange: (value: TagMutabilitySetting) => void }) {
  return (
    <div class="stack">
      <RadioGroup
        legend="Image tag mutability"
        name="tag-mutability"
        value={value.immutable ? 'immutable' : 'mutable'}
        onChange={(choice) => onChange({ ...value, immutable: choice === 'immutable' })}
        options={[
          { value: 'mutable', label: 'Mutable', hint: 'Image tags can be overwritten by a later push.' },
          { value: 'immutable', label: 'Immutable', hint: 'Once a tag is pushed it cannot be moved to another image.' },
        ]}
      />
      <StringListEditor
        legend={value.immutable ? 'Mutable tag exclusions' : 'Immutable tag exclusions'}
        itemLabel="Exclusion filter"
        hint={
          value.immutable
            ? 'Tags matching any of these filters stay mutable (e.g. latest). Use * as a wildcard.'
            : 'Tags matching any of these filters become immutable (e.g. release-*). Use * as a wildcard.'
        }
        values={value.exclusions}
        onChange={(exclusions) => onChange({ ...value, exclusions })}
        placeholder={value.immutable ? 'latest' : 'release-*'}
        addLabel="Add exclusion filter"
      />
    </div>
  );
}
