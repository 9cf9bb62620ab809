import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { isDomainError } from '../../src/domain/errors.js';
import { ReplayGuard } from '../../src/protocols/aws/replay-guard.js';
import { NodeSha256 } from '../../src/protocols/aws/sha256.js';
import { verifySigV4, type SignedRequest, type VerifyOptions } from '../../src/protocols/aws/sigv4.js';

const SIGNED_AT = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(SIGNED_AT.getTime() + seconds * 1000);
const REPLAYED = { code: 'SIGNATURE_INVALID', message: 'This signed request was already used; sign each request anew.' };

const options: VerifyOptions = {
  services: ['ecr'],
  lookupCredentials: async (id) => (id === 'AKIDEXAMPLE' ? { secretAccessKey: 'secret' } : undefined),
  now: SIGNED_AT,
};

/** One DescribeRepositories call as the JS SDK sends it: a fresh amz-sdk-invocation-id, then signed. */
async function jsSdkCall(): Promise<SignedRequest> {
  const body = '{"repositoryNames":["team/app"]}';
  const signer = new SignatureV4({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, region: 'us-east-1', service: 'ecr', sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/',
      query: {},
      headers: {
        host: 'localhost:5000',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
        'amz-sdk-invocation-id': randomUUID(),
        'amz-sdk-request': 'attempt=1; max=3',
      },
      body,
    },
    { signingDate: SIGNED_AT },
  );
  return { method: 'POST', rawPath: '/', rawQuery: '', headers: signed.headers, payloadSha256: createHash('sha256').update(body).digest('hex') };
}

describe('replay guard', () => {
  it('refuses a verified request presented a second time, and admits the SDK’s next identical call', async () => {
    const guard = new ReplayGuard();
    const request = await jsSdkCall();
    const first = await verifySigV4(request, options);
    guard.admit(first.signature, first.expiresAt, SIGNED_AT);
    const replayed = await verifySigV4(request, { ...options, now: at(60) });
    assert.throws(() => guard.admit(replayed.signature, replayed.expiresAt, at(60)), (err) => isDomainError(err) && err.code === REPLAYED.code && err.message === REPLAYED.message);
    const next = await verifySigV4(await jsSdkCall(), options);
    guard.admit(next.signature, next.expiresAt, SIGNED_AT);
  });

  it('forgets a signature once it has expired', () => {
    const guard = new ReplayGuard();
    guard.admit('a'.repeat(64), at(900), at(0));
    assert.throws(() => guard.admit('a'.repeat(64), at(900), at(900)), /already used/);
    guard.admit('a'.repeat(64), at(1800), at(901));
  });

  it('bounds memory by time: expired signatures are swept as new ones arrive', () => {
    const guard = new ReplayGuard();
    for (let second = 0; second < 1000; second++) guard.admit(`signature-${second}`, at(second + 900), at(second));
    assert.equal(guard.size, 901);
    guard.admit('late', at(3000), at(2100));
    assert.equal(guard.size, 1);
  });

  it('bounds memory by count, forgetting the oldest first', () => {
    const guard = new ReplayGuard(3);
    for (const signature of ['a', 'b', 'c', 'd']) guard.admit(signature, at(900), at(0));
    assert.equal(guard.size, 3);
    assert.throws(() => guard.admit('d', at(900), at(1)), /already used/);
    guard.admit('a', at(900), at(1));
  });
});
