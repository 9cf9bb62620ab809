import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderEcrApiDoc } from '../../scripts/ecr/render-docs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('docs/ecr-api.md', () => {
  it('is current with the model, the handler table and the error table', () => {
    const committed = readFileSync(resolve(root, 'docs/ecr-api.md'), 'utf8');
    assert.ok(committed === renderEcrApiDoc(), 'docs/ecr-api.md is stale: run `npm run docs:ecr-api`');
  });
});
