/**
 * Bad ECR requests over HTTP: bodies that are not JSON or too large, operations that do not exist,
 * the wrong content type, missing or wrong credentials, invalid names, tags, manifests and policies.
 * Each gets the error AWS sends, and the server goes on serving.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { before, it } from 'node:test';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  InvalidParameterException,
  InvalidTagParameterException,
  PutImageCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { ECR_BODY_LIMIT } from '../../src/protocols/ecr/plugin.js';
import { ecrCall, send, signCall } from '../support/aws-request.js';
import { describeOnEveryStore } from '../support/server.js';

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
const JSON_11 = 'application/x-amz-json-1.1';

interface WireError {
  status: number;
  type: string | null;
  body: { __type?: string; message?: string };
}

async function wireError(res: Response): Promise<WireError> {
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as WireError['body'] };
}

/** Sends a body of `length` bytes and resolves with the answer, which may come before the body is all sent. */
function postOversized(url: string, length: number): Promise<{ status: number; type: string | undefined; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': JSON_11, 'x-amz-target': `${TARGET_PREFIX}.DescribeRepositories`, 'content-length': String(length) } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['x-amzn-errortype'] as string | undefined, connection: res.headers.connection }));
    });
    // The server may close the connection while the body is still going out; the answer counts.
    req.on('error', (err) => (req.writableFinished ? reject(err) : undefined));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < length) {
        const piece = chunk.subarray(0, Math.min(chunk.length, length - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

await describeOnEveryStore('ECR API: bad requests', {}, (registry) => {
  let ecr: ECRClient;
  let signed: (target: string, body: string, contentType?: string) => Promise<Response>;
  before(async () => {
    const { server } = registry;
    ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    signed = async (target, body, contentType = JSON_11) =>
      send(await signCall(server.url, server.admin, 'ecr', server.config.region, { 'content-type': contentType, 'x-amz-target': target }, body));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bad/input' }));
  });

  /** The server still answers a good call. */
  async function assertServing(): Promise<void> {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['bad/input'] }));
    assert.equal(repositories?.[0]?.repositoryName, 'bad/input');
  }

  it('answers a body that is not JSON, or not the input shape, with SerializationException', async () => {
    for (const body of ['{"repositoryName": ', 'not json at all', '[1, 2]', '{"repositoryNames": "bad/input"}', '{"maxResults": "ten"}']) {
      const error = await wireError(await signed(`${TARGET_PREFIX}.DescribeRepositories`, body));
      assert.deepEqual([error.status, error.type, error.body.__type], [400, 'SerializationException', 'SerializationException'], body);
    }
    await assertServing();
  });

  it('answers an unknown operation, the wrong content type and other methods with UnknownOperationException', async () => {
    for (const target of [`${TARGET_PREFIX}.DescribeRepositorie`, `${TARGET_PREFIX}.describeRepositories`, 'AmazonEC2ContainerRegistry_V20150922.DescribeRepositories', '']) {
      const error = await wireError(await signed(target, '{}'));
      assert.deepEqual([error.status, error.body.__type], [400, 'UnknownOperationException'], target);
    }
    for (const contentType of ['application/json', 'text/plain', 'application/x-amz-json-1.0']) {
      const error = await wireError(await signed(`${TARGET_PREFIX}.DescribeRepositories`, '{}', contentType));
      assert.deepEqual([error.status, error.body.__type], [404, 'UnknownOperationException'], contentType);
    }
    const noContentType = await fetch(`${registry.server.url}/`, { method: 'POST', headers: { 'x-amz-target': `${TARGET_PREFIX}.DescribeRepositories` }, body: '{}' });
    assert.deepEqual([noContentType.status, (await wireError(noContentType)).body.__type], [404, 'UnknownOperationException']);
    const get = await fetch(`${registry.server.url}/`);
    assert.deepEqual([get.status, (await wireError(get)).body.__type], [404, 'UnknownOperationException']);
    await assertServing();
  });

  it('refuses a body over the limit with RequestEntityTooLargeException and closes that connection', async () => {
    const answer = await postOversized(`${registry.server.url}/`, ECR_BODY_LIMIT + 1024);
    assert.deepEqual(answer, { status: 413, type: 'RequestEntityTooLargeException', connection: 'close' });
    await assertServing();
  });

  it('refuses requests without valid credentials', async () => {
    const unsigned = await fetch(`${registry.server.url}/`, {
      method: 'POST',
      headers: { 'content-type': JSON_11, 'x-amz-target': `${TARGET_PREFIX}.DescribeRepositories` },
      body: '{}',
    });
    assert.deepEqual([unsigned.status, (await wireError(unsigned)).body.__type], [400, 'MissingAuthenticationTokenException']);
    const { server } = registry;
    const wrongSecret = await ecrCall(server.url, { accessKeyId: server.admin.accessKeyId, secretAccessKey: 'wrong' }, server.config.region, 'DescribeRepositories');
    assert.deepEqual([wrongSecret.status, wrongSecret.body.__type], [400, 'InvalidSignatureException']);
    const unknownKey = await ecrCall(server.url, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, server.config.region, 'DescribeRepositories');
    assert.deepEqual([unknownKey.status, unknownKey.body.__type], [400, 'UnrecognizedClientException']);
    await assertServing();
  });

  it('refuses invalid repository names with InvalidParameterException', async () => {
    for (const repositoryName of ['UPPER/case', 'a', '../etc/passwd', 'a//b', '/leading', 'trailing/', '-dash', 'sp ace', 'x'.repeat(257)]) {
      await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName })), InvalidParameterException, repositoryName);
      await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })), InvalidParameterException, repositoryName);
    }
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad' })), (err: Error) => {
      assert.match(err.message, /^Invalid parameter at 'repositoryName' failed to satisfy constraint: /);
      return true;
    });
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'bad/mutability', imageTagMutability: 'SOMETIMES' as never })), InvalidParameterException);
    await assertServing();
  });

  it('refuses invalid image tags, manifests and resource tags', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    for (const imageTag of ['', 'x'.repeat(301), '-leading-dash', 'has space', 'semi;colon']) {
      await assert.rejects(ecr.send(new PutImageCommand({ repositoryName: 'bad/input', imageManifest: manifest, imageTag })), InvalidParameterException, JSON.stringify(imageTag));
    }
    for (const imageManifest of ['not json', '{"schemaVersion": 1}', '[]']) {
      await assert.rejects(ecr.send(new PutImageCommand({ repositoryName: 'bad/input', imageManifest, imageTag: 'v1' })), InvalidParameterException, imageManifest);
    }
    const { failures } = await ecr.send(new BatchGetImageCommand({ repositoryName: 'bad/input', imageIds: [{ imageTag: '-leading-dash' }, { imageDigest: 'sha256:nothex' }, {}] }));
    assert.deepEqual(
      failures?.map((f) => f.failureCode),
      ['InvalidImageTag', 'InvalidImageDigest', 'MissingDigestAndTag'],
    );
    const resourceArn = `arn:aws:ecr:${registry.server.config.region}:${registry.server.config.accountId}:repository/bad/input`;
    for (const tag of [{ Key: '', Value: 'v' }, { Key: 'k'.repeat(129), Value: 'v' }, { Key: 'k', Value: 'v'.repeat(257) }, { Key: 'aws:owner', Value: 'v' }, { Key: 'semi;colon', Value: 'v' }]) {
      await assert.rejects(ecr.send(new TagResourceCommand({ resourceArn, tags: [tag] })), InvalidTagParameterException, tag.Key);
    }
    await assertServing();
  });

  it('refuses repository policies that are not valid policy documents', async () => {
    const policies = [
      'not json',
      '{"Version": "2012-10-17", "Statement": [',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "ecr:*"}]}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}',
    ];
    for (const policyText of policies) {
      await assert.rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'bad/input', policyText })), (err: Error) => {
        assert.ok(err instanceof InvalidParameterException, policyText);
        assert.match(err.message, /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided': ./);
        return true;
      });
    }
    await assertServing();
  });
});
