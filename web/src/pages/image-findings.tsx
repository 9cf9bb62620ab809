/** An image's vulnerability findings: severity counts, a sortable and filterable table, links to advisories and fixed versions. */
import { useMemo, useState } from 'preact/hooks';
import type { ImageScanFindings } from '../api/ecr.js';
import { SeverityBadge, SeverityCountList } from '../components/badges.js';
import { type Column, DataTable } from '../components/data-table.js';
import { Field } from '../components/field.js';
import { EmptyState } from '../components/states.js';
import { basicFindingRow, enhancedFindingRow, type FindingRow } from '../model/findings.js';
import { SEVERITIES, severityLabel, severityRank } from '../model/severity.js';

const columns: Column<FindingRow>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: (row) => (
      <div class="finding-name">
        {row.uri ? (
          <a href={row.uri} target="_blank" rel="noopener noreferrer">
            {row.name}
            <span class="visually-hidden"> (advisory, opens in a new tab)</span>
          </a>
        ) : (
          row.name
        )}
        {row.description && <p class="finding-description">{row.description}</p>}
      </div>
    ),
    sortValue: (row) => row.name,
    class: 'col-finding',
  },
  { id: 'package', header: 'Package', cell: (row) => row.packageName ?? <span class="muted">—</span>, sortValue: (row) => row.packageName ?? '' },
  { id: 'version', header: 'Installed', cell: (row) => row.packageVersion ?? <span class="muted">—</span> },
  { id: 'fixed', header: 'Fixed in', cell: (row) => row.fixedIn ?? <span class="muted">No fix known</span> },
  { id: 'severity', header: 'Severity', cell: (row) => <SeverityBadge severity={row.severity} />, sortValue: (row) => severityRank(row.severity) },
  { id: 'score', header: 'Score', cell: (row) => (row.score === undefined ? <span class="muted">—</span> : row.score.toFixed(1)), sortValue: (row) => row.score ?? -1, class: 'numeric' },
];

export function FindingsTable({ findings }: { findings: ImageScanFindings }) {
  const [severity, setSeverity] = useState('ALL');
  const [text, setText] = useState('');
  const rows = useMemo(
    () => (findings.enhancedFindings?.length ? findings.enhancedFindings.map(enhancedFindingRow) : (findings.findings ?? []).map(basicFindingRow)),
    [findings],
  );
  const counts = findings.findingSeverityCounts;
  const query = text.trim().toLowerCase();
  const shown = rows.filter(
    (row) =>
      (severity === 'ALL' || row.severity === severity) &&
      (!query || [row.name, row.packageName, row.description].some((value) => value?.toLowerCase().includes(query))),
  );
  return (
    <div class="stack">
      <div class="findings-summary" data-testid="severity-counts">
        <SeverityCountList counts={counts} labelled />
      </div>
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Filter findings</span>
          <input type="search" class="input" placeholder="Filter by name, package or description" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <Field label="Severity">
          {(control) => (
            <select {...control} class="input input-inline" value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
              <option value="ALL">All severities</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {severityLabel(s)} ({counts?.[s] ?? 0})
                </option>
              ))}
            </select>
          )}
        </Field>
        <span class="muted" aria-live="polite">
          {shown.length} of {rows.length} shown
        </span>
      </div>
      <DataTable
        caption="Vulnerability findings"
        testId="findings-table"
        columns={columns}
        rows={shown}
        rowKey={(row) => row.key}
        initialSort={{ column: 'severity', direction: 'ascending' }}
        empty={rows.length === 0 ? <EmptyState title="No vulnerabilities found">The scan matched none of the image's packages to a known vulnerability.</EmptyState> : <EmptyState title="No findings match the filter" />}
      />
    </div>
  );
}
