import { readFileSync } from 'node:fs';

/** Berth's version, from its package.json (the compiled code runs from dist/src/). */
export function berthVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
