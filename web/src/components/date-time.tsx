/** A timestamp in the user's locale, with the exact ISO time in its title and datetime attribute. */
import { formatDateTime, toDate } from '../format.js';

export function DateTime({ value, empty = '—' }: { value: number | string | undefined | null; empty?: string }) {
  const date = toDate(value);
  if (!date) return <span class="muted">{empty}</span>;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(date)}
    </time>
  );
}
