import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { berthCommand } from '../support/berth-process.js';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, waitFor } from '../support/tools.js';

const KEEP_TWO = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'keep the two newest v* images', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
});

describe('scheduled lifecycle runs and the audit log', () => {
  let server: TestServer;
  let ecr: ECRClient;
  const digests: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ lifecycleInterval: 1 });
    ecr = new ECRClient({ endpoint: server.url, region: server.config.region, credentials: server.admin, maxAttempts: 1 });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'lc/scheduled' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'lc/untouched' }));
    const oci = new OciClient(server.url, server.registryAuthorization);
    for (const tag of ['v1', 'v2', 'v3']) digests[tag] = (await oci.pushImage('lc/scheduled', tag)).digest;
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'lc/scheduled', lifecyclePolicyText: KEEP_TWO }));
  });
  after(() => server?.close());

  const tagsLeft = async () => ((await ecr.send(new DescribeImagesCommand({ repositoryName: 'lc/scheduled' }))).imageDetails ?? []).flatMap((d) => d.imageTags ?? []).sort();
  const audit = async (...args: string[]) => {
    const command = berthCommand()!;
    return run(command.cmd, [...command.args, 'audit', 'list', ...args, '--data-dir', server.config.dataDir]);
  };

  it('applies the policy on its own within the interval and records what it expired', async () => {
    await waitFor('the scheduled run to expire v1', async () => (await tagsLeft()).join() === 'v2,v3', 10_000);
    const events = await server.services.metadata.listAuditEvents({});
    assert.equal(events.length, 1, 'later runs find nothing more to do');
    const [event] = events;
    assert.equal(event!.action, 'lifecycle.expire');
    assert.equal(event!.repositoryName, 'lc/scheduled');
    assert.equal(event!.imageDigest, digests.v1);
    assert.deepEqual(event!.detail, { rulePriority: 1, ruleDescription: 'keep the two newest v* images', tags: ['v1'], action: 'EXPIRE' });
  });

  it('lists the events with `berth audit list` beside the running server, filtered and as JSON Lines', async () => {
    const text = await audit();
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^\\S+Z lifecycle\\.expire lc/scheduled@${digests.v1} \\{"rulePriority":1,.*"tags":\\["v1"\\],"action":"EXPIRE"\\}$`, 'm'));

    const json = await audit('--json', '--repository', 'lc/scheduled', '--limit', '5');
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.imageDigest, digests.v1);
    assert.equal(typeof lines[0]!.id, 'number');

    for (const filter of [['--repository', 'lc/untouched'], ['--since', new Date(Date.now() + 60_000).toISOString()]]) {
      const none = await audit(...filter);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, '', `nothing for ${filter.join(' ')}`);
    }

    const wrong = await audit('--since', 'last tuesday');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /--since.*ISO 8601/);
  });
});
