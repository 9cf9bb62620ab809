/** The Permissions tab: the repository policy as JSON, and a builder for the common pull and push grants. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { ecr } from '../api/ecr.js';
import { Field, RadioGroup } from '../components/field.js';
import { type PolicyStore, PolicyEditor } from '../components/policy-editor.js';
import { addGrant, type Grant, PULL_ACTIONS, PUSH_ACTIONS, principalFor } from '../model/policy-statements.js';

const EMPTY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [] }, null, 2);

export function RepositoryPermissions({ repositoryName }: { repositoryName: string }) {
  const store: PolicyStore = {
    load: async (signal) => {
      try {
        return (await ecr('GetRepositoryPolicy', { repositoryName }, signal)).policyText;
      } catch (error) {
        if (error instanceof ApiError && error.type === 'RepositoryPolicyNotFoundException') return undefined;
        throw error;
      }
    },
    save: (policyText) => ecr('SetRepositoryPolicy', { repositoryName, policyText }),
    remove: () => ecr('DeleteRepositoryPolicy', { repositoryName }),
  };
  return (
    <PolicyEditor
      store={store}
      deps={[repositoryName]}
      label="Repository policy"
      hint="Who may pull from and push to this repository, besides what their own IAM policies allow."
      emptyText={EMPTY_POLICY}
    >
      {(draft, setDraft) => <StatementBuilder draft={draft} onChange={setDraft} />}
    </PolicyEditor>
  );
}

function StatementBuilder({ draft, onChange }: { draft: string; onChange: (text: string) => void }) {
  const [principal, setPrincipal] = useState('');
  const [grant, setGrant] = useState<Grant>('pull');
  const [problem, setProblem] = useState<string>();
  const add = (event: Event) => {
    event.preventDefault();
    const principals = principal.split(/[\s,]+/).filter(Boolean);
    const arns = principals.map(principalFor);
    if (principals.length === 0 || arns.some((arn) => arn === undefined)) {
      setProblem('Enter 12-digit account IDs or IAM ARNs (arn:aws:iam::123456789012:user/name), separated by commas.');
      return;
    }
    try {
      onChange(addGrant(draft, arns as string[], grant));
      setProblem(undefined);
      setPrincipal('');
    } catch (error) {
      setProblem(`Fix the policy JSON first: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <section class="panel" aria-labelledby="statement-builder">
      <h3 id="statement-builder">Add a statement</h3>
      <p class="muted">Grants the common pull or push access; the statement is added to the policy text, to review and save.</p>
      <form class="stack" onSubmit={add}>
        <Field label="Principal" hint="AWS account IDs or IAM user or role ARNs, separated by commas." error={problem}>
          {(control) => <input {...control} class="input" value={principal} onInput={(e) => setPrincipal(e.currentTarget.value)} placeholder="123456789012" spellcheck={false} />}
        </Field>
        <RadioGroup
          legend="Grant"
          name="grant"
          value={grant}
          onChange={setGrant}
          options={[
            { value: 'pull', label: 'Pull', hint: PULL_ACTIONS.join(', ') },
            { value: 'push', label: 'Push and pull', hint: PUSH_ACTIONS.join(', ') },
          ]}
        />
        <div>
          <button type="submit" class="button">
            Add statement
          </button>
        </div>
      </form>
    </section>
  );
}
