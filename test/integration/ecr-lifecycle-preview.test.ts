/** Lifecycle policy previews through the JS SDK and the aws CLI (its lifecycle-policy-preview-complete waiter). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetLifecyclePolicyPreviewCommand,
  LifecyclePolicyPreviewNotFoundException,
  StartLifecyclePolicyPreviewCommand,
} from '@aws-sdk/client-ecr';
import { aws, awsCliUnavailable } from '../support/aws-cli.js';
import { OCI_MANIFEST, OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'keep the two newest v* images', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'keep one untagged image', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
  ],
});

describe('lifecycle policy previews', () => {
  let server: TestServer;
  let ecr: ECRClient;
  const pushed: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'lc/app' }));
    const oci = new OciClient(server.url, server.registryAuthorization);
    // Oldest first: v1, v2, v3, then two untagged manifests.
    for (const tag of ['v1', 'v2', 'v3']) pushed[tag] = (await oci.pushImage('lc/app', tag)).digest;
    for (const seed of ['untagged-old', 'untagged-new']) {
      const image = await oci.pushImage('lc/app', `tmp-${seed}`, { seed });
      await oci.request('DELETE', `/v2/lc/app/manifests/tmp-${seed}`);
      await oci.pushManifest('lc/app', image.digest, image.bytes.toString(), OCI_MANIFEST);
      pushed[seed] = image.digest;
    }
  });
  after(() => server?.close());

  it('previews what each rule would expire, with a summary, filters and pages', async () => {
    await assert.rejects(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app' })), LifecyclePolicyPreviewNotFoundException);
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app', lifecyclePolicyText: POLICY }));
    assert.equal(started.status, 'COMPLETE');
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app' }));
    assert.equal(preview.status, 'COMPLETE');
    assert.equal(preview.lifecyclePolicyText, POLICY);
    assert.deepEqual(
      preview.previewResults?.map((r) => [r.imageDigest, r.imageTags, r.appliedRulePriority, r.action?.type, r.storageClass]),
      [
        [pushed.v1, ['v1'], 1, 'EXPIRE', 'STANDARD'],
        [pushed['untagged-old'], [], 2, 'EXPIRE', 'STANDARD'],
      ],
    );
    assert.equal(preview.summary?.expiringImageTotalCount, 2);
    const tagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app', filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(tagged.previewResults?.map((r) => r.imageDigest), [pushed.v1]);
    const first = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app', maxResults: 1 }));
    const second = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc/app', maxResults: 1, nextToken: first.nextToken! }));
    assert.deepEqual([...first.previewResults!, ...second.previewResults!].map((r) => r.imageDigest), [pushed.v1, pushed['untagged-old']]);
    assert.equal(second.nextToken, undefined);
  });

  it('runs with the aws CLI, its waiter included, on the stored policy', { skip: awsCliUnavailable() }, async () => {
    const cli = (...args: string[]) => aws(server.url, server.admin, server.config.region, ['ecr', ...args]);
    assert.equal((await cli('put-lifecycle-policy', '--repository-name', 'lc/app', '--lifecycle-policy-text', POLICY)).code, 0);
    const started = await cli('start-lifecycle-policy-preview', '--repository-name', 'lc/app');
    assert.equal(started.code, 0, started.stderr);
    assert.equal(JSON.parse(started.stdout).status, 'COMPLETE');
    const waited = await cli('wait', 'lifecycle-policy-preview-complete', '--repository-name', 'lc/app');
    assert.equal(waited.code, 0, waited.stderr);
    const got = await cli('get-lifecycle-policy-preview', '--repository-name', 'lc/app');
    assert.equal(got.code, 0, got.stderr);
    assert.equal(JSON.parse(got.stdout).summary.expiringImageTotalCount, 2);
  });
});
