/** Create a private repository: name, tag mutability with exclusions, scan on push and encryption. */
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ecr } from '../api/ecr.js';
import { useSession } from '../api/session.js';
import { DEFAULT_ENCRYPTION, EncryptionFields, encryptionToWire } from '../components/encryption-fields.js';
import { ErrorMessage } from '../components/error-message.js';
import { CheckboxField, Field, RadioGroup } from '../components/field.js';
import { PageHeader } from '../components/page-header.js';
import { TagMutabilityFields } from '../components/tag-mutability-fields.js';
import { useToast } from '../components/toasts.js';
import { useAction } from '../hooks/use-action.js';
import { useTitle } from '../hooks/use-title.js';
import { mutabilityToWire } from '../model/tag-mutability.js';
import { REPOSITORIES_PATH, repositoryPath } from '../routes.js';

/** ECR's repository name rule: lowercase components separated by / with single ., _ or - inside them. */
const NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

function repositoryNameProblem(name: string): string | undefined {
  if (name.length < 2 || name.length > 256) return 'Use 2 to 256 characters.';
  if (!NAME_PATTERN.test(name)) return 'Use lowercase letters, digits and . _ - / ; start and end each part with a letter or digit.';
  return undefined;
}

export function CreateRepository() {
  useTitle('Create repository');
  const session = useSession();
  const { route } = useLocation();
  const toast = useToast();
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [mutability, setMutability] = useState({ immutable: false, exclusions: [] as string[] });
  const [scanOnPush, setScanOnPush] = useState(false);
  const [encryption, setEncryption] = useState(DEFAULT_ENCRYPTION);
  const nameProblem = repositoryNameProblem(name.trim());

  const create = useAction(async () => {
    const repositoryName = name.trim();
    await ecr('CreateRepository', {
      repositoryName,
      ...mutabilityToWire(mutability),
      imageScanningConfiguration: { scanOnPush },
      encryptionConfiguration: encryptionToWire(encryption),
    });
    toast(`Created ${repositoryName}`);
    route(repositoryPath(repositoryName));
  });
  const submit = (event: Event) => {
    event.preventDefault();
    setTouched(true);
    if (!nameProblem) create.run();
  };

  return (
    <div class="page page-narrow">
      <PageHeader title="Create repository" crumbs={[{ href: REPOSITORIES_PATH, label: 'Repositories' }]} />
      <form onSubmit={submit} class="stack" noValidate>
        <section class="panel stack" aria-labelledby="general-settings">
          <h2 id="general-settings">General settings</h2>
          <RadioGroup
            legend="Visibility"
            name="visibility"
            value="private"
            onChange={() => {}}
            options={[{ value: 'private', label: 'Private', hint: 'Access is managed by IAM and repository policies.' }]}
          />
          <Field label="Repository name" hint={`The URI will be ${session.registry.host}/${name.trim() || 'name'}. Namespaces such as team/app are allowed.`} error={touched ? nameProblem : undefined}>
            {(control) => (
              <div class="input-with-prefix">
                <span class="input-prefix" aria-hidden="true">
                  {session.registry.host}/
                </span>
                <input
                  {...control}
                  class="input"
                  name="repositoryName"
                  autocomplete="off"
                  spellcheck={false}
                  value={name}
                  required
                  onInput={(e) => setName(e.currentTarget.value)}
                  onBlur={() => setTouched(true)}
                />
              </div>
            )}
          </Field>
          <TagMutabilityFields value={mutability} onChange={setMutability} />
        </section>
        <section class="panel stack" aria-labelledby="scan-settings">
          <h2 id="scan-settings">Image scan settings</h2>
          <CheckboxField
            label="Scan on push"
            hint="Scan each image for known vulnerabilities after it is pushed. The registry's scanning configuration (Registry settings) can also turn scanning on for repositories by filter."
            checked={scanOnPush}
            onChange={setScanOnPush}
          />
        </section>
        <section class="panel stack" aria-labelledby="encryption-settings">
          <h2 id="encryption-settings">Encryption settings</h2>
          <EncryptionFields value={encryption} onChange={setEncryption} />
        </section>
        <ErrorMessage error={create.error} testId="create-repository-error" />
        <div class="form-actions">
          <a class="button" href={REPOSITORIES_PATH}>
            Cancel
          </a>
          <button type="submit" class="button button-primary" disabled={create.pending} aria-busy={create.pending}>
            Create repository
          </button>
        </div>
      </form>
    </div>
  );
}
