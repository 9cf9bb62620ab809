/** DESIGN.md's import rule as a check: protocols -> domain <- adapters, and only app/ (and cli/) know all three. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const src = join(root, 'src');

/** What each layer may import (top-level folders under src/). */
const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  adapters: ['adapters', 'domain'],
  protocols: ['protocols', 'domain'],
  app: ['app', 'domain', 'adapters', 'protocols'],
  cli: ['cli', 'app', 'domain'],
};
/** Libraries the domain may not use: it stays free of HTTP, SQL and SDKs. */
const DOMAIN_FORBIDDEN_PACKAGES = /^(fastify|kysely|better-sqlite3|pg|@aws-sdk\/|pino)/;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

describe('architecture', () => {
  it('imports point one way between the layers', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(src)) {
      const layer = relative(src, file).split('/')[0]!;
      const allowed = ALLOWED[layer];
      assert.ok(allowed, `src/${layer} is not a layer DESIGN.md names`);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        if (spec!.startsWith('.')) {
          const target = relative(src, resolve(dirname(file), spec!)).split('/')[0]!;
          if (!allowed.includes(target)) violations.push(`${relative(root, file)} imports ${spec} (${layer} -> ${target})`);
        } else if (layer === 'domain' && DOMAIN_FORBIDDEN_PACKAGES.test(spec!)) {
          violations.push(`${relative(root, file)} imports the library ${spec}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });
});
