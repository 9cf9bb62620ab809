import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OCI_ACTIONS } from '../../src/protocols/oci/authorization.js';

const securityDoc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/security.md'), 'utf8');

describe('OCI request to ECR action table', () => {
  it('is documented in docs/security.md exactly as the code has it', () => {
    const documented = new Map<string, string>();
    for (const [, methods, path, action] of securityDoc.matchAll(/^\| `([A-Z/`]+?)`?\s*`?(\/v2\/<name>\/[^`]+)` \| `(ecr:\w+)` \|$/gm)) {
      for (const method of methods!.replaceAll('`', '').split('/')) documented.set(`${method} ${path}`, action!);
    }
    const paths: Record<keyof typeof OCI_ACTIONS, string> = {
      manifest: '/v2/<name>/manifests/<ref>',
      tags: '/v2/<name>/tags/list',
      referrers: '/v2/<name>/referrers/<digest>',
      blob: '/v2/<name>/blobs/<digest>',
      uploads: '/v2/<name>/blobs/uploads/',
      upload: '/v2/<name>/blobs/uploads/<id>',
    };
    const inCode = new Map<string, string>();
    for (const [kind, methods] of Object.entries(OCI_ACTIONS)) {
      for (const [method, action] of Object.entries(methods)) inCode.set(`${method} ${paths[kind as keyof typeof OCI_ACTIONS]}`, action);
    }
    assert.deepEqual(new Map([...documented].sort()), new Map([...inCode].sort()));
  });
});
