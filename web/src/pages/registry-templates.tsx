/** Repository creation templates: the settings repositories created for the registry (on push, by pull-through cache, by replication) start with. */
import { useState } from 'preact/hooks';
import { ecr, ecrAll, type RCTAppliedFor, type RepositoryCreationTemplate } from '../api/ecr.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { type Column, DataTable } from '../components/data-table.js';
import { DateTime } from '../components/date-time.js';
import { DEFAULT_ENCRYPTION, describeEncryption, EncryptionFields, encryptionToWire } from '../components/encryption-fields.js';
import { ErrorMessage } from '../components/error-message.js';
import { CheckboxField, Field } from '../components/field.js';
import { JsonEditor, checkJson } from '../components/json-editor.js';
import { Modal } from '../components/modal.js';
import { EmptyState } from '../components/states.js';
import { StringListEditor } from '../components/string-list-editor.js';
import { TagMutabilityFields } from '../components/tag-mutability-fields.js';
import { useToast } from '../components/toasts.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';
import { describeMutability, mutabilityFromWire, mutabilityToWire } from '../model/tag-mutability.js';

const APPLIED_FOR: { value: RCTAppliedFor; label: string }[] = [
  { value: 'CREATE_ON_PUSH', label: 'Create on push' },
  { value: 'PULL_THROUGH_CACHE', label: 'Pull through cache' },
  { value: 'REPLICATION', label: 'Replication' },
];

