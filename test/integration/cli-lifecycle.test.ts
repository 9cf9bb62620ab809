import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { berthCommand } from '../support/berth-process.js';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run } from '../support/tools.js';

const KEEP_TWO = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'keep the two newest v* images', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
});

describe('berth lifecycle run', () => {
  let server: TestServer;
  let ecr: ECRClient;
  const digests: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'lc/cli' }));
    const oci = new OciClient(server.url, server.registryAuthorization);
    for (const tag of ['v1', 'v2', 'v3']) digests[tag] = (await oci.pushImage('lc/cli', tag)).digest;
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'lc/cli', lifecyclePolicyText: KEEP_TWO }));
  });
  after(() => server?.close());

  const berth = async (...args: string[]) => {
    const command = berthCommand()!;
    return run(command.cmd, [...command.args, 'lifecycle', 'run', ...args, '--data-dir', server.config.dataDir]);
  };
  const tagsLeft = async () => ((await ecr.send(new DescribeImagesCommand({ repositoryName: 'lc/cli' }))).imageDetails ?? []).flatMap((d) => d.imageTags ?? []).sort();

  it('shows what it would expire with --dry-run and changes nothing, then expires it, beside the running server', async () => {
    const dry = await berth('--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would expire lc/cli@${digests.v1} \\(v1\\) by rule 1$`, 'm'));
    assert.match(dry.stdout, /^1 image\(s\) would be acted on$/m);
    assert.deepEqual(await tagsLeft(), ['v1', 'v2', 'v3']);

    const applied = await berth('--repository', 'lc/cli');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`^expired lc/cli@${digests.v1} \\(v1\\) by rule 1$`, 'm'));
    assert.deepEqual(await tagsLeft(), ['v2', 'v3']);
    assert.match((await berth()).stdout, /^0 of 0 image\(s\) expired or archived$/m, 'nothing left to do');
  });
});
