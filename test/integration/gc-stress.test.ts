/**
 * Garbage collection under load: concurrent pushes of images that share layers, deletes,
 * lifecycle runs and collection passes (the server's own and `berth gc` beside it) for a bounded
 * time, with the real server killed (-9) and restarted in the middle. Afterwards every surviving
 * image is complete and byte-identical, `berth fsck` finds nothing wrong, and once the grace period
 * has passed the store holds exactly the blobs the surviving manifests reference.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ecrCall, registryAuthorization } from '../support/aws-request.js';
import { type BerthProcess, berthCommand, berthUnavailableReason, startBerth } from '../support/berth-process.js';
import { OCI_MANIFEST, OciClient } from '../support/oci-client.js';
import { createPostgresDatabase, postgresUnavailable } from '../support/postgres.js';
import { run, sleep } from '../support/tools.js';

const RUN_MS = 16_000;
const GRACE_SECONDS = 2;
const REPOSITORIES = ['stress/a', 'stress/b'];
const LIFECYCLE_REPOSITORY = 'stress/lifecycle';
const KEEP_NEWEST_TWO = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
});

const sha256 = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const SHARED_LAYERS = Array.from({ length: 8 }, () => randomBytes(32 * 1024));

interface PushedImage {
  repository: string;
  digest: string;
  manifest: Buffer;
  blobs: string[];
}

/** The repository's images as the registry has them: manifest digest -> the blob digests it references. */
async function imagesOf(berth: BerthProcess, oci: OciClient, repository: string): Promise<Map<string, string[]>> {
  const images = new Map<string, string[]>();
  let nextToken: string | undefined;
  do {
    const { status, body } = await ecrCall(berth.url, berth.admin, 'us-east-1', 'ListImages', { repositoryName: repository, ...(nextToken && { nextToken }) });
    assert.equal(status, 200, JSON.stringify(body));
    for (const { imageDigest } of body.imageIds as { imageDigest: string }[]) {
      const res = await oci.request('GET', `/v2/${repository}/manifests/${imageDigest}`, { headers: { accept: OCI_MANIFEST } });
      assert.equal(res.status, 200, `${repository}@${imageDigest}`);
      const manifest = (await res.json()) as { config: { digest: string }; layers: { digest: string }[] };
      images.set(imageDigest, [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]);
    }
    nextToken = body.nextToken as string | undefined;
  } while (nextToken);
  return images;
}

function blobsOnDisk(dataDir: string): Set<string> {
  const root = join(dataDir, 'storage', 'blobs', 'sha256');
  const found = new Set<string>();
  for (const prefix of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of readdirSync(join(root, prefix.name))) found.add(`sha256:${file}`);
  }
  return found;
}

const pgUnavailable = await postgresUnavailable();

