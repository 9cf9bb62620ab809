/** Small labelled markers: finding severities, severity counts, scan status and settings. */
import type { ComponentChildren } from 'preact';
import type { ImageScanStatus } from '../api/ecr.js';
import { SEVERITIES, type SeverityCounts, severityLabel, totalFindings } from '../model/severity.js';

type Tone = 'neutral' | 'good' | 'info' | 'warn' | 'bad';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A severity, or a count of findings of one: "Critical", or "3" (read as "3 Critical"; `labelled` shows the word too). */
export function SeverityBadge({ severity, count, labelled }: { severity: string; count?: number; labelled?: boolean }) {
  const label = severityLabel(severity);
  return (
    <span class={`severity severity-${severity.toLowerCase()}`} title={count === undefined ? undefined : `${count} ${label}`}>
      {count === undefined ? (
        label
      ) : (
        <>
          {count}
          <span class={labelled ? undefined : 'visually-hidden'}> {label}</span>
        </>
      )}
    </span>
  );
}

/** Counts per severity, most severe first, zeros left out. */
export function SeverityCountList({ counts, labelled }: { counts: SeverityCounts | undefined; labelled?: boolean }) {
  if (totalFindings(counts) === 0) return <span class="muted">No findings</span>;
  return (
    <span class="severity-counts">
      {SEVERITIES.filter((s) => (counts?.[s] ?? 0) > 0).map((s) => (
        <SeverityBadge key={s} severity={s} count={counts?.[s] ?? 0} {...(labelled && { labelled })} />
      ))}
    </span>
  );
}

const SCAN_STATUS_TONES: Record<string, Tone> = {
  COMPLETE: 'good',
  ACTIVE: 'good',
  IN_PROGRESS: 'info',
  PENDING: 'info',
  FAILED: 'bad',
  UNSUPPORTED_IMAGE: 'warn',
  FINDINGS_UNAVAILABLE: 'warn',
  SCAN_ELIGIBILITY_EXPIRED: 'warn',
  LIMIT_EXCEEDED: 'warn',
};

function humanize(value: string): string {
  const words = value.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function ScanStatusBadge({ status }: { status: ImageScanStatus | undefined }) {
  if (!status?.status) return <span class="muted">Not scanned</span>;
  return (
    <Badge tone={SCAN_STATUS_TONES[status.status] ?? 'neutral'} {...(status.description && { title: status.description })}>
      {humanize(status.status)}
    </Badge>
  );
}

export function OnOff({ on, onLabel = 'Enabled', offLabel = 'Disabled' }: { on: boolean; onLabel?: string; offLabel?: string }) {
  return <Badge tone={on ? 'good' : 'neutral'}>{on ? onLabel : offLabel}</Badge>;
}
