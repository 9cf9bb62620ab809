/**
 * The Lifecycle policy tab: the rules of a draft policy (edited as a list or as JSON), "Test rules" to
 * preview them against the repository's images, "Apply" to store them, and Delete.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, asApiError } from '../api/client.js';
import { ecr } from '../api/ecr.js';
import { Badge } from '../components/badges.js';
import { ErrorMessage } from '../components/error-message.js';
import { JsonEditor } from '../components/json-editor.js';
import { PolicyDraftActions } from '../components/policy-draft-actions.js';
import { EmptyState, ErrorState, SkeletonLines } from '../components/states.js';
import { TabPanel, Tabs } from '../components/tabs.js';
import { useToast } from '../components/toasts.js';
import { plural } from '../format.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';
import { COUNT_TYPE_LABELS, describeRule, newRule, policyTextFromRules, type RuleDraft, rulesFromPolicyText } from '../model/lifecycle.js';
import { type Preview, PreviewResults, runPreview, usePreviewAbort } from './lifecycle-preview.js';
import { RuleEditor } from './lifecycle-rule-editor.js';

const VIEWS = [
  { id: 'rules', label: 'Rules' },
  { id: 'json', label: 'JSON' },
] as const;

const EMPTY_POLICY = policyTextFromRules([]);

export function RepositoryLifecycle({ repositoryName }: { repositoryName: string }) {
  const toast = useToast();
  const stored = useResource(async (signal) => {
    try {
      return (await ecr('GetLifecyclePolicy', { repositoryName }, signal)).lifecyclePolicyText;
    } catch (error) {
      if (error instanceof ApiError && error.type === 'LifecyclePolicyNotFoundException') return undefined;
      throw error;
    }
  }, [repositoryName]);
  const [draft, setDraft] = useState<string>();
  const [view, setView] = useState<'rules' | 'json'>('rules');
  const [editing, setEditing] = useState<{ index: number; rule: RuleDraft }>();
  const [preview, setPreview] = useState<Preview>();
  const previewSignal = usePreviewAbort();

  const storedText = stored.data === undefined ? EMPTY_POLICY : policyTextFromRulesOrText(stored.data);
  useEffect(() => {
    if (!stored.loading) setDraft(storedText);
  }, [stored.data, stored.loading]);

  const test = useAction(async () => setPreview(await runPreview(repositoryName, draft ?? '', previewSignal())));
  const apply = useAction(async () => {
    await ecr('PutLifecyclePolicy', { repositoryName, lifecyclePolicyText: draft ?? '' });
    toast('Lifecycle policy applied');
    stored.reload();
  });

  if (stored.error && draft === undefined) return <ErrorState error={stored.error} onRetry={stored.reload} />;
  if (draft === undefined) return <SkeletonLines lines={8} label="Loading the lifecycle policy" />;

  const read = rulesFromPolicyText(draft);
  const rules = read.ok ? read.rules : [];
  const changed = draft !== storedText;
  const setRules = (next: RuleDraft[]) => {
    setDraft(policyTextFromRules(next));
    apply.clearError();
    test.clearError();
  };
  const saveRule = (rule: RuleDraft) => {
    setRules(editing && editing.index >= 0 ? rules.map((r, i) => (i === editing.index ? rule : r)) : [...rules, rule]);
    setEditing(undefined);
  };

  return (
    <div class="stack">
      <div class="status-row">
        {stored.data === undefined ? <Badge>No policy applied</Badge> : <Badge tone="good">Policy applied</Badge>}
        {changed && <Badge tone="warn">Draft has unapplied changes</Badge>}
        <p class="muted">Rules run in priority order; an image is acted on by the first rule that selects it. Test them before applying.</p>
      </div>
      <Tabs label="Policy view" tabs={VIEWS} selected={view} onSelect={setView} idPrefix="lifecycle-view" />
      <TabPanel idPrefix="lifecycle-view" id={view}>
        {view === 'json' ? (
          <JsonEditor label="Lifecycle policy JSON" value={draft} onChange={setDraft} testId="lifecycle-json" />
        ) : !read.ok ? (
          <ErrorState title="The rules cannot be shown" error={asApiError(new Error(`${read.message} Fix it in the JSON view.`))} />
        ) : (
          <div class="stack">
            {rules.length === 0 ? (
              <EmptyState title="No rules yet">
                <p>Add a rule to expire or archive images by age, count or tag.</p>
              </EmptyState>
            ) : (
              <ol class="rule-list" data-testid="rule-list">
                {rules.map((rule, index) => (
                  <li key={`${rule.rulePriority}-${index}`} class="rule-card">
                    <div class="rule-head">
                      <span class="rule-priority">Rule {rule.rulePriority}</span>
                      {rule.description && <span class="rule-description">{rule.description}</span>}
                      <span class="rule-actions">
                        <button type="button" class="button button-small" aria-label={`Edit rule ${rule.rulePriority}`} onClick={() => setEditing({ index, rule })}>
                          Edit
                        </button>
                        <button type="button" class="button button-small button-danger-quiet" aria-label={`Delete rule ${rule.rulePriority}`} onClick={() => setRules(rules.filter((_, i) => i !== index))}>
                          Delete
                        </button>
                      </span>
                    </div>
                    <p class="rule-sentence">{describeRule(rule)}</p>
                    <dl class="rule-fields">
                      <div>
                        <dt>Storage class</dt>
                        <dd>{rule.storageClass}</dd>
                      </div>
                      <div>
                        <dt>Image status</dt>
                        <dd>{rule.tagStatus}</dd>
                      </div>
                      {rule.tagStatus === 'tagged' && (
                        <div>
                          <dt>{rule.tagListKind === 'prefix' ? 'Tag prefixes (all must match)' : 'Tag patterns (all must match)'}</dt>
                          <dd>{rule.tags.join(' AND ')}</dd>
                        </div>
                      )}
                      <div>
                        <dt>{COUNT_TYPE_LABELS[rule.countType]}</dt>
                        <dd>{plural(rule.countNumber, rule.countType === 'imageCountMoreThan' ? 'image' : 'day')}</dd>
                      </div>
                      <div>
                        <dt>Action</dt>
                        <dd>{rule.actionType === 'transition' ? 'transition to archive' : 'expire'}</dd>
                      </div>
                    </dl>
                  </li>
                ))}
              </ol>
            )}
            <div>
              <button type="button" class="button" onClick={() => setEditing({ index: -1, rule: newRule(rules) })}>
                Add rule
              </button>
            </div>
          </div>
        )}
      </TabPanel>
      <ErrorMessage error={test.error ?? apply.error} testId="lifecycle-error" />
      <div class="form-actions form-actions-start">
        <button type="button" class="button" disabled={test.pending} aria-busy={test.pending} onClick={() => test.run()}>
          Test rules
        </button>
        <button type="button" class="button button-primary" disabled={apply.pending || !changed} aria-busy={apply.pending} onClick={() => apply.run()}>
          Apply
        </button>
        <PolicyDraftActions
          changed={changed}
          onDiscard={() => setDraft(storedText)}
          stored={stored.data !== undefined}
          deleteTitle="Delete the lifecycle policy?"
          onDelete={async () => {
            await ecr('DeleteLifecyclePolicy', { repositoryName });
            toast('Lifecycle policy deleted');
            stored.reload();
          }}
        >
          <p>Images are no longer expired or archived automatically.</p>
        </PolicyDraftActions>
      </div>
      {test.pending && <SkeletonLines lines={4} label="Testing the rules" />}
      {preview && !test.pending && <PreviewResults preview={preview} repositoryName={repositoryName} rules={rules} stale={preview.policyText !== draft} />}
      {editing && (
        <RuleEditor
          title={editing.index < 0 ? 'Add rule' : `Edit rule ${editing.rule.rulePriority}`}
          rule={editing.rule}
          others={rules.filter((_, i) => i !== editing.index)}
          onSave={saveRule}
          onClose={() => setEditing(undefined)}
        />
      )}
    </div>
  );
}

/** The stored text as the editor writes it when it reads as rules, so an unchanged draft compares equal. */
function policyTextFromRulesOrText(text: string): string {
  const read = rulesFromPolicyText(text);
  return read.ok ? policyTextFromRules(read.rules) : text;
}
