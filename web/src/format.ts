/** How the console writes dates, sizes, digests and money: in the user's locale, sizes in binary units as ECR's console. */

/** A wire timestamp (epoch seconds) or ISO string as a Date; undefined when absent or unreadable. */
export function toDate(value: number | string | undefined | null): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function formatDateTime(date: Date): string {
  return dateTimeFormat.format(date);
}

export function formatShortDate(date: Date): string {
  return shortDateFormat.format(date);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function formatTime(date: Date): string {
  return timeFormat.format(date);
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in powers of 1024 with ECR console's unit names (its "MB" is 2^20 bytes). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 })} ${UNITS[unit]}`;
}

export function formatExactBytes(bytes: number): string {
  return `${bytes.toLocaleString()} bytes`;
}

export function formatCount(count: number): string {
  return count.toLocaleString();
}

const moneyFormat = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

export function formatMoney(amount: number): string {
  return moneyFormat.format(amount);
}

/** `sha256:` and the first 12 hex digits, as registries abbreviate digests. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
