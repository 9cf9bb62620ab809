import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { DomainError } from '../../src/domain/errors.js';
import type { Caller } from '../../src/domain/identity/caller.js';
import type { EcrHandlers } from '../../src/protocols/ecr/operations/index.js';
import { type EcrAuthenticationRequest, ecrPlugin } from '../../src/protocols/ecr/plugin.js';

const CALLER: Caller = {
  arn: 'arn:aws:iam::123456789012:user/ci',
  account: '123456789012',
  kind: 'user',
  username: 'ci',
  userId: 'AIDAEXAMPLE',
  policySubjectArn: 'arn:aws:iam::123456789012:user/ci',
  accessKeyId: 'AKIAEXAMPLE',
};
const BODY_LIMIT = 1024;
const TARGET = 'AmazonEC2ContainerRegistry_V20150921';

describe('ECR JSON 1.1 endpoint', () => {
  let app: FastifyInstance;
  const authenticated: EcrAuthenticationRequest[] = [];

  before(async () => {
    const handlers: EcrHandlers = {
      DescribeRepositories: async (input, call) => ({
        repositories: (input.repositoryNames ?? []).map((repositoryName) => ({
          repositoryName,
          registryId: call.caller.account,
          createdAt: new Date(1_700_000_000_123),
          imageTagMutability: 'MUTABLE',
          repositoryUri: undefined,
        })),
      }),
    };
    app = Fastify();
    app.register(
      ecrPlugin({
        bodyLimit: BODY_LIMIT,
        handlers,
        authenticate: async (request) => {
          authenticated.push(request);
          if (request.headers.authorization === 'forged') throw new DomainError('SIGNATURE_INVALID', 'The request signature we calculated does not match');
          return CALLER;
        },
      }),
    );
    await app.ready();
  });
  after(() => app.close());

  const call = (operation: string | undefined, body: string, extra: Partial<InjectOptions> = {}) =>
    app.inject({
      method: 'POST',
      url: '/',
      payload: body,
      ...extra,
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(operation && { 'x-amz-target': `${TARGET}.${operation}` }), ...extra.headers },
    });

  it('serves an operation: JSON 1.1 output, timestamps as epoch seconds, request id', async () => {
    const body = JSON.stringify({ repositoryNames: ['team/app'] });
    const response = await call('DescribeRepositories', body, { url: '/?x=1', headers: { authorization: 'AWS4-HMAC-SHA256 ...' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/x-amz-json-1.1');
    assert.ok(response.headers['x-amzn-requestid']);
    assert.equal(response.body, '{"repositories":[{"registryId":"123456789012","repositoryName":"team/app","createdAt":1700000000.123,"imageTagMutability":"MUTABLE"}]}');
    const seen = authenticated.at(-1)!;
    assert.deepEqual(
      { method: seen.method, rawPath: seen.rawPath, rawQuery: seen.rawQuery, authorization: seen.headers.authorization },
      { method: 'POST', rawPath: '/', rawQuery: 'x=1', authorization: 'AWS4-HMAC-SHA256 ...' },
    );
    assert.equal(seen.bodySha256, createHash('sha256').update(body).digest('hex'));
  });

  it('takes an empty body as an empty input', async () => {
    const response = await call('DescribeRepositories', '');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { repositories: [] });
  });

  it('answers an unknown or missing X-Amz-Target with UnknownOperationException', async () => {
    for (const target of [`${TARGET}.DescribeRepository`, `${TARGET}.describeRepositories`, 'DescribeRepositories', `${TARGET}.toString`, undefined]) {
      const response = await app.inject({
        method: 'POST',
        url: '/',
        payload: '{}',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...(target && { 'x-amz-target': target }) },
      });
      assert.equal(response.statusCode, 400, String(target));
      assert.equal(response.headers['x-amzn-errortype'], 'UnknownOperationException');
      assert.equal(response.json().__type, 'UnknownOperationException');
    }
  });

  it('answers a request that is not JSON 1.1 with a 404 UnknownOperationException', async () => {
    for (const contentType of ['application/json', 'application/x-amz-json-1.0', 'text/plain', 'nonsense']) {
      const response = await call('DescribeRepositories', '{}', { headers: { 'content-type': contentType } });
      assert.equal(response.statusCode, 404, contentType);
      assert.equal(response.json().__type, 'UnknownOperationException');
      assert.ok(response.headers['x-amzn-requestid'], contentType);
    }
    const get = await app.inject({ method: 'GET', url: '/' });
    assert.equal(get.statusCode, 404);
    assert.equal(get.headers['x-amzn-errortype'], 'UnknownOperationException');
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    for (const body of ['{', '{"repositoryNames":', 'null', '"x"']) {
      const response = await call('DescribeRepositories', body);
      assert.equal(response.statusCode, 400, body);
      assert.equal(response.json().__type, 'SerializationException', body);
    }
  });

  it('answers a validation failure with the message ECR sends', async () => {
    const response = await call('DescribeRepositories', JSON.stringify({ maxResults: 5000 }));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      __type: 'InvalidParameterException',
      message: "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
    });
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const big = JSON.stringify({ repositoryNames: ['x'.repeat(BODY_LIMIT)] });
    const declared = await call('DescribeRepositories', big);
    assert.equal(declared.statusCode, 413);
    assert.equal(declared.json().__type, 'RequestEntityTooLargeException');
    assert.equal(declared.headers.connection, 'close');
    // Streamed without a Content-Length, so only counting the bytes finds it too large.
    const streamed = await call('DescribeRepositories', '', { payload: Readable.from([Buffer.from(big)]) });
    assert.equal(streamed.statusCode, 413);
    assert.equal((await call('DescribeRepositories', '{}')).statusCode, 200);
  });

  it('answers authentication failures before reading the input', async () => {
    const response = await call('DescribeRepositories', '{', { headers: { authorization: 'forged' } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['x-amzn-errortype'], 'InvalidSignatureException');
  });

  it('answers an operation without a handler with a not-yet error naming it', async () => {
    const response = await call('CreateRepository', JSON.stringify({ repositoryName: 'team/app' }));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { __type: 'UnknownOperationException', message: 'Berth does not implement the ECR operation CreateRepository yet' });
  });
});