for (const store of ['sqlite', 'postgres'] as const) {
  const skip = berthUnavailableReason() ?? (store === 'postgres' ? pgUnavailable : undefined);
  describe(`garbage collection under load with a kill -9 (${store})`, { ...(skip && { skip }) }, () => {
    it('leaves every surviving image whole and no unreferenced blob after the grace period', { timeout: 240_000 }, async (t) => {
      const database = store === 'postgres' ? await createPostgresDatabase() : undefined;
      let berth = await startBerth({
        ...(database && { databaseUrl: database.url }),
        logLevel: 'warn',
        env: { BERTH_GC_GRACE_PERIOD: String(GRACE_SECONDS), BERTH_GC_INTERVAL: '1', BERTH_LIFECYCLE_INTERVAL: '1' },
      });
      const storeFlags = ['--data-dir', berth.dataDir, ...(database ? ['--database-url', database.url] : [])];
      const berthCli = (...args: string[]) => {
        const command = berthCommand()!;
        return run(command.cmd, [...command.args, ...args, ...storeFlags]);
      };
      try {
        const oci = new OciClient(berth.url, await registryAuthorization(berth.url, berth.admin, 'us-east-1'));
        for (const repositoryName of [...REPOSITORIES, LIFECYCLE_REPOSITORY]) {
          assert.equal((await ecrCall(berth.url, berth.admin, 'us-east-1', 'CreateRepository', { repositoryName })).status, 200);
        }
        assert.equal((await ecrCall(berth.url, berth.admin, 'us-east-1', 'PutLifecyclePolicy', { repositoryName: LIFECYCLE_REPOSITORY, lifecyclePolicyText: KEEP_NEWEST_TWO })).status, 200);

        const alive = new Map<string, PushedImage>();
        const deadline = Date.now() + RUN_MS;
        let serial = 0;
        let pushes = 0;
        let deletes = 0;

        const pushOne = async (repository: string): Promise<PushedImage> => {
          const n = serial++;
          const layers = [SHARED_LAYERS[n % 8]!, SHARED_LAYERS[(n * 3 + 1) % 8]!, randomBytes(8 * 1024)];
          const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n }));
          const descriptors = [];
          for (const [i, data] of [config, ...layers].entries()) {
            const pushed = await oci.pushBlob(repository, data, i === 0 ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.oci.image.layer.v1.tar+gzip');
            descriptors.push(pushed);
          }
          const { digest, bytes } = await oci.pushManifest(repository, `t${n}`, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptors[0], layers: descriptors.slice(1) });
          return { repository, digest, manifest: bytes, blobs: descriptors.map((d) => d.digest) };
        };

        const pusher = async (worker: number) => {
          while (Date.now() < deadline) {
            const repository = worker === 0 ? LIFECYCLE_REPOSITORY : REPOSITORIES[serial % REPOSITORIES.length]!;
            try {
              const image = await pushOne(repository);
              pushes++;
              if (repository !== LIFECYCLE_REPOSITORY) alive.set(image.digest, image);
            } catch {
              await sleep(100); // the server is down, or a blob went between HEAD and manifest: push another
            }
          }
        };

        const deleter = async () => {
          while (Date.now() < deadline) {
            await sleep(30);
            const victim = [...alive.values()][Math.floor(Math.random() * alive.size)];
            if (!victim || Math.random() < 0.4) continue;
            // Whatever happens to the request, the image is no longer one the test may expect.
            alive.delete(victim.digest);
            try {
              const res = await oci.request('DELETE', `/v2/${victim.repository}/manifests/${victim.digest}`);
              if (res.status === 202) deletes++;
            } catch {
              await sleep(100);
            }
          }
        };

        const collector = async () => {
          while (Date.now() < deadline) {
            const result = await berthCli('gc');
            assert.equal(result.code, 0, result.stderr);
            await sleep(500);
          }
        };

        const killer = async () => {
          await sleep(RUN_MS / 2);
          await berth.kill9();
          berth = await berth.restart();
        };

        await Promise.all([pusher(0), pusher(1), pusher(2), pusher(3), deleter(), collector(), killer()]);
        assert.ok(pushes > 50 && deletes > 10, `the load ran: ${pushes} pushes, ${deletes} deletes`);
        t.diagnostic(`${pushes} pushes, ${deletes} deletes, ${alive.size} images expected to survive`);

        // Every image the test still expects is there, byte for byte.
        for (const image of alive.values()) {
          const res = await oci.request('GET', `/v2/${image.repository}/manifests/${image.digest}`);
          assert.equal(res.status, 200, `${image.repository}@${image.digest}`);
          assert.ok(Buffer.from(await res.arrayBuffer()).equals(image.manifest));
          for (const digest of image.blobs) {
            const blob = await oci.request('GET', `/v2/${image.repository}/blobs/${digest}`);
            assert.equal(blob.status, 200, `${image.repository} blob ${digest}`);
            assert.equal(sha256(new Uint8Array(await blob.arrayBuffer())), digest);
          }
        }
        const lifecycleImages = await imagesOf(berth, oci, LIFECYCLE_REPOSITORY);
        assert.ok(lifecycleImages.size <= 3, `lifecycle keeps about two images, found ${lifecycleImages.size}`);

        const fsck = await berthCli('fsck', '--json');
        assert.equal(fsck.code, 0, fsck.stdout + fsck.stderr);
        assert.deepEqual(JSON.parse(fsck.stdout).problems, []);

        // After the grace period (and any lease the killed server held), nothing unreferenced is left.
        const referenced = new Set<string>();
        for (const repository of [...REPOSITORIES, LIFECYCLE_REPOSITORY]) {
          for (const blobs of (await imagesOf(berth, oci, repository)).values()) for (const digest of blobs) referenced.add(digest);
        }
        let onDisk = blobsOnDisk(berth.dataDir);
        for (const started = Date.now(); Date.now() - started < 40_000 && onDisk.size !== referenced.size; onDisk = blobsOnDisk(berth.dataDir)) {
          await sleep(GRACE_SECONDS * 1000 + 500);
          const result = await berthCli('gc');
          assert.equal(result.code, 0, result.stderr);
        }
        assert.deepEqual([...onDisk].sort(), [...referenced].sort());
        t.diagnostic(`${referenced.size} blobs referenced and stored`);
      } catch (err) {
        process.stderr.write(berth.logTail(80));
        throw err;
      } finally {
        await berth.cleanup();
        await database?.drop();
      }
    });
  });
}
