/** A size in binary units, the exact byte count in its title. */
import { formatBytes, formatExactBytes } from '../format.js';

export function Bytes({ value }: { value: number | undefined }) {
  if (value === undefined) return <span class="muted">—</span>;
  return (
    <span class="bytes" title={formatExactBytes(value)}>
      {formatBytes(value)}
    </span>
  );
}
