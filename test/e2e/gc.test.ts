/**
 * Garbage collection with the real clients: docker pushes an image, `aws ecr batch-delete-image`
 * deletes it, `berth gc` beside the running server frees its layers, `berth fsck` finds the store
 * consistent, and docker pushes and pulls the same image again.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berthCommand } from '../support/berth-process.js';
import { describeRun, dockerWorks, removeDir, run, tempDir } from '../support/tools.js';
import { skipReason, startRegistry, targetKind, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest, writeBuildContext } from './local-images.js';

const skip =
  skipReason('docker') ??
  (targetKind !== 'berth' ? `garbage collection is Berth's (BERTH_E2E_TARGET=${targetKind})` : dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');

function storedBlobs(dataDir: string): string[] {
  const root = path.join(dataDir, 'storage', 'blobs', 'sha256');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((prefix) => readdirSync(path.join(root, prefix)));
}

describe('garbage collection: docker, the aws CLI and berth gc', { skip }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let docker: DockerCli;
  const id = randomBytes(4).toString('hex');
  const repo = `e2e/gc-${id}`;
  const localTag = `berth-e2e/gc:${id}`;
  let ref: string;

  const berthCli = async (...args: string[]) => {
    const command = berthCommand()!;
    const result = await run(command.cmd, [...command.args, ...args, '--data-dir', registry.dataDir]);
    assert.equal(result.code, 0, describeRun(result));
    return result.stdout;
  };

  before(async () => {
    work = tempDir('gc');
    registry = await startRegistry();
    docker = new DockerCli(path.join(work, 'docker-config'));
    await docker.login(registry);
    await registry.createRepository(repo);
    await docker.ok(['build', '-q', '-t', localTag, writeBuildContext(path.join(work, 'ctx'), `gc-${id}`).dir]);
    ref = `${registry.host}/${repo}:v1`;
    await docker.ok(['tag', localTag, ref]);
  });

  after(async () => {
    await docker?.run(['rmi', '-f', localTag, ref]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('frees the layers of a deleted image, and the image can be pushed and pulled again', async (t) => {
    const before = storedBlobs(registry.dataDir).length;
    const digest = pushedDigest(await docker.ok(['push', ref]));
    const pushed = storedBlobs(registry.dataDir);
    assert.ok(pushed.length >= before + 2, 'a config and at least one layer');

    const deleted = JSON.parse(await registry.berth!.awsOk(['ecr', 'batch-delete-image', '--repository-name', repo, '--image-ids', 'imageTag=v1'])) as { imageIds: unknown[]; failures: unknown[] };
    assert.deepEqual(deleted.failures, []);
    const report = JSON.parse(await berthCli('gc', '--grace-period', '0', '--json')) as { blobsDeleted: number; bytesFreed: number };
    t.diagnostic(`freed ${report.blobsDeleted} blobs, ${report.bytesFreed} bytes`);
    assert.equal(report.blobsDeleted, pushed.length - before);
    assert.equal(storedBlobs(registry.dataDir).length, before);
    assert.deepEqual(JSON.parse(await berthCli('fsck', '--json')).problems, []);

    // docker asks the registry which layers it has, so it uploads them again.
    assert.equal(pushedDigest(await docker.ok(['push', ref])), digest);
    await docker.ok(['rmi', ref]);
    await docker.ok(['pull', ref]);
    assert.deepEqual(JSON.parse(await berthCli('fsck', '--json')).problems, []);
  });
});
