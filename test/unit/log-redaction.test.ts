import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactedUrl } from '../../src/app/log-redaction.js';

describe('log redaction', () => {
  it('keeps credentials in query strings out of logged URLs', () => {
    assert.equal(redactedUrl('/v2/a/b/blobs/sha256:00?download-token=abc.def'), '/v2/a/b/blobs/sha256:00?download-token=[REDACTED]');
    assert.equal(
      redactedUrl('/?Action=GetCallerIdentity&X-Amz-Credential=AKIA%2F20261123&X-Amz-Security-Token=tok&X-Amz-Signature=ff&X-Amz-Date=1'),
      '/?Action=GetCallerIdentity&X-Amz-Credential=[REDACTED]&X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Date=1',
    );
    assert.equal(redactedUrl('/v2/_catalog?n=10&last=x'), '/v2/_catalog?n=10&last=x');
    assert.equal(redactedUrl('/v2/'), '/v2/');
  });
});
