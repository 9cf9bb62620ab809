/**
 * podman and buildah (root, vfs storage in a temp dir) pushing to and pulling from the registry
 * over plain HTTP on loopback (--tls-verify=false). This server runs with --create-on-push, so the
 * repositories here are never created by hand; pushing still takes an authorised caller: podman logs
 * in with `podman login` (into an auth file of its own), buildah pushes with --creds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeDir, runOk, tempDir, which } from '../support/tools.js';
import { credsArgs, skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { writeBuildContext } from './local-images.js';
import { MANIFEST_ACCEPT, MT, type OciClient } from './oci.js';

function storageFlags(dir: string): string[] {
  return ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs'];
}

describe('podman and buildah', { skip: skipReason('podman') }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let client: OciClient;
  const id = randomBytes(4).toString('hex');

  const authFile = () => path.join(work, 'podman-auth.json');
  const podman = (args: readonly string[], input?: string) =>
    runOk('podman', [...storageFlags(path.join(work, 'podman')), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...args], {
      // Logins go to this file, not the machine's ${XDG_RUNTIME_DIR}/containers/auth.json.
      env: { ...process.env, REGISTRY_AUTH_FILE: authFile() },
      input,
      timeoutMs: 180_000,
    });
  const buildah = (args: readonly string[]) => runOk('buildah', [...storageFlags(path.join(work, 'buildah')), ...args], { timeoutMs: 180_000 });

  before(async () => {
    work = tempDir('podman');
    // podman refuses a REGISTRY_AUTH_FILE that does not exist, as it would be with no login (an open registry).
    writeFileSync(authFile(), JSON.stringify({ auths: {} }));
    registry = await startRegistry({ createOnPush: true });
    client = await registry.client();
    const login = await registry.login();
    if (login) await podman(['login', '--tls-verify=false', '--username', login.username, '--password-stdin', registry.host], login.password);
  });

  after(async () => {
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  async function servedDigest(repo: string, tag: string): Promise<{ digest: string | undefined; mediaType: string | undefined }> {
    const res = await client.expect('GET', `/v2/${repo}/manifests/${tag}`, [200], { headers: { Accept: MANIFEST_ACCEPT } });
    return { digest: res.header('docker-content-digest'), mediaType: res.header('content-type') };
  }

  it('podman pushes (OCI and Docker formats) to a repository created on push, and pulls it back', async () => {
    const context = writeBuildContext(path.join(work, 'ctx'), `podman-${id}`);
    const local = `localhost/berth-e2e-podman:${id}`;
    await podman(['build', '-q', '-t', local, '-f', path.join(context.dir, 'Dockerfile'), context.dir]);
    const imageId = (await podman(['image', 'inspect', '--format', '{{.Id}}', local])).stdout.trim();

    const repo = `e2e/podman-${id}`;
    const ref = `${registry.host}/${repo}`;
    const pushed: Record<string, string> = {};
    for (const [tag, format, mediaType] of [['oci', 'oci', MT.ociManifest], ['docker', 'v2s2', MT.dockerManifest]] as const) {
      const digestFile = path.join(work, `digest-${tag}`);
      await podman(['push', '--tls-verify=false', '--format', format, '--digestfile', digestFile, local, `docker://${ref}:${tag}`]);
      pushed[tag] = readFileSync(digestFile, 'utf8').trim();
      const served = await servedDigest(repo, tag);
      assert.equal(served.digest, pushed[tag], `${tag}: served digest`);
      assert.equal(served.mediaType, mediaType, `${tag}: served media type`);
    }
    assert.notEqual(pushed.oci, pushed.docker, 'the two formats are different manifests');

    await podman(['rmi', '-f', local]);
    for (const tag of ['oci', 'docker']) {
      await podman(['pull', '-q', '--tls-verify=false', `${ref}:${tag}`]);
      const inspected = JSON.parse((await podman(['image', 'inspect', `${ref}:${tag}`])).stdout) as Array<{ Id: string; RepoDigests: string[] }>;
      assert.equal(inspected[0]?.Id, imageId, `${tag}: pulled image has the built image's id`);
      // Both tags are one local image, so its RepoDigests list both manifests.
      assert.ok(inspected[0]?.RepoDigests.includes(`${ref}@${pushed[tag]}`), `${tag}: RepoDigests ${JSON.stringify(inspected[0]?.RepoDigests)} lacks ${pushed[tag]}`);
    }
  });

  it('buildah builds from scratch and pushes', async (t) => {
    if (!which('buildah')) return t.skip('buildah is not installed');
    const file = path.join(work, 'buildah.txt');
    const content = `buildah ${id}\n`;
    writeFileSync(file, content);
    const container = (await buildah(['from', 'scratch'])).stdout.trim();
    await buildah(['copy', container, file, '/data/buildah.txt']);
    await buildah(['config', '--cmd', '/nothing', '--label', `berth.e2e=${id}`, container]);
    const local = `localhost/berth-e2e-buildah:${id}`;
    await buildah(['commit', '-q', container, local]);
    const repo = `e2e/buildah-${id}`;
    const digestFile = path.join(work, 'digest-buildah');
    await buildah(['push', '--tls-verify=false', ...(await credsArgs(registry, '--creds')), '--digestfile', digestFile, local, `docker://${registry.host}/${repo}:v1`]);
    const digest = readFileSync(digestFile, 'utf8').trim();
    assert.equal((await servedDigest(repo, 'v1')).digest, digest);
    const manifest = (await client.expect('GET', `/v2/${repo}/manifests/${digest}`, [200], { headers: { Accept: MANIFEST_ACCEPT } })).json<{
      layers: Array<{ digest: string; size: number }>;
    }>();
    for (const layer of manifest.layers) {
      const head = await client.expect('HEAD', `/v2/${repo}/blobs/${layer.digest}`, [200]);
      assert.equal(Number(head.header('content-length')), layer.size);
    }
  });
});
