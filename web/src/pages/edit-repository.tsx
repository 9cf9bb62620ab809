/** Edit a repository's settings: tag mutability with exclusions (PutImageTagMutability) and scan on push (PutImageScanningConfiguration). */
import { useState } from 'preact/hooks';
import { ecr, type Repository } from '../api/ecr.js';
import { ErrorMessage } from '../components/error-message.js';
import { CheckboxField } from '../components/field.js';
import { Modal } from '../components/modal.js';
import { TagMutabilityFields } from '../components/tag-mutability-fields.js';
import { useToast } from '../components/toasts.js';
import { useAction } from '../hooks/use-action.js';
import { mutabilityFromWire, mutabilityToWire } from '../model/tag-mutability.js';

export function EditRepositoryDialog({ repository, onClose, onSaved }: { repository: Repository; onClose: () => void; onSaved: () => void }) {
  const repositoryName = repository.repositoryName!;
  const [mutability, setMutability] = useState(() => mutabilityFromWire(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters));
  const [scanOnPush, setScanOnPush] = useState(!!repository.imageScanningConfiguration?.scanOnPush);
  const toast = useToast();
  const save = useAction(async () => {
    const wire = mutabilityToWire(mutability);
    const before = mutabilityToWire(mutabilityFromWire(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters));
    if (JSON.stringify(wire) !== JSON.stringify(before)) await ecr('PutImageTagMutability', { repositoryName, ...wire });
    if (scanOnPush !== !!repository.imageScanningConfiguration?.scanOnPush) {
      await ecr('PutImageScanningConfiguration', { repositoryName, imageScanningConfiguration: { scanOnPush } });
    }
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await save.run()) {
      toast(`Saved the settings of ${repositoryName}`);
      onSaved();
      onClose();
    }
  };
  return (
    <Modal title={`Edit ${repositoryName}`} onClose={onClose} testId="edit-repository">
      <form onSubmit={submit} class="stack">
        <TagMutabilityFields value={mutability} onChange={setMutability} />
        <CheckboxField label="Scan on push" hint="Scan each image for known vulnerabilities after it is pushed." checked={scanOnPush} onChange={setScanOnPush} />
        <ErrorMessage error={save.error} />
        <div class="form-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={save.pending} aria-busy={save.pending}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
