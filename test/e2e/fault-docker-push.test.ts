/**
 * A real client across a crash: the server is killed with SIGKILL while `docker push` uploads a
 * large layer and restarted at once on the same port and data dir. dockerd retries failed layer
 * uploads by itself; the push must end up complete (by that retry, or by pushing again), and the
 * image pulled back must be the one built, alongside an image committed before the crash. docker
 * logs in once, before the crash, and keeps using that password after the restart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerWorks, removeDir, sleep, tempDir, within } from '../support/tools.js';
import { skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest, writeBuildContext } from './local-images.js';
import { MANIFEST_ACCEPT } from './oci.js';

const skip = skipReason('docker') ?? (dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');
const LAYER_MIB = 96;

describe('kill -9 during docker push', { skip }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let docker: DockerCli;
  const id = randomBytes(4).toString('hex');
  const toRemove: string[] = [];

  before(async () => {
    work = tempDir('fault-docker');
    registry = await startRegistry();
    docker = new DockerCli(path.join(work, 'docker-config'));
    await docker.login(registry);
  });

  after(async () => {
    if (toRemove.length) await docker?.run(['rmi', '-f', ...toRemove]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it(`the push completes after a restart and both images pull back intact (${LAYER_MIB} MiB layer)`, async (t) => {
    const repo = 'e2e/fault-docker';
    await registry.createRepository(repo);
    const ref = `${registry.host}/${repo}`;

    // Committed before the crash.
    const small = writeBuildContext(path.join(work, 'small'), `committed-${id}`);
    await docker.ok(['build', '-q', '-t', `${ref}:committed`, small.dir]);
    toRemove.push(`${ref}:committed`);
    const committedDigest = pushedDigest(await docker.ok(['push', `${ref}:committed`]));
    const committedId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:committed`])).trim();

    // A large random layer, so the push is still uploading when the server dies.
    const big = writeBuildContext(path.join(work, 'big'), `big-${id}`);
    writeFileSync(path.join(big.dir, 'big.bin'), randomBytes(LAYER_MIB * 1024 * 1024));
    writeFileSync(path.join(big.dir, 'Dockerfile'), `FROM ${ref}:committed\nCOPY big.bin /data/big.bin\n`);
    await docker.ok(['build', '-q', '-t', `${ref}:big`, big.dir]);
    toRemove.push(`${ref}:big`);
    const bigId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:big`])).trim();

    const push = spawn('docker', ['push', `${ref}:big`], { env: docker.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    push.stdout.on('data', (b: Buffer) => (output += b.toString()));
    push.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const pushExit = new Promise<number | null>((resolve) => push.on('close', (code) => resolve(code)));

    await sleep(1200);
    const finishedBeforeKill = (await within(pushExit, 0)) !== undefined;
    await registry.kill9();
    registry = await registry.restart();
    t.diagnostic(`killed -9 ${finishedBeforeKill ? 'after the push had already finished (weak run)' : 'mid-push'}; restarted as pid ${registry.pid}`);

    // dockerd retries the layer after 5 s; give it time, then push again if it gave up.
    const code = await within(pushExit, 120_000);
    if (code === undefined) push.kill('SIGTERM');
    t.diagnostic(`interrupted push ended with ${code ?? 'timeout'}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    const digest = code === 0 ? pushedDigest(output) : pushedDigest(await docker.ok(['push', `${ref}:big`]));

    const client = await registry.client();
    for (const [tag, expected] of [['committed', committedDigest], ['big', digest]] as const) {
      const head = await client.expect('HEAD', `/v2/${repo}/manifests/${tag}`, [200], { headers: { Accept: MANIFEST_ACCEPT } });
      assert.equal(head.header('docker-content-digest'), expected, `${tag} after the crash`);
    }

    await docker.ok(['rmi', '-f', bigId, committedId]);
    await docker.ok(['pull', `${ref}:committed`]);
    await docker.ok(['pull', `${ref}:big`]);
    assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:committed`])).trim(), committedId);
    assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:big`])).trim(), bigId);
    if (big.runnable) {
      const sum = await docker.ok(['run', '--rm', '--network', 'none', `${ref}:big`, '/bin/busybox', 'sha256sum', '/data/big.bin']);
      assert.equal(sum.split(/\s+/)[0], createHash('sha256').update(readFileSync(path.join(big.dir, 'big.bin'))).digest('hex'));
    }
  });
});
