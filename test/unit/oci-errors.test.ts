import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes } from '../../src/domain/errors.js';
import { OCI_ERRORS } from '../../src/protocols/oci/errors.js';

const SPEC_CODES = new Set([
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS',
]);
// Codes the CNCF registry sends beyond the spec's list; clients show their messages like any other.
const DISTRIBUTION_CODES = new Set(['TAG_INVALID', 'PAGINATION_NUMBER_INVALID']);

describe('OCI error table', () => {
  it('maps every domain error code to an OCI wire error', () => {
    for (const code of ErrorCodes) {
      const wire = OCI_ERRORS[code];
      assert.ok(wire, `domain code ${code} has no OCI mapping`);
      assert.ok(SPEC_CODES.has(wire.code) || DISTRIBUTION_CODES.has(wire.code), `${code} maps to unknown OCI code ${wire.code}`);
      assert.ok(wire.status >= 400 && wire.status < 500, `${code} maps to a non-client status ${wire.status}`);
    }
    assert.deepEqual(Object.keys(OCI_ERRORS).sort(), [...ErrorCodes].sort());
  });
});
