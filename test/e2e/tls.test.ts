/**
 * The registry serving HTTPS with a certificate signed by a test CA: skopeo with certificate
 * verification on (and refused without the CA), docker with the CA under /etc/docker/certs.d.
 *
 * dockerd always treats 127.0.0.0/8 as an "insecure registry": it still talks HTTPS first (and a
 * TLS-only server answers nothing else), but does not verify the chain there. skopeo does verify,
 * which is what the negative check proves.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeRun, dockerWorks, removeDir, run, runOk, tempDir, which } from '../support/tools.js';
import { credsArgs, skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest, writeBuildContext } from './local-images.js';
import { MANIFEST_ACCEPT, makeImage, writeOciLayout, type OciClient } from './oci.js';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A folder holding only ca.crt, for --cert-dir style options. */
  certDir: string;
}

/** A CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
export async function makePki(dir: string): Promise<TestPki> {
  const p = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await runOk('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=Berth e2e test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await runOk('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(
    p('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await runOk('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.crt'), '-days', '2', '-extfile', p('server.ext')]);
  const certDir = p('certs');
  mkdirSync(certDir);
  copyFileSync(p('ca.crt'), path.join(certDir, 'ca.crt'));
  return { dir, caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), certDir };
}

describe('TLS with a test CA', { skip: skipReason('openssl') }, () => {
  let work: string;
  let pki: TestPki;
  let registry: RegistryUnderTest;
  let client: OciClient;
  let dockerCertsDir: string | undefined;
  let docker: DockerCli | undefined;
  const id = randomBytes(4).toString('hex');
  const localTag = `berth-e2e/tls-app:${id}`;
  const toRemove: string[] = [];

  before(async () => {
    work = tempDir('tls');
    pki = await makePki(work);
    const ca = readFileSync(pki.caCert, 'utf8');
    registry = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey, ca } });
    client = await registry.client();
    assert.ok(registry.url.startsWith('https://'));
  });

  after(async () => {
    if (dockerCertsDir) rmSync(dockerCertsDir, { recursive: true, force: true });
    if (toRemove.length) await docker?.run(['rmi', '-f', ...toRemove]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('answers GET /v2/ over HTTPS with the test CA trusted, and the aws CLI gets a login there', async () => {
    const res = await client.request('GET', '/v2/');
    assert.equal(res.status, 200, `GET /v2/ over TLS, logged in -> ${res.status}`);
  });

  it('skopeo copies into the registry with --dest-cert-dir and TLS verification on', async (t) => {
    if (!which('skopeo')) return t.skip('skopeo is not installed');
    const repo = 'e2e/tls-skopeo';
    await registry.createRepository(repo);
    const image = makeImage({ architecture: 'amd64', files: [{ name: 'tls.txt', content: `tls ${id}\n` }] });
    const layout = path.join(work, 'layout');
    writeOciLayout(layout, image.blobs, [{ name: 'v1', blob: image.manifest }]);
    const dest = `docker://${registry.host}/${repo}:v1`;
    const destCreds = await credsArgs(registry, '--dest-creds');

    const unverified = await run('skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=true', ...destCreds, `oci:${layout}:v1`, dest]);
    assert.notEqual(unverified.code, 0, 'a copy without the CA must fail certificate verification');
    assert.match(unverified.stderr, /x509|certificate/i, describeRun(unverified));

    await runOk('skopeo', ['copy', '--insecure-policy', '--preserve-digests', '--dest-tls-verify=true', '--dest-cert-dir', pki.certDir, ...destCreds, `oci:${layout}:v1`, dest]);
    const inspected = await runOk('skopeo', ['inspect', '--raw', '--tls-verify=true', '--cert-dir', pki.certDir, ...(await credsArgs(registry, '--creds')), dest]);
    assert.equal(inspected.stdout, image.manifest.data.toString('utf8'), 'manifest bytes served back unchanged');
    const head = await client.request('HEAD', `/v2/${repo}/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(head.header('docker-content-digest'), image.manifest.descriptor.digest);
  });

  it('docker pushes and pulls over TLS with the CA in /etc/docker/certs.d', async (t) => {
    if (!dockerWorks()) return t.skip('docker daemon not reachable');
    if (process.getuid?.() !== 0) return t.skip('needs root to write /etc/docker/certs.d');
    dockerCertsDir = path.join('/etc/docker/certs.d', registry.host);
    mkdirSync(dockerCertsDir, { recursive: true });
    copyFileSync(pki.caCert, path.join(dockerCertsDir, 'ca.crt'));
    docker = new DockerCli(path.join(work, 'docker-config'));
    await docker.login(registry);

    const repo = 'e2e/tls-docker';
    await registry.createRepository(repo);
    const context = writeBuildContext(path.join(work, 'ctx'), `tls-${id}`);
    await docker.ok(['build', '-q', '-t', localTag, context.dir]);
    toRemove.push(localTag);
    const ref = `${registry.host}/${repo}:v1`;
    await docker.ok(['tag', localTag, ref]);
    toRemove.push(ref);
    const digest = pushedDigest(await docker.ok(['push', ref]));
    const imageId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', localTag])).trim();
    await docker.ok(['rmi', '-f', imageId]);
    await docker.ok(['pull', ref]);
    assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', ref])).trim(), imageId);
    const head = await client.request('HEAD', `/v2/${repo}/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(head.header('docker-content-digest'), digest);
    if (context.runnable) assert.equal(await docker.ok(['run', '--rm', '--network', 'none', ref]), context.files['/data/one.txt']);
  });
});