export function RegistryTemplates() {
  const templates = useResource((signal) => ecrAll('DescribeRepositoryCreationTemplates', { maxResults: 100 }, (o) => o.repositoryCreationTemplates, signal), []);
  const [editing, setEditing] = useState<RepositoryCreationTemplate | 'new'>();
  const [deleting, setDeleting] = useState<string>();
  const toast = useToast();
  const columns: Column<RepositoryCreationTemplate>[] = [
    { id: 'prefix', header: 'Prefix', cell: (t) => <code>{t.prefix}</code>, sortValue: (t) => t.prefix ?? '' },
    { id: 'description', header: 'Description', cell: (t) => t.description || <span class="muted">—</span> },
    { id: 'appliedFor', header: 'Applied for', cell: (t) => (t.appliedFor ?? []).map((a) => APPLIED_FOR.find((x) => x.value === a)?.label ?? a).join(', ') },
    { id: 'mutability', header: 'Tag immutability', cell: (t) => describeMutability(t.imageTagMutability, t.imageTagMutabilityExclusionFilters) },
    { id: 'encryption', header: 'Encryption', cell: (t) => describeEncryption(t.encryptionConfiguration) },
    { id: 'updated', header: 'Updated', cell: (t) => <DateTime value={t.updatedAt ?? t.createdAt} />, sortValue: (t) => t.updatedAt ?? t.createdAt ?? 0 },
    {
      id: 'actions',
      header: 'Actions',
      cell: (t) => (
        <span class="row-actions">
          <button type="button" class="button button-small" aria-label={`Edit template ${t.prefix}`} onClick={() => setEditing(t)}>
            Edit
          </button>
          <button type="button" class="button button-small button-danger-quiet" aria-label={`Delete template ${t.prefix}`} onClick={() => setDeleting(t.prefix)}>
            Delete
          </button>
        </span>
      ),
      class: 'col-actions',
    },
  ];
  return (
    <div class="stack">
      <div class="toolbar">
        <p class="muted">A repository created for the registry takes the settings of the template with the longest prefix matching its name; ROOT matches every name.</p>
        <div class="toolbar-actions">
          <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
            Create template
          </button>
        </div>
      </div>
      <DataTable
        caption="Repository creation templates"
        testId="templates-table"
        columns={columns}
        rows={templates.data}
        rowKey={(t) => t.prefix!}
        error={templates.error}
        onRetry={templates.reload}
        initialSort={{ column: 'prefix', direction: 'ascending' }}
        empty={<EmptyState title="No templates">Repositories created on push start with default settings until a template applies.</EmptyState>}
      />
      {editing && <TemplateDialog template={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} onSaved={templates.reload} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete the template ${deleting}?`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await ecr('DeleteRepositoryCreationTemplate', { prefix: deleting });
            toast(`Template ${deleting} deleted`);
            templates.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>Repositories created from now on no longer take its settings; existing repositories keep theirs.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function TemplateDialog({ template, onClose, onSaved }: { template: RepositoryCreationTemplate | undefined; onClose: () => void; onSaved: () => void }) {
  const toast = useToast();
  const [prefix, setPrefix] = useState(template?.prefix ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [appliedFor, setAppliedFor] = useState<RCTAppliedFor[]>(template?.appliedFor ?? ['CREATE_ON_PUSH']);
  const [mutability, setMutability] = useState(() => mutabilityFromWire(template?.imageTagMutability, template?.imageTagMutabilityExclusionFilters));
  const [encryption, setEncryption] = useState(() =>
    template?.encryptionConfiguration?.encryptionType === 'KMS' ? { type: 'KMS' as const, kmsKey: template.encryptionConfiguration.kmsKey ?? '' } : DEFAULT_ENCRYPTION,
  );
  const [resourceTags, setResourceTags] = useState((template?.resourceTags ?? []).map((t) => `${t.Key}=${t.Value ?? ''}`));
  const [repositoryPolicy, setRepositoryPolicy] = useState(template?.repositoryPolicy ?? '');
  const [lifecyclePolicy, setLifecyclePolicy] = useState(template?.lifecyclePolicy ?? '');
  const [customRoleArn, setCustomRoleArn] = useState(template?.customRoleArn ?? '');

  const save = useAction(async () => {
    // Editing, an emptied field is sent empty, which removes the stored value; left out, it would be kept.
    const text = (value: string) => (value.trim() || template ? value.trim() : undefined);
    const settings = {
      prefix: prefix.trim(),
      description: text(description),
      appliedFor,
      ...mutabilityToWire(mutability),
      encryptionConfiguration: encryptionToWire(encryption),
      resourceTags: resourceTags
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const [Key = '', ...value] = entry.split('=');
          return { Key: Key.trim(), Value: value.join('=').trim() };
        }),
      repositoryPolicy: text(repositoryPolicy),
      lifecyclePolicy: text(lifecyclePolicy),
      customRoleArn: text(customRoleArn),
    };
    await (template ? ecr('UpdateRepositoryCreationTemplate', settings) : ecr('CreateRepositoryCreationTemplate', settings));
    toast(`Template ${settings.prefix} saved`);
    onSaved();
    onClose();
  });
  const jsonOk = [repositoryPolicy, lifecyclePolicy].every((text) => text.trim() === '' || checkJson(text).ok);

  return (
    <Modal title={template ? `Edit template ${template.prefix}` : 'Create template'} onClose={onClose} size="large" testId="template-dialog">
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          save.run();
        }}
      >
        <Field label="Prefix" hint="Repositories whose names start with this prefix (and a /) use the template; ROOT applies to all.">
          {(control) => <input {...control} class="input" value={prefix} readOnly={!!template} required onInput={(e) => setPrefix(e.currentTarget.value)} data-autofocus />}
        </Field>
        <Field label="Description" optional>
          {(control) => <input {...control} class="input" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}
        </Field>
        <fieldset class="field">
          <legend class="field-label">Applied for</legend>
          {APPLIED_FOR.map((option) => (
            <CheckboxField
              key={option.value}
              label={option.label}
              checked={appliedFor.includes(option.value)}
              onChange={(on) => setAppliedFor(on ? [...appliedFor, option.value] : appliedFor.filter((a) => a !== option.value))}
            />
          ))}
        </fieldset>
        <TagMutabilityFields value={mutability} onChange={setMutability} />
        <EncryptionFields value={encryption} onChange={setEncryption} />
        <StringListEditor legend="Resource tags" itemLabel="Resource tag" hint="One key=value per entry." values={resourceTags} onChange={setResourceTags} placeholder="team=platform" addLabel="Add resource tag" />
        <JsonEditor label="Repository policy" hint="The repository policy new repositories get." rows={8} allowEmpty value={repositoryPolicy} onChange={setRepositoryPolicy} />
        <JsonEditor label="Lifecycle policy" hint="The lifecycle policy new repositories get." rows={8} allowEmpty value={lifecyclePolicy} onChange={setLifecyclePolicy} />
        <Field label="Custom role ARN" optional>
          {(control) => <input {...control} class="input" value={customRoleArn} onInput={(e) => setCustomRoleArn(e.currentTarget.value)} />}
        </Field>
        <ErrorMessage error={save.error} testId="template-error" />
        <div class="form-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={save.pending || !jsonOk || !prefix.trim() || appliedFor.length === 0} aria-busy={save.pending}>
            Save template
          </button>
        </div>
      </form>
    </Modal>
  );
}
