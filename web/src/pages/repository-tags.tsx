/** The Repository tags tab: the repository's resource tags (ListTagsForResource), added with TagResource and removed with UntagResource. */
import { useState } from 'preact/hooks';
import { ecr, type Tag } from '../api/ecr.js';
import { type Column, DataTable } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { Field } from '../components/field.js';
import { EmptyState } from '../components/states.js';
import { useToast } from '../components/toasts.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';

export function RepositoryTags({ resourceArn }: { resourceArn: string }) {
  const toast = useToast();
  const tags = useResource(async (signal) => (await ecr('ListTagsForResource', { resourceArn }, signal)).tags ?? [], [resourceArn]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const add = useAction(async () => {
    await ecr('TagResource', { resourceArn, tags: [{ Key: key.trim(), Value: value }] });
    toast(`Tag ${key.trim()} saved`);
    setKey('');
    setValue('');
    tags.reload();
  });
  const remove = useAction(async (tagKey: string) => {
    await ecr('UntagResource', { resourceArn, tagKeys: [tagKey] });
    toast(`Tag ${tagKey} removed`);
    tags.reload();
  });
  const columns: Column<Tag>[] = [
    { id: 'key', header: 'Key', cell: (tag) => tag.Key, sortValue: (tag) => tag.Key ?? '' },
    { id: 'value', header: 'Value', cell: (tag) => tag.Value || <span class="muted">(empty)</span> },
    {
      id: 'remove',
      header: 'Actions',
      cell: (tag) => (
        <button type="button" class="button button-small button-danger-quiet" aria-label={`Remove tag ${tag.Key}`} disabled={remove.pending} onClick={() => remove.run(tag.Key!)}>
          Remove
        </button>
      ),
      class: 'col-actions',
    },
  ];
  return (
    <div class="stack">
      <DataTable
        caption="Repository tags"
        testId="repository-tags-table"
        columns={columns}
        rows={tags.data}
        rowKey={(tag) => tag.Key!}
        error={tags.error}
        onRetry={tags.reload}
        initialSort={{ column: 'key', direction: 'ascending' }}
        empty={<EmptyState title="No tags">Tags are key-value labels for organising repositories and for conditions in IAM policies.</EmptyState>}
      />
      <ErrorMessage error={remove.error} />
      <form
        class="panel"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) add.run();
        }}
      >
        <h3>Add a tag</h3>
        <div class="form-grid">
          <Field label="Key">{(control) => <input {...control} class="input" required maxLength={128} value={key} onInput={(e) => setKey(e.currentTarget.value)} />}</Field>
          <Field label="Value" optional>
            {(control) => <input {...control} class="input" maxLength={256} value={value} onInput={(e) => setValue(e.currentTarget.value)} />}
          </Field>
        </div>
        <ErrorMessage error={add.error} />
        <div>
          <button type="submit" class="button" disabled={!key.trim() || add.pending} aria-busy={add.pending}>
            Add tag
          </button>
        </div>
      </form>
    </div>
  );
}
