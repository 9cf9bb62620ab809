// Judges each row against its target and renders the results as a text table and as Markdown.
import type { RowSpec, Sample, Target } from './scenarios.js';

export type Outcome = Sample | { error: string } | undefined;

export interface Row {
  spec: RowSpec;
  reference: Outcome;
  berth: Outcome;
}

export interface Judged {
  spec: RowSpec;
  reference: string;
  berth: string;
  ratio: string;
  target: string;
  result: 'PASS' | 'FAIL' | 'ERROR' | 'n/a';
  rss: string;
  notes: string[];
}

const isSample = (o: Outcome): o is Sample => o !== undefined && 'value' in o;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function targetText(t: Target, unit: string, sha: number): string {
  switch (t.kind) {
    case 'ratio':
      return t.shaFraction ? `>= ${t.min.toFixed(1)}x and >= ${fmt(sha * t.shaFraction)} ${unit}` : `>= ${t.min.toFixed(1)}x`;
    case 'below':
      return `< ${t.max} ${unit}`;
  }
}

function cell(o: Outcome): string {
  if (o === undefined) return '—';
  return isSample(o) ? fmt(o.value) : 'error';
}

export function judge(row: Row, sha: number): Judged {
  const { spec, reference, berth } = row;
  const notes: string[] = [];
  for (const [who, o] of [
    ['reference', reference],
    ['berth', berth],
  ] as const) {
    if (o && !isSample(o)) notes.push(`${who} error: ${o.error}`);
    else if (o?.detail) notes.push(`${who}: ${o.detail}`);
  }
  let ratio: number | undefined;
  if (isSample(reference) && isSample(berth) && reference.value > 0 && berth.value > 0) {
    ratio = spec.better === 'higher' ? berth.value / reference.value : reference.value / berth.value;
  }
  const rssOf = (o: Outcome): string => (isSample(o) && o.rssMiB !== undefined ? fmt(o.rssMiB) : '—');
  const rss = isSample(reference) && reference.rssMiB !== undefined ? `${rssOf(reference)} / ${rssOf(berth)}` : rssOf(berth) === '—' ? '' : `— / ${rssOf(berth)}`;
  let result: Judged['result'];
  const t = spec.target;
  if (berth === undefined) result = 'n/a';
  else if (!isSample(berth)) result = 'ERROR';
  else if (t.kind === 'below') result = berth.value < t.max ? 'PASS' : 'FAIL';
  else if (ratio === undefined) result = 'n/a';
  else result = ratio >= t.min && (!t.shaFraction || berth.value >= sha * t.shaFraction) ? 'PASS' : 'FAIL';
  return {
    spec,
    reference: cell(reference),
    berth: cell(berth),
    ratio: ratio === undefined ? '—' : `${ratio.toFixed(2)}x`,
    target: targetText(t, spec.unit, sha),
    result,
    rss,
    notes,
  };
}

const HEAD = ['scenario', 'unit', 'reference', 'berth', 'ratio', 'target', 'result', 'peak RSS MiB (ref / berth)'];

function cells(j: Judged): string[] {
  return [j.spec.label, j.spec.unit, j.reference, j.berth, j.ratio, j.target, j.result, j.rss];
}

export function textTable(rows: readonly Judged[], machine: readonly [string, string][]): string {
  const body = rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const right = new Set([2, 3, 4]);
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const out = [...machine.map(([k, v]) => `${k}: ${v}`), '', line(HEAD), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of body) out.push(line(r));
  return out.join('\n');
}

export function markdownTable(rows: readonly Judged[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => ([2, 3, 4].includes(i) ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const j of rows) out.push(`| ${cells(j).map(esc).join(' | ')} |`);
  return out.join('\n');
}

export function notesList(rows: readonly Judged[]): string {
  return rows
    .filter((j) => j.notes.length)
    .map((j) => `- **${j.spec.label}**: ${j.notes.join('; ')}`)
    .join('\n');
}
