import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { DomainError, ErrorCodes } from '../../src/domain/errors.js';
import { COMMON_AWS_ERRORS, ECR_ERRORS, ecrWireError, sendEcrError, statusOfErrorType } from '../../src/protocols/ecr/errors.js';
import { ECR_SHAPES } from '../../src/protocols/ecr/model/ecr-model.generated.js';

function isKnownType(type: string): boolean {
  const shape = ECR_SHAPES[type];
  return (shape?.type === 'structure' && shape.exception === true) || Object.hasOwn(COMMON_AWS_ERRORS, type);
}

describe('ECR error table', () => {
  it('maps every domain error code to an ECR error shape or a common AWS error', () => {
    assert.deepEqual(Object.keys(ECR_ERRORS).sort(), [...ErrorCodes].sort());
    for (const code of ErrorCodes) {
      const { type, status, alternatives } = ECR_ERRORS[code];
      for (const wireType of [type, ...(alternatives ?? [])]) assert.ok(isKnownType(wireType), `${code} maps to unknown type ${wireType}`);
      assert.equal(status, statusOfErrorType(type), `${code}: ${type} is sent with ${statusOfErrorType(type)}`);
      assert.ok(status >= 400 && status < 500, `${code} maps to a non-client status ${status}`);
    }
  });

  it('lets a domain error name a more specific type', () => {
    const err = new DomainError('INVALID_PARAMETER', 'bad body', { awsType: 'SerializationException' });
    assert.deepEqual(ecrWireError(err, 'CreateRepository'), { type: 'SerializationException', status: 400 });
    assert.deepEqual(ecrWireError(new DomainError('NAME_UNKNOWN', 'x', { awsType: 'ServerException' })), { type: 'ServerException', status: 500 });
  });

  it("picks the type the operation's model declares", () => {
    const mismatch = new DomainError('DIGEST_INVALID', 'digest mismatch');
    assert.equal(ecrWireError(mismatch, 'CompleteLayerUpload').type, 'InvalidLayerException');
    assert.equal(ecrWireError(mismatch, 'PutImage').type, 'ImageDigestDoesNotMatchException');
    assert.equal(ecrWireError(mismatch, 'BatchGetImage').type, 'InvalidParameterException');
    assert.equal(ecrWireError(mismatch).type, 'InvalidLayerException');
    assert.equal(ecrWireError(new DomainError('INVALID_PARAMETER', 'x'), 'DeleteSigningConfiguration').type, 'ValidationException');
  });

  it('renders JSON 1.1 errors with the error shape’s own detail fields', async () => {
    const app = Fastify();
    app.get('/part', (_request, reply) =>
      sendEcrError(reply, new DomainError('RANGE_INVALID', 'part out of order', { lastValidByteReceived: 1023, uploadId: 'u-1', offset: 1024 }), 'UploadLayerPart'),
    );
    app.get('/crash', (_request, reply) => sendEcrError(reply, new Error('disk on fire')));
    const part = await app.inject({ method: 'GET', url: '/part' });
    assert.equal(part.statusCode, 400);
    assert.equal(part.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(part.headers['x-amzn-errortype'], 'InvalidLayerPartException');
    assert.deepEqual(part.json(), { __type: 'InvalidLayerPartException', message: 'part out of order', uploadId: 'u-1', lastValidByteReceived: 1023 });
    const crash = await app.inject({ method: 'GET', url: '/crash' });
    assert.equal(crash.statusCode, 500);
    assert.equal(crash.json().__type, 'ServerException');
    assert.doesNotMatch(crash.body, /disk on fire/);
    await app.close();
  });
});
