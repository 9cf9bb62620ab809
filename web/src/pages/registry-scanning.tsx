/** The registry's scanning configuration: scan type and rules of frequency and repository filters. */
import { useEffect, useState } from 'preact/hooks';
import { ecr, type RegistryScanningRule, type ScanFrequency } from '../api/ecr.js';
import { ErrorMessage } from '../components/error-message.js';
import { Field, RadioGroup } from '../components/field.js';
import { ErrorState, SkeletonLines } from '../components/states.js';
import { StringListEditor } from '../components/string-list-editor.js';
import { useToast } from '../components/toasts.js';
import { useAction } from '../hooks/use-action.js';
import { useResource } from '../hooks/use-resource.js';

type ScanType = 'BASIC' | 'ENHANCED';

interface RuleDraft {
  scanFrequency: ScanFrequency;
  filters: string[];
}

const FREQUENCIES: { value: ScanFrequency; label: string }[] = [
  { value: 'SCAN_ON_PUSH', label: 'Scan on push' },
  { value: 'CONTINUOUS_SCAN', label: 'Continuous scanning' },
  { value: 'MANUAL', label: 'Manual' },
];

const toDraft = (rule: RegistryScanningRule): RuleDraft => ({ scanFrequency: rule.scanFrequency, filters: rule.repositoryFilters.map((f) => f.filter) });

export function RegistryScanning() {
  const toast = useToast();
  const stored = useResource(async (signal) => (await ecr('GetRegistryScanningConfiguration', {}, signal)).scanningConfiguration ?? {}, []);
  const [scanType, setScanType] = useState<ScanType>('BASIC');
  const [rules, setRules] = useState<RuleDraft[]>();
  useEffect(() => {
    if (!stored.data) return;
    setScanType((stored.data.scanType as ScanType | undefined) ?? 'BASIC');
    setRules((stored.data.rules ?? []).map(toDraft));
  }, [stored.data]);

  const save = useAction(async () => {
    await ecr('PutRegistryScanningConfiguration', {
      scanType,
      rules: (rules ?? []).map((rule) => ({
        scanFrequency: rule.scanFrequency,
        repositoryFilters: rule.filters.map((f) => f.trim()).filter(Boolean).map((filter) => ({ filter, filterType: 'WILDCARD' as const })),
      })),
    });
    toast('Scanning configuration saved');
    stored.reload();
  });

  if (stored.error && !rules) return <ErrorState error={stored.error} onRetry={stored.reload} />;
  if (!rules) return <SkeletonLines lines={6} label="Loading the scanning configuration" />;
  const updateRule = (index: number, change: Partial<RuleDraft>) => setRules(rules.map((r, i) => (i === index ? { ...r, ...change } : r)));

  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        save.run();
      }}
    >
      <section class="panel">
        <RadioGroup
          legend="Scan type"
          name="scan-type"
          value={scanType}
          onChange={setScanType}
          options={[
            { value: 'BASIC', label: 'Basic scanning', hint: "Findings in ECR basic scanning's shape: name, severity, package and advisory link." },
            { value: 'ENHANCED', label: 'Enhanced scanning', hint: "Findings in Amazon Inspector's shape, with fixed-in versions and CVSS details; allows continuous scanning." },
          ]}
        />
      </section>
      <section class="panel" aria-labelledby="scanning-rules">
        <h3 id="scanning-rules">Scanning rules</h3>
        <p class="muted">A repository matching any filter of a rule is scanned at that rule's frequency. Filters use * as a wildcard; an empty list matches nothing.</p>
        {rules.length === 0 && <p class="muted">No rules: repositories are scanned only if their own scan-on-push setting says so, or manually.</p>}
        {rules.map((rule, index) => (
          <fieldset class="panel nested-panel" key={index}>
            <legend>Rule {index + 1}</legend>
            <Field label="Scan frequency">
              {(control) => (
                <select {...control} class="input" value={rule.scanFrequency} onChange={(e) => updateRule(index, { scanFrequency: e.currentTarget.value as ScanFrequency })}>
                  {FREQUENCIES.filter((f) => scanType === 'ENHANCED' || f.value !== 'CONTINUOUS_SCAN' || rule.scanFrequency === 'CONTINUOUS_SCAN').map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <StringListEditor
              legend="Repository filters"
              itemLabel={`Rule ${index + 1} filter`}
              values={rule.filters}
              onChange={(filters) => updateRule(index, { filters })}
              placeholder="prod-*"
              addLabel="Add filter"
            />
            <div>
              <button type="button" class="button button-small button-danger-quiet" onClick={() => setRules(rules.filter((_, i) => i !== index))}>
                Remove rule {index + 1}
              </button>
            </div>
          </fieldset>
        ))}
        <div>
          <button type="button" class="button" onClick={() => setRules([...rules, { scanFrequency: 'SCAN_ON_PUSH', filters: ['*'] }])}>
            Add scanning rule
          </button>
        </div>
      </section>
      <ErrorMessage error={save.error} testId="scanning-error" />
      <div class="form-actions form-actions-start">
        <button type="submit" class="button button-primary" disabled={save.pending} aria-busy={save.pending}>
          Save scanning configuration
        </button>
      </div>
    </form>
  );
}
