// Judges each row against its target, and what authentication costs against its targets, and
// renders both as text tables and as Markdown.
import type { AuthCost, RowSpec, Sample, Target } from './scenarios.js';

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
  /** '—' for a figure without a target. */
  result: 'PASS' | 'FAIL' | 'ERROR' | 'n/a' | '—';
  rss: string;
  notes: string[];
}

/** Berth with auth on (`berth`) against the reference and against itself with BERTH_AUTH=false. */
export interface AuthRow {
  spec: RowSpec & { authCost: AuthCost };
  reference: Outcome;
  authOff: Outcome;
  berth: Outcome;
}

export interface AuthJudged {
  spec: RowSpec;
  reference: string;
  authOff: string;
  berth: string;
  vsReference: string;
  vsAuthOff: string;
  targets: [string, string];
  result: Judged['result'];
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
    case 'info':
      return '—';
  }
}

function cell(o: Outcome): string {
  if (o === undefined) return '—';
  return isSample(o) ? fmt(o.value) : 'error';
}

function notesOf(outcomes: readonly (readonly [string, Outcome])[]): string[] {
  const notes: string[] = [];
  for (const [who, o] of outcomes) {
    if (o && !isSample(o)) notes.push(`${who} error: ${o.error}`);
    else if (o?.detail) notes.push(`${who}: ${o.detail}`);
  }
  return notes;
}

/** How many times better `subject` is than `base`; undefined unless both are positive figures. */
function ratioOf(spec: RowSpec, subject: Outcome, base: Outcome): number | undefined {
  if (!isSample(base) || !isSample(subject) || base.value <= 0 || subject.value <= 0) return undefined;
  return spec.better === 'higher' ? subject.value / base.value : base.value / subject.value;
}

const ratioText = (ratio: number | undefined): string => (ratio === undefined ? '—' : `${ratio.toFixed(2)}x`);

export function judge(row: Row, sha: number): Judged {
  const { spec, reference, berth } = row;
  const unsupported = spec.reference?.note ? [`reference: ${spec.reference.note}`] : [];
  const notes = [
    ...unsupported,
    ...notesOf([
      ['reference', reference],
      ['berth', berth],
    ]),
  ];
  const ratio = ratioOf(spec, berth, reference);
  const rssOf = (o: Outcome): string => (isSample(o) && o.rssMiB !== undefined ? fmt(o.rssMiB) : '—');
  const rss = isSample(reference) && reference.rssMiB !== undefined ? `${rssOf(reference)} / ${rssOf(berth)}` : rssOf(berth) === '—' ? '' : `— / ${rssOf(berth)}`;
  let result: Judged['result'];
  const t = spec.target;
  if (berth === undefined) result = 'n/a';
  else if (!isSample(berth)) result = 'ERROR';
  else if (t.kind === 'info') result = '—';
  else if (t.kind === 'below') result = berth.value < t.max ? 'PASS' : 'FAIL';
  else if (ratio === undefined) result = 'n/a';
  else result = ratio >= t.min && (!t.shaFraction || berth.value >= sha * t.shaFraction) ? 'PASS' : 'FAIL';
  return {
    spec,
    reference: spec.reference?.cell ?? cell(reference),
    berth: cell(berth),
    ratio: ratioText(ratio),
    target: targetText(t, spec.unit, sha),
    result,
    rss,
    notes,
  };
}

/** Met when Berth with auth on reaches both ratios: to the reference, and to Berth with auth off. */
export function judgeAuth({ spec, reference, authOff, berth }: AuthRow): AuthJudged {
  const vsReference = ratioOf(spec, berth, reference);
  const vsAuthOff = ratioOf(spec, berth, authOff);
  let result: Judged['result'];
  if (berth === undefined) result = 'n/a';
  else if (!isSample(berth) || (authOff !== undefined && !isSample(authOff))) result = 'ERROR';
  else if (vsReference === undefined || vsAuthOff === undefined) result = 'n/a';
  else result = vsReference >= spec.authCost.vsReference && vsAuthOff >= spec.authCost.vsAuthOff ? 'PASS' : 'FAIL';
  return {
    spec,
    reference: cell(reference),
    authOff: cell(authOff),
    berth: cell(berth),
    vsReference: ratioText(vsReference),
    vsAuthOff: ratioText(vsAuthOff),
    targets: [`>= ${spec.authCost.vsReference.toFixed(1)}x`, `>= ${spec.authCost.vsAuthOff.toFixed(2)}x`],
    result,
    notes: notesOf([['berth, auth off', authOff]]),
  };
}

/** A table to render: its header, its rows, and which columns are figures (right-aligned). */
export interface Table {
  head: readonly string[];
  figures: ReadonlySet<number>;
  body: readonly (readonly string[])[];
}

export function resultsTable(rows: readonly Judged[]): Table {
  return {
    head: ['scenario', 'unit', 'reference', 'berth', 'ratio', 'target', 'result', 'peak RSS MiB (ref / berth)'],
    figures: new Set([2, 3, 4]),
    body: rows.map((j) => [j.spec.label, j.spec.unit, j.reference, j.berth, j.ratio, j.target, j.result, j.rss]),
  };
}

export function authTable(rows: readonly AuthJudged[]): Table {
  return {
    head: ['scenario', 'unit', 'reference, no auth', 'berth, auth off', 'berth, auth on', 'on ÷ reference', 'target', 'on ÷ off', 'target', 'result'],
    figures: new Set([2, 3, 4, 5, 7]),
    body: rows.map((j) => [j.spec.label, j.spec.unit, j.reference, j.authOff, j.berth, j.vsReference, j.targets[0], j.vsAuthOff, j.targets[1], j.result]),
  };
}

export function textTable({ head, figures, body }: Table): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (figures.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable({ head, figures, body }: Table): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (figures.has(i) ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of body) out.push(`| ${r.map(esc).join(' | ')} |`);
  return out.join('\n');
}

export function notesList(rows: readonly { spec: RowSpec; notes: string[] }[]): string {
  return rows
    .filter((j) => j.notes.length)
    .map((j) => `- **${j.spec.label}**: ${j.notes.join('; ')}`)
    .join('\n');
}
