import type { OsvRecord } from '../osv/record.js';

/** A record read, or why it cannot be used (with its id when it has a readable one). */
export type RecordParse = { record: OsvRecord } | { problem: string; id?: string };

/**
 * Parses one OSV record from its JSON text, checking the fields scanning reads have the types the
 * schema gives them, so a malformed record is refused here rather than failing a scan later.
 * Other fields are kept as published, unchecked.
 */
export function parseOsvRecord(text: string): RecordParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { problem: 'not a JSON object' };
  const id = typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
  const problem = recordProblem(value);
  if (problem !== undefined) return { problem, ...(id !== undefined && { id }) };
  return { record: value as unknown as OsvRecord };
}

function recordProblem(record: Record<string, unknown>): string | undefined {
  if (typeof record.id !== 'string' || record.id === '') return 'no id';
  if (typeof record.modified !== 'string' || Number.isNaN(Date.parse(record.modified))) return 'no valid modified time';
  if (record.withdrawn !== undefined && typeof record.withdrawn !== 'string') return 'withdrawn is not a time';
  for (const field of ['aliases', 'related'] as const) {
    if (record[field] !== undefined && !isStringArray(record[field])) return `${field} is not a list of ids`;
  }
  return severitiesProblem(record.severity) ?? affectedListProblem(record.affected);
}

function affectedListProblem(affected: unknown): string | undefined {
  if (affected === undefined) return undefined;
  if (!Array.isArray(affected)) return 'affected is not a list';
  for (const [i, entry] of affected.entries()) {
    const problem = isObject(entry) ? affectedProblem(entry) : 'not an object';
    if (problem !== undefined) return `affected[${i}]: ${problem}`;
  }
  return undefined;
}

function affectedProblem(entry: Record<string, unknown>): string | undefined {
  const pkg = entry.package;
  if (pkg !== undefined) {
    if (!isObject(pkg)) return 'package is not an object';
    for (const field of ['ecosystem', 'name', 'purl'] as const) {
      if (pkg[field] !== undefined && typeof pkg[field] !== 'string') return `package.${field} is not a string`;
    }
  }
  if (entry.versions !== undefined && !isStringArray(entry.versions)) return 'versions is not a list of strings';
  for (const field of ['ecosystem_specific', 'database_specific'] as const) {
    if (entry[field] !== undefined && !isObject(entry[field])) return `${field} is not an object`;
  }
  return severitiesProblem(entry.severity) ?? rangesProblem(entry.ranges);
}

function rangesProblem(ranges: unknown): string | undefined {
  if (ranges === undefined) return undefined;
  if (!Array.isArray(ranges)) return 'ranges is not a list';
  for (const [i, range] of ranges.entries()) {
    if (!isObject(range) || typeof range.type !== 'string') return `ranges[${i}] has no type`;
    if (!Array.isArray(range.events) || !range.events.every((event) => isObject(event) && Object.values(event).every((v) => typeof v === 'string'))) {
      return `ranges[${i}].events is not a list of events`;
    }
  }
  return undefined;
}

function severitiesProblem(severity: unknown): string | undefined {
  if (severity === undefined) return undefined;
  const valid = Array.isArray(severity) && severity.every((s) => isObject(s) && typeof s.type === 'string' && typeof s.score === 'string');
  return valid ? undefined : 'severity is not a list of {type, score}';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
