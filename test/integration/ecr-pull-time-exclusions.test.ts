/** Pull time update exclusions: a listed principal's pulls leave lastRecordedPullTime alone. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImagesCommand,
  ECRClient,
  ExclusionAlreadyExistsException,
  ExclusionNotFoundException,
  ListPullTimeUpdateExclusionsCommand,
  RegisterPullTimeUpdateExclusionCommand,
} from '@aws-sdk/client-ecr';
import { registryAuthorization, type TestCredentials } from '../support/aws-request.js';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('pull time update exclusions', () => {
  let server: TestServer;
  let admin: ECRClient;
  let scanner: TestCredentials;
  const client = (credentials: TestCredentials) => new ECRClient({ endpoint: server.url, region: server.config.region, credentials, maxAttempts: 1 });

  before(async () => {
    server = await startTestServer();
    admin = client(server.admin);
    const account = server.config.accountId;
    await server.services.identities.createUser(account, 'scanner');
    await server.services.identities.putPolicy('user', account, 'scanner', 'pull', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }));
    scanner = await server.services.identities.createAccessKey(account, 'scanner');
    await admin.send(new CreateRepositoryCommand({ repositoryName: 'app/pulled' }));
  });
  after(() => server?.close());

  async function lastPull(tag: string): Promise<Date | undefined> {
    await server.services.registry.pulls.flush();
    const { imageDetails } = await admin.send(new DescribeImagesCommand({ repositoryName: 'app/pulled', imageIds: [{ imageTag: tag }] }));
    return imageDetails?.[0]?.lastRecordedPullTime;
  }

  it("records everyone's pulls but an excluded principal's, over OCI and BatchGetImage", async () => {
    const scannerArn = `arn:aws:iam::${server.config.accountId}:user/scanner`;
    const registered = await admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: scannerArn }));
    assert.equal(registered.principalArn, scannerArn);
    assert.ok(registered.createdAt instanceof Date);
    await assert.rejects(admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: scannerArn })), ExclusionAlreadyExistsException);
    assert.deepEqual((await admin.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, [scannerArn]);

    const adminOci = new OciClient(server.url, server.registryAuthorization);
    await adminOci.pushImage('app/pulled', 'v1');
    const scannerOci = new OciClient(server.url, await registryAuthorization(server.url, scanner, server.config.region));
    assert.equal((await scannerOci.request('GET', '/v2/app/pulled/manifests/v1')).status, 200);
    await client(scanner).send(new BatchGetImageCommand({ repositoryName: 'app/pulled', imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(await lastPull('v1'), undefined, "the scanner's pulls are not recorded");

    assert.equal((await adminOci.request('GET', '/v2/app/pulled/manifests/v1')).status, 200);
    const recorded = await lastPull('v1');
    assert.ok(recorded && Date.now() - recorded.getTime() < 60_000, "the administrator's pull is");

    await admin.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: scannerArn }));
    await assert.rejects(admin.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: scannerArn })), ExclusionNotFoundException);
    assert.deepEqual((await admin.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, []);
  });

  it('pages the list', async () => {
    const arns = ['a', 'b', 'c'].map((name) => `arn:aws:iam::${server.config.accountId}:role/${name}`);
    for (const principalArn of arns) await admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn }));
    const first = await admin.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2 }));
    assert.deepEqual(first.pullTimeUpdateExclusions, arns.slice(0, 2));
    const second = await admin.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2, nextToken: first.nextToken! }));
    assert.deepEqual(second.pullTimeUpdateExclusions, arns.slice(2));
    assert.equal(second.nextToken, undefined);
  });
});
