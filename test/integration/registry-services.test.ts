/**
 * The registry core's ECR capabilities, called directly as the ECR handlers call them: on a real
 * metadata store (SQLite, and PostgreSQL when available) and an fs object store in a temp dir.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';
import { DomainError, type ErrorCode, isDomainError } from '../../src/domain/errors.js';
import { Digest } from '../../src/domain/model/digest.js';
import type { RepositorySettings } from '../../src/domain/model/repository-settings.js';
import { matchesWildcard } from '../../src/domain/model/wildcard.js';
import type { RepositoryRecord } from '../../src/domain/ports/metadata-store.js';
import { PullRecorder } from '../../src/domain/registry/pull-recorder.js';
import { Registry } from '../../src/domain/registry/registry.js';
import { CORE_REGISTRY_ID as REGISTRY_ID, type CoreFixture, openCoreFixture } from '../support/core-fixture.js';
import { postgresUnavailable } from '../support/postgres.js';
import { TestClock } from '../support/test-clock.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (text: string | Uint8Array): string => Digest.of(typeof text === 'string' ? encode(text) : text).toString();


async function* bytesOf(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Rejects with a DomainError of `code` whose message (when given) is exactly `message` or matches it. */
async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: string | RegExp): Promise<DomainError> {
  let caught: unknown;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(isDomainError(caught, code), `expected ${code}, got ${String(caught)}`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  return caught;
}

const pgUnavailable = await postgresUnavailable();

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`registry services (${store})`, { ...(store === 'postgres' && pgUnavailable && { skip: pgUnavailable }) }, () => {
    let fixture: CoreFixture;
    let registry: Registry;
    beforeEach(async () => {
      fixture = await openCoreFixture(store);
      registry = fixture.registry;
    });
    afterEach(() => fixture.close());

    const blob = async (repository: RepositoryRecord, content: string) => {
      const data = encode(content);
      return registry.blobs.ingest(repository.id, Digest.parse(sha256(data)), bytesOf(data));
    };

    /** An OCI image manifest over a config and a layer made from `seed`, with its blobs pushed first. */
    const image = async (repository: RepositoryRecord, seed: string) => {
      const config = await blob(repository, `{"config":"${seed}"}`);
      const layer = await blob(repository, `layer bytes of ${seed}`.repeat(3));
      const text = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
      });
      return { text, digest: sha256(text), size: config.size + layer.size };
    };

    /** Pushes `text` over the OCI path, by tag or by digest. */
    const push = (repository: RepositoryRecord, text: string, tag?: string) =>
      registry.manifests.put(repository, tag ? { kind: 'tag', tag } : { kind: 'digest', digest: Digest.parse(sha256(text)) }, undefined, encode(text));

    const pushImage = async (repository: RepositoryRecord, seed: string, tag?: string) => {
      const built = await image(repository, seed);
      await push(repository, built.text, tag);
      return built;
    };

    const index = (...children: { text: string; digest: string }[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: children.map((c) => ({ mediaType: OCI_MANIFEST, digest: c.digest, size: encode(c.text).byteLength })),
      });

    describe('repositories', () => {
      it('creates with settings and tags, and describes by name or page by page', async () => {
        const created = await registry.repositories.create('team/app', {
          imageTagMutability: 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/berth' },
          tags: [{ Key: 'team', Value: 'core' }],
        });
        assert.deepEqual(created.settings, {
          imageTagMutability: 'IMMUTABLE',
          imageTagMutabilityExclusionFilters: [],
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/berth' },
        } satisfies RepositorySettings);
        assert.deepEqual(await registry.repositories.listTagsForResource('team/app'), [{ Key: 'team', Value: 'core' }]);
        for (const name of ['cc', 'aa', 'bb/xx', 'bb']) await registry.repositories.create(name);

        const named = await registry.repositories.describe({ repositoryNames: ['bb', 'team/app', 'bb'] });
        assert.deepEqual(
          named.repositories.map((r) => r.name),
          ['bb', 'team/app'],
        );
        const seen: string[] = [];
        let page = await registry.repositories.describe({ maxResults: 2 });
        for (;;) {
          assert.ok(page.repositories.length <= 2);
          seen.push(...page.repositories.map((r) => r.name));
          if (page.nextToken === undefined) break;
          page = await registry.repositories.describe({ maxResults: 2, nextToken: page.nextToken });
        }
        assert.deepEqual(seen, ['aa', 'bb', 'bb/xx', 'cc', 'team/app']);

        await rejectsWith(
          registry.repositories.describe({ repositoryNames: ['aa', 'nope'] }),
          'NAME_UNKNOWN',
          `The repository with name 'nope' does not exist in the registry with id '${REGISTRY_ID}'`,
        );
        await rejectsWith(registry.repositories.describe({ repositoryNames: ['aa'], maxResults: 5 }), 'INVALID_PARAMETER');
        await rejectsWith(registry.repositories.describe({ nextToken: 'garbage' }), 'INVALID_PARAMETER', /nextToken/);
        await rejectsWith(registry.repositories.describe({ maxResults: 1001 }), 'INVALID_PARAMETER', /maxResults/);
        await rejectsWith(
          registry.repositories.create('aa'),
          'REPOSITORY_ALREADY_EXISTS',
          `The repository with name 'aa' already exists in the registry with id '${REGISTRY_ID}'`,
        );
      });

      it('validates settings: exclusion filters only with, and required by, the *_WITH_EXCLUSION modes', async () => {
        const dev = [{ filterType: 'WILDCARD' as const, filter: 'dev-*' }];
        await rejectsWith(registry.repositories.create('repo', { imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: dev }), 'INVALID_PARAMETER');
        await rejectsWith(registry.repositories.create('repo', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }), 'INVALID_PARAMETER', /can't be null/);
        await rejectsWith(registry.repositories.create('repo', { imageTagMutability: 'SOMETIMES' }), 'INVALID_PARAMETER', /imageTagMutability/);
        await rejectsWith(registry.repositories.create('repo', { encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'k' } }), 'INVALID_PARAMETER');
        await registry.repositories.create('repo');
        const tooMany = Array.from({ length: 6 }, (_, i) => ({ filterType: 'WILDCARD' as const, filter: `f${i}*` }));
        await rejectsWith(registry.repositories.putImageTagMutability('repo', 'MUTABLE_WITH_EXCLUSION', tooMany), 'INVALID_PARAMETER', /less than or equal to 5/);
        for (const filter of ['', 'a/b', 'x'.repeat(129), 'tag?']) {
          await rejectsWith(registry.repositories.putImageTagMutability('repo', 'MUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter }]), 'INVALID_PARAMETER', /pattern/);
        }
        await rejectsWith(
          registry.repositories.putImageTagMutability('repo', 'MUTABLE_WITH_EXCLUSION', [{ filterType: 'REGEX' as 'WILDCARD', filter: 'x' }]),
          'INVALID_PARAMETER',
          /WILDCARD/,
        );

        const updated = await registry.repositories.putImageTagMutability('repo', 'MUTABLE_WITH_EXCLUSION', tooMany.slice(0, 5));
        assert.equal(updated.settings.imageTagMutability, 'MUTABLE_WITH_EXCLUSION');
        assert.equal(updated.settings.imageTagMutabilityExclusionFilters.length, 5);
        const scanned = await registry.repositories.putImageScanningConfiguration('repo', { scanOnPush: true });
        assert.deepEqual(scanned.settings.imageTagMutabilityExclusionFilters, updated.settings.imageTagMutabilityExclusionFilters);
        assert.deepEqual(await registry.repositories.get('repo'), scanned);
        // Back to a plain mode: the filters go.
        assert.deepEqual((await registry.repositories.putImageTagMutability('repo', 'IMMUTABLE')).settings.imageTagMutabilityExclusionFilters, []);
        await rejectsWith(registry.repositories.putImageScanningConfiguration('absent', { scanOnPush: true }), 'NAME_UNKNOWN', /'absent' does not exist/);
      });

      it('validates resource tags and keeps at most 50', async () => {
        const repo = 'tagged';
        await registry.repositories.create(repo);
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'aws:owner', Value: 'x' }]), 'RESOURCE_TAG_INVALID', /reserved/);
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'AWS:owner', Value: 'x' }]), 'RESOURCE_TAG_INVALID', /reserved/);
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'k'.repeat(129), Value: 'x' }]), 'RESOURCE_TAG_INVALID', /maximum character length of 128/);
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: '', Value: 'x' }]), 'RESOURCE_TAG_INVALID');
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'k', Value: 'v'.repeat(257) }]), 'RESOURCE_TAG_INVALID', /256/);
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'k', Value: 'semi;colon' }]), 'RESOURCE_TAG_INVALID');
        await rejectsWith(registry.repositories.tagResource(repo, [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }]), 'RESOURCE_TAG_INVALID', /Duplicate/);
        // 128 characters (some outside the BMP), a 256-character value, spaces and the allowed punctuation.
        await registry.repositories.tagResource(repo, [
          { Key: '𝒦'.repeat(128), Value: 'v'.repeat(256) },
          { Key: 'cost center', Value: 'a_b.c:d/e=f+g-h@i' },
        ]);

        const many = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: `${i}` }));
        await registry.repositories.tagResource(repo, many);
        // Overwriting keys does not count twice.
        await registry.repositories.tagResource(repo, [{ Key: 'k0', Value: 'changed' }]);
        await rejectsWith(
          registry.repositories.tagResource(repo, [{ Key: 'one-too-many', Value: '' }]),
          'TOO_MANY_TAGS',
          'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.',
        );
        const tags = await registry.repositories.listTagsForResource(repo);
        assert.equal(tags.length, 50);
        assert.deepEqual(
          tags.find((t) => t.Key === 'k0'),
          { Key: 'k0', Value: 'changed' },
        );
        await registry.repositories.untagResource(repo, ['k0', 'k1', 'never-there']);
        assert.equal((await registry.repositories.listTagsForResource(repo)).length, 48);
        await rejectsWith(registry.repositories.untagResource(repo, ['aws:x']), 'RESOURCE_TAG_INVALID');
        await rejectsWith(registry.repositories.create('fresh', { tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })) }), 'TOO_MANY_TAGS');
        assert.equal(await fixture.metadata.getRepository('fresh'), undefined);
      });

      it('deletes an empty repository, refuses one with images unless forced, and takes everything with it', async () => {
        const empty = await registry.repositories.create('empty');
        assert.deepEqual(await registry.repositories.delete('empty'), empty);
        await rejectsWith(registry.repositories.get('empty'), 'NAME_UNKNOWN');

        const full = await registry.repositories.create('full', { tags: [{ Key: 'k', Value: 'v' }] });
        await pushImage(full, 'one', 'v1');
        await registry.repositoryDocuments.put('full', 'policy', '{"Version":"2012-10-17","Statement":[]}');
        await rejectsWith(
          registry.repositories.delete('full'),
          'REPOSITORY_NOT_EMPTY',
          `The repository with name 'full' in registry with id '${REGISTRY_ID}' cannot be deleted because it still contains images`,
        );
        assert.ok(await registry.repositories.get('full'));
        await registry.repositories.delete('full', { force: true });
        await rejectsWith(registry.repositories.delete('full', { force: true }), 'NAME_UNKNOWN');
        await registry.repositories.create('full');
        assert.deepEqual(await registry.repositories.listTagsForResource('full'), []);
        await rejectsWith(registry.repositoryDocuments.get('full', 'policy'), 'REPOSITORY_POLICY_NOT_FOUND');
        assert.deepEqual((await registry.images.listImageIds('full')).imageIds, []);
      });

      it('stores a repository policy and a lifecycle policy as text', async () => {
        await registry.repositories.create('docs');
        await rejectsWith(
          registry.repositoryDocuments.get('docs', 'policy'),
          'REPOSITORY_POLICY_NOT_FOUND',
          `Repository policy does not exist for the repository with name 'docs' in the registry with id '${REGISTRY_ID}'`,
        );
        await rejectsWith(
          registry.repositoryDocuments.delete('docs', 'lifecycle-policy'),
          'LIFECYCLE_POLICY_NOT_FOUND',
          `Lifecycle policy does not exist for the repository with name 'docs' in the registry with id '${REGISTRY_ID}'`,
        );
        const text = '{ "Version": "2012-10-17",\n  "Statement": [] }';
        const put = await registry.repositoryDocuments.put('docs', 'policy', text);
        assert.deepEqual(put, { repositoryName: 'docs', text, updatedAt: fixture.clock.now() });
        await registry.repositoryDocuments.put('docs', 'lifecycle-policy', '{"rules":[]}');
        assert.equal((await registry.repositoryDocuments.get('docs', 'policy')).text, text);
        assert.equal((await registry.repositoryDocuments.delete('docs', 'policy')).text, text);
        await rejectsWith(registry.repositoryDocuments.get('docs', 'policy'), 'REPOSITORY_POLICY_NOT_FOUND');
        assert.equal((await registry.repositoryDocuments.get('docs', 'lifecycle-policy')).text, '{"rules":[]}');
        await rejectsWith(registry.repositoryDocuments.put('absent', 'policy', text), 'NAME_UNKNOWN');
      });
    });

    describe('creation templates', () => {
      it('creates, describes page by page, updates and deletes templates', async () => {
        const created = await registry.creationTemplates.create('prod', {
          description: 'production',
          appliedFor: ['CREATE_ON_PUSH', 'REPLICATION', 'CREATE_ON_PUSH'],
          resourceTags: [{ Key: 'env', Value: 'prod' }],
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
          customRoleArn: `arn:aws:iam::${REGISTRY_ID}:role/ecr-templates`,
        });
        assert.deepEqual(created, {
          prefix: 'prod',
          description: 'production',
          encryptionConfiguration: { encryptionType: 'AES256' },
          resourceTags: [{ Key: 'env', Value: 'prod' }],
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
          appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
          customRoleArn: `arn:aws:iam::${REGISTRY_ID}:role/ecr-templates`,
          createdAt: fixture.clock.now(),
          updatedAt: fixture.clock.now(),
        });
        for (const prefix of ['ROOT', 'a/b/', 'prod/team']) await registry.creationTemplates.create(prefix, { appliedFor: ['PULL_THROUGH_CACHE'] });
        await rejectsWith(registry.creationTemplates.create('prod', { appliedFor: ['REPLICATION'] }), 'TEMPLATE_ALREADY_EXISTS');
        await rejectsWith(registry.creationTemplates.create('Bad Prefix', { appliedFor: ['REPLICATION'] }), 'INVALID_PARAMETER', /prefix/);
        await rejectsWith(registry.creationTemplates.create('x', { appliedFor: [] }), 'INVALID_PARAMETER', /appliedFor/);
        await rejectsWith(registry.creationTemplates.create('x', { appliedFor: ['SOMETIMES'] }), 'INVALID_PARAMETER', /appliedFor/);
        await rejectsWith(registry.creationTemplates.create('x', { appliedFor: ['REPLICATION'], customRoleArn: 'not-an-arn' }), 'INVALID_PARAMETER', /customRoleArn/);
        await rejectsWith(registry.creationTemplates.create('x', { appliedFor: ['REPLICATION'], description: 'd'.repeat(257) }), 'INVALID_PARAMETER');
        await rejectsWith(registry.creationTemplates.create('x', { appliedFor: ['REPLICATION'], resourceTags: [{ Key: 'aws:x', Value: '' }] }), 'RESOURCE_TAG_INVALID');

        const prefixes: string[] = [];
        let page = await registry.creationTemplates.describe({ maxResults: 3 });
        prefixes.push(...page.templates.map((t) => t.prefix));
        assert.ok(page.nextToken);
        page = await registry.creationTemplates.describe({ maxResults: 3, nextToken: page.nextToken });
        prefixes.push(...page.templates.map((t) => t.prefix));
        assert.equal(page.nextToken, undefined);
        assert.deepEqual(prefixes, ['ROOT', 'a/b/', 'prod', 'prod/team']);
        assert.deepEqual(
          (await registry.creationTemplates.describe({ prefixes: ['prod/team', 'ROOT'] })).templates.map((t) => t.prefix),
          ['ROOT', 'prod/team'],
        );
        await rejectsWith(registry.creationTemplates.describe({ prefixes: ['prod', 'nope'] }), 'TEMPLATE_NOT_FOUND', /'nope'/);

        fixture.clock.advance(1000);
        const updated = await registry.creationTemplates.update('prod', { imageTagMutability: 'MUTABLE', lifecyclePolicy: '{"rules":[]}' });
        assert.equal(updated.description, 'production');
        assert.equal(updated.imageTagMutability, 'MUTABLE');
        assert.deepEqual(updated.imageTagMutabilityExclusionFilters, []);
        assert.equal(updated.lifecyclePolicy, '{"rules":[]}');
        assert.deepEqual(updated.appliedFor, ['CREATE_ON_PUSH', 'REPLICATION']);
        assert.deepEqual(updated.createdAt, created.createdAt);
        assert.deepEqual(updated.updatedAt, fixture.clock.now());
        assert.deepEqual((await registry.creationTemplates.describe({ prefixes: ['prod'] })).templates, [updated]);
        await rejectsWith(registry.creationTemplates.update('prod', { imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'x' }] }), 'INVALID_PARAMETER');
        await rejectsWith(registry.creationTemplates.update('nope', { description: 'x' }), 'TEMPLATE_NOT_FOUND');

        assert.deepEqual(await registry.creationTemplates.delete('prod'), updated);
        await rejectsWith(
          registry.creationTemplates.delete('prod'),
          'TEMPLATE_NOT_FOUND',
          `The repository creation template with prefix 'prod' does not exist in the registry with id '${REGISTRY_ID}'`,
        );
      });

      it('creates a missing repository on push from the longest matching CREATE_ON_PUSH template', async () => {
        const allow = { authorizeCreate: () => {} };
        await rejectsWith(registry.repositories.forPush('team/app', allow), 'NAME_UNKNOWN', /create it first/);
        await registry.creationTemplates.create('ROOT', { appliedFor: ['CREATE_ON_PUSH'], resourceTags: [{ Key: 'from', Value: 'root' }] });
        await registry.creationTemplates.create('team', {
          appliedFor: ['CREATE_ON_PUSH'],
          imageTagMutability: 'IMMUTABLE',
          encryptionConfiguration: { encryptionType: 'KMS' },
          resourceTags: [{ Key: 'from', Value: 'team' }],
          repositoryPolicy: '{"Statement":[]}',
          lifecyclePolicy: '{"rules":[]}',
        });
        // Longer, but not for create-on-push.
        await registry.creationTemplates.create('team/special', { appliedFor: ['PULL_THROUGH_CACHE'], resourceTags: [{ Key: 'from', Value: 'special' }] });

        const app = await registry.repositories.forPush('team/special/app', allow);
        assert.equal(app.settings.imageTagMutability, 'IMMUTABLE');
        assert.deepEqual(app.settings.encryptionConfiguration, { encryptionType: 'KMS' });
        assert.deepEqual(await registry.repositories.listTagsForResource('team/special/app'), [{ Key: 'from', Value: 'team' }]);
        assert.equal((await registry.repositoryDocuments.get('team/special/app', 'policy')).text, '{"Statement":[]}');
        assert.equal((await registry.repositoryDocuments.get('team/special/app', 'lifecycle-policy')).text, '{"rules":[]}');
        // Pushing again finds it.
        assert.deepEqual(await registry.repositories.forPush('team/special/app', { authorizeCreate: () => assert.fail('not asked again') }), app);

        // "team" covers "team/..." only: "teammate" falls to ROOT.
        const other = await registry.repositories.forPush('teammate', allow);
        assert.equal(other.settings.imageTagMutability, 'MUTABLE');
        assert.deepEqual(await registry.repositories.listTagsForResource('teammate'), [{ Key: 'from', Value: 'root' }]);
        await rejectsWith(registry.repositoryDocuments.get('teammate', 'policy'), 'REPOSITORY_POLICY_NOT_FOUND');

        // The caller's authorisation comes first.
        const denied = new DomainError('DENIED', 'not allowed to create');
        await assert.rejects(registry.repositories.forPush('team/denied', { authorizeCreate: () => Promise.reject(denied) }), (err) => err === denied);
        assert.equal(await fixture.metadata.getRepository('team/denied'), undefined);
      });

      it('creates on push without a template when the registry allows it, once under concurrency', async () => {
        await fixture.close();
        fixture = await openCoreFixture(store, { createOnPush: true });
        registry = fixture.registry;
        let asked = 0;
        const created = await Promise.all(
          Array.from({ length: 8 }, () =>
            registry.repositories.forPush('new/repo', {
              authorizeCreate: () => {
                asked++;
              },
            }),
          ),
        );
        assert.equal(new Set(created.map((r) => r.id)).size, 1);
        assert.ok(asked >= 1);
        assert.deepEqual(created[0]!.settings.imageTagMutability, 'MUTABLE');
        assert.deepEqual(await registry.repositories.list({}), ['new/repo']);
      });
    });

    describe('tag mutability', () => {
      it('refuses to move an immutable tag, and accepts the same digest again', async () => {
        const repository = await registry.repositories.create('locked', { imageTagMutability: 'IMMUTABLE' });
        const first = await pushImage(repository, 'first', 'v1');
        // The same manifest under the same tag again (docker retries): fine.
        await push(repository, first.text, 'v1');
        const second = await image(repository, 'second');
        await rejectsWith(
          push(repository, second.text, 'v1'),
          'TAG_IMMUTABLE',
          "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
        );
        assert.equal(await fixture.metadata.getTag(repository.id, 'v1'), first.digest);
        // The refused push left nothing behind, and a new tag is fine.
        assert.equal(await fixture.metadata.getManifest(repository.id, second.digest), undefined);
        await push(repository, second.text, 'v2');
        assert.equal(await fixture.metadata.getTag(repository.id, 'v2'), second.digest);
      });

      it('lets exactly one of concurrent pushes of one immutable tag win', async () => {
        const repository = await registry.repositories.create('race', { imageTagMutability: 'IMMUTABLE' });
        const candidates = await Promise.all(Array.from({ length: 8 }, (_, i) => image(repository, `candidate ${i}`)));
        const outcomes = await Promise.allSettled(candidates.map((c) => push(repository, c.text, 'release')));
        const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [candidates[i]!.digest] : []));
        assert.equal(won.length, 1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') assert.ok(isDomainError(outcome.reason, 'TAG_IMMUTABLE'));
        assert.equal(await fixture.metadata.getTag(repository.id, 'release'), won[0]);
        assert.deepEqual((await registry.images.listImageIds('race')).imageIds, [{ imageDigest: won[0]!, imageTag: 'release' }]);
      });

      it('applies exclusion filters: tags matching stay mutable, or become immutable', async () => {
        const filters = [
          { filterType: 'WILDCARD' as const, filter: 'dev-*' },
          { filterType: 'WILDCARD' as const, filter: '*-rc*' },
        ];
        const mostlyImmutable = await registry.repositories.create('mostly-immutable', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters });
        const mostlyMutable = await registry.repositories.create('mostly-mutable', { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters });
        const moves = async (repository: RepositoryRecord, tag: string): Promise<boolean> => {
          await pushImage(repository, `${tag} a`, tag);
          try {
            await pushImage(repository, `${tag} b`, tag);
            return true;
          } catch (err) {
            if (isDomainError(err, 'TAG_IMMUTABLE')) return false;
            throw err;
          }
        };
        const cases: [string, boolean][] = [
          ['dev-1', true],
          ['dev-', true],
          ['1.0-rc1', true],
          ['-rc', true],
          ['release', false],
          ['develop', false],
          ['1.0-rc', true],
          ['1.0rc1', false],
        ];
        for (const [tag, excluded] of cases) {
          assert.equal(await moves(mostlyImmutable, tag), excluded, `${tag} in IMMUTABLE_WITH_EXCLUSION`);
          assert.equal(await moves(mostlyMutable, tag), !excluded, `${tag} in MUTABLE_WITH_EXCLUSION`);
        }
      });

      it('follows a change of the setting', async () => {
        await registry.repositories.create('switch');
        const mutable = await registry.repositories.get('switch');
        await pushImage(mutable, 'a', 'latest');
        await pushImage(mutable, 'b', 'latest');
        const immutable = await registry.repositories.putImageTagMutability('switch', 'IMMUTABLE');
        await rejectsWith(pushImage(immutable, 'c', 'latest'), 'TAG_IMMUTABLE');
      });
    });

    describe('images', () => {
      it('lists image ids page by page, by tag status', async () => {
        const repository = await registry.repositories.create('list');
        const expected: { imageDigest: string; imageTag?: string }[] = [];
        for (let i = 0; i < 4; i++) {
          const pushed = await pushImage(repository, `image ${i}`, `t${i}`);
          expected.push({ imageDigest: pushed.digest, imageTag: `t${i}` });
          if (i % 2 === 0) {
            await push(repository, pushed.text, `extra${i}`);
            expected.push({ imageDigest: pushed.digest, imageTag: `extra${i}` });
          }
        }
        const untagged = await pushImage(repository, 'untagged');
        expected.push({ imageDigest: untagged.digest });
        expected.sort((a, b) => (a.imageDigest === b.imageDigest ? ((a.imageTag ?? '') < (b.imageTag ?? '') ? -1 : 1) : a.imageDigest < b.imageDigest ? -1 : 1));

        const seen = [];
        let page = await registry.images.listImageIds('list', { maxResults: 2 });
        for (;;) {
          assert.ok(page.imageIds.length <= 2);
          seen.push(...page.imageIds);
          if (!page.nextToken) break;
          page = await registry.images.listImageIds('list', { maxResults: 2, nextToken: page.nextToken });
        }
        assert.deepEqual(seen, expected);
        assert.deepEqual((await registry.images.listImageIds('list')).imageIds, expected);
        assert.deepEqual((await registry.images.listImageIds('list', { tagStatus: 'UNTAGGED' })).imageIds, [{ imageDigest: untagged.digest }]);
        assert.deepEqual(
          (await registry.images.listImageIds('list', { tagStatus: 'TAGGED' })).imageIds,
          expected.filter((id) => id.imageTag),
        );
        await rejectsWith(registry.images.listImageIds('list', { maxResults: 0 }), 'INVALID_PARAMETER');
        await rejectsWith(registry.images.listImageIds('list', { nextToken: Buffer.from('["x"]').toString('base64url') }), 'INVALID_PARAMETER');
        await rejectsWith(registry.images.listImageIds('list', { tagStatus: 'SOME' as 'ANY' }), 'INVALID_PARAMETER');
        await rejectsWith(registry.images.listImageIds('nope'), 'NAME_UNKNOWN');
      });

      it('describes images: sizes, media types, tags, push and pull times', async () => {
        const repository = await registry.repositories.create('describe');
        const small = await pushImage(repository, 'small', 'small');
        fixture.clock.advance(1000);
        const large = await pushImage(repository, 'a much larger image than the other one', 'large');
        await push(repository, large.text, 'also-large');
        const list = index(small, large);
        await push(repository, list, 'multi');
        // A docker manifest whose config type ECR reports as the artifact media type.
        const config = await blob(repository, '{"docker":1}');
        const docker = JSON.stringify({
          schemaVersion: 2,
          mediaType: DOCKER_MANIFEST,
          config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config.digest, size: config.size },
          layers: [],
        });
        await push(repository, docker);

        const { imageDetails } = await registry.images.describeImages('describe', {
          imageIds: [{ imageTag: 'multi' }, { imageDigest: small.digest }, { imageTag: 'large' }, { imageDigest: sha256(docker) }, { imageTag: 'also-large' }],
        });
        const pushedAt = fixture.clock.now();
        assert.deepEqual(imageDetails, [
          { imageDigest: sha256(list), imageTags: ['multi'], imageSizeInBytes: large.size, imagePushedAt: pushedAt, imageManifestMediaType: OCI_INDEX, imageStatus: 'ACTIVE' },
          { imageDigest: small.digest, imageTags: ['small'], imageSizeInBytes: small.size, imagePushedAt: new Date(pushedAt.getTime() - 1000), imageManifestMediaType: OCI_MANIFEST, artifactMediaType: OCI_CONFIG, imageStatus: 'ACTIVE' },
          { imageDigest: large.digest, imageTags: ['also-large', 'large'], imageSizeInBytes: large.size, imagePushedAt: pushedAt, imageManifestMediaType: OCI_MANIFEST, artifactMediaType: OCI_CONFIG, imageStatus: 'ACTIVE' },
          {
            imageDigest: sha256(docker),
            imageTags: [],
            imageSizeInBytes: config.size,
            imagePushedAt: pushedAt,
            imageManifestMediaType: DOCKER_MANIFEST,
            artifactMediaType: 'application/vnd.docker.container.image.v1+json',
            imageStatus: 'ACTIVE',
          },
        ]);

        // An index of indexes: the largest image anywhere below.
        const nested = index({ text: list, digest: sha256(list) }, small);
        await push(repository, nested);
        const [outer] = (await registry.images.describeImages('describe', { imageIds: [{ imageDigest: sha256(nested) }] })).imageDetails;
        assert.equal(outer?.imageSizeInBytes, large.size);

        // A pull shows once recorded.
        fixture.clock.advance(5000);
        await registry.manifests.pull(repository, { kind: 'tag', tag: 'small' });
        await registry.pulls.flush();
        const [pulled] = (await registry.images.describeImages('describe', { imageIds: [{ imageTag: 'small' }] })).imageDetails;
        assert.deepEqual(pulled?.lastRecordedPullTime, fixture.clock.now());

        await rejectsWith(
          registry.images.describeImages('describe', { imageIds: [{ imageTag: 'small' }, { imageTag: 'gone' }] }),
          'MANIFEST_UNKNOWN',
          `The image with imageId {imageDigest:'null', imageTag:'gone'} does not exist within the repository with name 'describe' in the registry with id '${REGISTRY_ID}'`,
        );
        const absent = sha256('absent');
        const notFound = await rejectsWith(
          registry.images.describeImages('describe', { imageIds: [{ imageDigest: absent }] }),
          'MANIFEST_UNKNOWN',
          `The image with imageId {imageDigest:'${absent}', imageTag:'null'} does not exist within the repository with name 'describe' in the registry with id '${REGISTRY_ID}'`,
        );
        assert.equal(notFound.detail?.awsType, 'ImageNotFoundException');
        await rejectsWith(registry.images.describeImages('describe', { imageIds: [{ imageDigest: small.digest, imageTag: 'large' }] }), 'MANIFEST_UNKNOWN');
        await rejectsWith(registry.images.describeImages('describe', { imageIds: [{ imageDigest: 'sha256:short' }] }), 'INVALID_PARAMETER');
        await rejectsWith(registry.images.describeImages('describe', { imageIds: [{}] }), 'INVALID_PARAMETER');
        await rejectsWith(registry.images.describeImages('describe', { imageIds: [{ imageTag: 'small' }], maxResults: 10 }), 'INVALID_PARAMETER');
      });

      it('describes images page by page, one detail per image however many tags it has', async () => {
        const repository = await registry.repositories.create('pages');
        const digests: string[] = [];
        for (let i = 0; i < 5; i++) {
          // Image 0 has no tag; image i > 0 has i + 1.
          const pushed = await pushImage(repository, `paged ${i}`, i === 0 ? undefined : `a${i}`);
          for (let t = 0; t < i; t++) await push(repository, pushed.text, `more${i}-${t}`);
          digests.push(pushed.digest);
        }
        const untaggedDigest = digests[0]!;
        digests.sort();
        const walk = async (tagStatus: 'ANY' | 'TAGGED' | 'UNTAGGED', maxResults: number) => {
          const seen: string[] = [];
          let page = await registry.images.describeImages('pages', { tagStatus, maxResults });
          for (;;) {
            assert.ok(page.imageDetails.length <= maxResults);
            seen.push(...page.imageDetails.map((d) => d.imageDigest));
            if (!page.nextToken) return seen;
            page = await registry.images.describeImages('pages', { tagStatus, maxResults, nextToken: page.nextToken });
          }
        };
        for (const size of [1, 2, 3, 100]) {
          assert.deepEqual(await walk('ANY', size), digests, `pages of ${size}`);
          assert.deepEqual(await walk('TAGGED', size), digests.filter((d) => d !== untaggedDigest));
          assert.deepEqual(await walk('UNTAGGED', size), [untaggedDigest]);
        }
        const all = (await registry.images.describeImages('pages')).imageDetails;
        assert.deepEqual(all.map((d) => d.imageTags.length).sort(), [0, 2, 3, 4, 5]);
      });

      it('gets images by tag, digest or both, with a failure for each one it cannot', async () => {
        const repository = await registry.repositories.create('get');
        const one = await pushImage(repository, 'one', 'one');
        const two = await pushImage(repository, 'two', 'two');
        const list = index(one);
        await push(repository, list, 'list');
        const absent = sha256('absent');
        const { images, failures } = await registry.images.batchGetImage('get', [
          { imageTag: 'one' },
          { imageDigest: two.digest },
          { imageDigest: one.digest, imageTag: 'one' },
          { imageTag: 'one' },
          {},
          { imageDigest: 'sha256:XYZ' },
          { imageTag: 'not a tag' },
          { imageTag: 'missing' },
          { imageDigest: absent },
          { imageDigest: two.digest, imageTag: 'one' },
          { imageTag: 'list' },
        ]);
        assert.deepEqual(images, [
          { imageId: { imageDigest: one.digest, imageTag: 'one' }, imageManifest: one.text, imageManifestMediaType: OCI_MANIFEST },
          { imageId: { imageDigest: two.digest }, imageManifest: two.text, imageManifestMediaType: OCI_MANIFEST },
          { imageId: { imageDigest: one.digest, imageTag: 'one' }, imageManifest: one.text, imageManifestMediaType: OCI_MANIFEST },
          { imageId: { imageDigest: sha256(list), imageTag: 'list' }, imageManifest: list, imageManifestMediaType: OCI_INDEX },
        ]);
        assert.deepEqual(
          failures.map((f) => [f.imageId, f.failureCode, f.failureReason]),
          [
            [{}, 'MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
            [{ imageDigest: 'sha256:XYZ' }, 'InvalidImageDigest', "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"],
            [{ imageTag: 'not a tag' }, 'InvalidImageTag', "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}'"],
            [{ imageTag: 'missing' }, 'ImageNotFound', 'Requested image not found'],
            [{ imageDigest: absent }, 'ImageNotFound', 'Requested image not found'],
            [{ imageDigest: two.digest, imageTag: 'one' }, 'ImageTagDoesNotMatchDigest', 'Invalid request parameters: the given tag does not point at the given digest'],
          ],
        );

        const onlyImages = await registry.images.batchGetImage('get', [{ imageTag: 'list' }, { imageTag: 'one' }], [OCI_MANIFEST, DOCKER_MANIFEST]);
        assert.deepEqual(
          onlyImages.images.map((i) => i.imageId.imageTag),
          ['one'],
        );
        assert.equal(onlyImages.failures[0]?.failureCode, 'ImageNotFound');
        assert.match(onlyImages.failures[0]!.failureReason, /accepted media types/);

        // Every image got counts as a pull.
        fixture.clock.advance(60_000);
        await registry.images.batchGetImage('get', [{ imageTag: 'two' }]);
        await registry.pulls.flush();
        const details = (await registry.images.describeImages('get', { imageIds: [{ imageTag: 'two' }, { imageTag: 'one' }] })).imageDetails;
        assert.deepEqual(details[0]?.lastRecordedPullTime, fixture.clock.now());
        assert.deepEqual(details[1]?.lastRecordedPullTime, new Date(fixture.clock.now().getTime() - 60_000));
        await rejectsWith(registry.images.batchGetImage('get', []), 'INVALID_PARAMETER');
      });

      it('deletes by tag (the image goes with its last tag) and by digest (with all its tags)', async () => {
        const repository = await registry.repositories.create('delete');
        const shared = await pushImage(repository, 'shared', 'a');
        await push(repository, shared.text, 'b');
        const single = await pushImage(repository, 'single', 'only');
        const multi = await pushImage(repository, 'multi', 'x');
        await push(repository, multi.text, 'y');
        const bare = await pushImage(repository, 'bare');

        const first = await registry.images.batchDeleteImage('delete', [{ imageTag: 'a' }, { imageTag: 'only' }, { imageDigest: multi.digest }, { imageDigest: bare.digest }]);
        assert.deepEqual(first.imageIds, [
          { imageDigest: shared.digest, imageTag: 'a' },
          { imageDigest: single.digest, imageTag: 'only' },
          { imageDigest: multi.digest, imageTag: 'x' },
          { imageDigest: multi.digest, imageTag: 'y' },
          { imageDigest: bare.digest },
        ]);
        assert.deepEqual(first.failures, []);
        assert.deepEqual((await registry.images.listImageIds('delete')).imageIds, [{ imageDigest: shared.digest, imageTag: 'b' }]);

        const second = await registry.images.batchDeleteImage('delete', [
          { imageTag: 'a' },
          { imageDigest: multi.digest },
          { imageDigest: shared.digest, imageTag: 'nope' },
          { imageDigest: single.digest, imageTag: 'b' },
          { imageDigest: 'bad' },
          {},
          { imageDigest: shared.digest, imageTag: 'b' },
        ]);
        assert.deepEqual(second.imageIds, [{ imageDigest: shared.digest, imageTag: 'b' }]);
        assert.deepEqual(
          second.failures.map((f) => [f.imageId, f.failureCode]),
          [
            [{ imageTag: 'a' }, 'ImageNotFound'],
            [{ imageDigest: multi.digest }, 'ImageNotFound'],
            [{ imageDigest: shared.digest, imageTag: 'nope' }, 'ImageNotFound'],
            [{ imageDigest: single.digest, imageTag: 'b' }, 'ImageTagDoesNotMatchDigest'],
            [{ imageDigest: 'bad' }, 'InvalidImageDigest'],
            [{}, 'MissingDigestAndTag'],
          ],
        );
        assert.deepEqual((await registry.images.listImageIds('delete')).imageIds, []);
        await rejectsWith(registry.images.batchDeleteImage('delete', Array.from({ length: 101 }, () => ({ imageTag: 'x' }))), 'INVALID_PARAMETER');
      });

      it('puts images as the push path does, with ECR errors', async () => {
        const repository = await registry.repositories.create('put');
        const built = await image(repository, 'put');
        const put = await registry.images.putImage('put', { imageManifest: built.text, imageTag: 'v1' });
        assert.deepEqual(put, { imageId: { imageDigest: built.digest, imageTag: 'v1' }, imageManifest: built.text, imageManifestMediaType: OCI_MANIFEST });
        await rejectsWith(
          registry.images.putImage('put', { imageManifest: built.text, imageTag: 'v1' }),
          'IMAGE_ALREADY_EXISTS',
          `Image with digest '${built.digest}' and tag 'v1' already exists in the repository with name 'put' in registry with id '${REGISTRY_ID}'`,
        );
        // Another tag for the same manifest, and the manifest alone again: both fine.
        await registry.images.putImage('put', { imageManifest: built.text, imageTag: 'v2', imageDigest: built.digest });
        assert.deepEqual((await registry.images.putImage('put', { imageManifest: built.text })).imageId, { imageDigest: built.digest });

        const mismatch = await rejectsWith(registry.images.putImage('put', { imageManifest: built.text, imageDigest: sha256('other') }), 'DIGEST_INVALID');
        assert.equal(mismatch.detail?.awsType, 'ImageDigestDoesNotMatchException');

        const layers = [sha256('missing layer 1'), sha256('missing layer 2')];
        const config = await blob(repository, '{"c":1}');
        const missingLayers = JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
          layers: layers.map((digest) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: 10 })),
        });
        const notFound = await rejectsWith(
          registry.images.putImage('put', { imageManifest: missingLayers, imageTag: 'broken' }),
          'MANIFEST_BLOB_UNKNOWN',
          `Layers with digests '[${layers.join(', ')}]' required for pushing image into repository with name 'put' in the registry with id '${REGISTRY_ID}' do not exist`,
        );
        assert.equal(notFound.detail?.awsType, 'LayersNotFoundException');
        const missingChild = await rejectsWith(registry.images.putImage('put', { imageManifest: index({ text: '{}', digest: sha256('{}') }) }), 'MANIFEST_BLOB_UNKNOWN', /^Images with digests/);
        assert.equal(missingChild.detail?.awsType, 'ReferencedImagesNotFoundException');
        await rejectsWith(registry.images.putImage('put', { imageManifest: built.text, imageManifestMediaType: OCI_INDEX }), 'MANIFEST_INVALID');
        await rejectsWith(registry.images.putImage('put', { imageManifest: 'not json' }), 'MANIFEST_INVALID');
        await rejectsWith(registry.images.putImage('put', { imageManifest: built.text, imageTag: 'bad tag' }), 'TAG_INVALID');

        await registry.repositories.putImageTagMutability('put', 'IMMUTABLE');
        const other = await image(repository, 'other');
        await rejectsWith(registry.images.putImage('put', { imageManifest: other.text, imageTag: 'v1' }), 'TAG_IMMUTABLE');
        await rejectsWith(registry.images.putImage('put', { imageManifest: built.text, imageTag: 'v1' }), 'IMAGE_ALREADY_EXISTS');
      });
    });

    describe('layer uploads', () => {
      const layer = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

      it('takes contiguous parts and completes with the digest', async () => {
        await registry.repositories.create('layers');
        const { uploadId, partSize } = await registry.layers.initiateLayerUpload('layers');
        assert.equal(partSize, 10_485_760);
        const part = (first: number, last: number) =>
          registry.layers.uploadLayerPart('layers', { uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: layer.subarray(first, last + 1) });
        const invalid = await rejectsWith(part(10, 19), 'LAYER_PART_INVALID');
        assert.deepEqual(invalid.detail, { registryId: REGISTRY_ID, repositoryName: 'layers', uploadId, lastValidByteReceived: 0 });
        assert.deepEqual(await part(0, 9), { uploadId, lastByteReceived: 9 });
        const gap = await rejectsWith(part(20, 29), 'LAYER_PART_INVALID', /must start at byte 10/);
        assert.equal(gap.detail?.lastValidByteReceived, 9);
        await rejectsWith(part(0, 9), 'LAYER_PART_INVALID');
        await rejectsWith(
          registry.layers.uploadLayerPart('layers', { uploadId, partFirstByte: 10, partLastByte: 30, layerPartBlob: layer.subarray(10, 20) }),
          'LAYER_PART_INVALID',
          /does not match/,
        );
        assert.deepEqual(await part(10, 35), { uploadId, lastByteReceived: 35 });

        const digest = sha256(layer);
        const before = await registry.layers.batchCheckLayerAvailability('layers', [digest]);
        assert.deepEqual(before.failures, [{ layerDigest: digest, failureCode: 'MissingLayerDigest', failureReason: 'Requested layer not found' }]);
        assert.deepEqual(await registry.layers.completeLayerUpload('layers', uploadId, [digest]), { uploadId, layerDigest: digest });
        assert.deepEqual(await registry.layers.batchCheckLayerAvailability('layers', [digest, digest, 'sha256:bad']), {
          layers: [{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: layer.byteLength }],
          failures: [
            {
              layerDigest: 'sha256:bad',
              failureCode: 'InvalidLayerDigest',
              failureReason: "Invalid request parameters: layer digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
            },
          ],
        });
        assert.deepEqual(await registry.layers.layerForDownload('layers', digest), { digest, size: layer.byteLength });
        // The upload is over.
        await rejectsWith(registry.layers.completeLayerUpload('layers', uploadId, [digest]), 'BLOB_UPLOAD_UNKNOWN', /does not exist/);
        await rejectsWith(part(36, 36), 'BLOB_UPLOAD_UNKNOWN');
      });

      it('refuses an empty upload, a wrong digest, and a layer the repository has', async () => {
        await registry.repositories.create('layers');
        await registry.repositories.create('elsewhere');
        const digest = sha256(layer);
        const empty = await registry.layers.initiateLayerUpload('layers');
        await rejectsWith(registry.layers.completeLayerUpload('layers', empty.uploadId, [digest]), 'UPLOAD_EMPTY');
        // Upload ids belong to their repository.
        await rejectsWith(registry.layers.completeLayerUpload('elsewhere', empty.uploadId, [digest]), 'BLOB_UPLOAD_UNKNOWN');

        const wrong = await registry.layers.initiateLayerUpload('layers');
        await registry.layers.uploadLayerPart('layers', { uploadId: wrong.uploadId, partFirstByte: 0, partLastByte: 3, layerPartBlob: layer.subarray(0, 4) });
        const mismatch = await rejectsWith(registry.layers.completeLayerUpload('layers', wrong.uploadId, [digest]), 'DIGEST_INVALID', /does not match/);
        assert.equal(mismatch.detail?.awsType, 'InvalidLayerException');
        await rejectsWith(registry.layers.completeLayerUpload('layers', wrong.uploadId, [digest, digest]), 'INVALID_PARAMETER');
        await rejectsWith(registry.layers.completeLayerUpload('layers', wrong.uploadId, ['md5:abc']), 'INVALID_PARAMETER');

        const upload = async () => {
          const { uploadId } = await registry.layers.initiateLayerUpload('layers');
          await registry.layers.uploadLayerPart('layers', { uploadId, partFirstByte: 0, partLastByte: layer.byteLength - 1, layerPartBlob: layer });
          return uploadId;
        };
        await registry.layers.completeLayerUpload('layers', await upload(), [digest]);
        const again = await upload();
        await rejectsWith(
          registry.layers.completeLayerUpload('layers', again, [digest]),
          'LAYER_ALREADY_EXISTS',
          `Layer with digest '${digest}' already exists in the repository with name 'layers' in registry with id '${REGISTRY_ID}'`,
        );
        await rejectsWith(registry.layers.uploadLayerPart('layers', { uploadId: again, partFirstByte: 36, partLastByte: 36, layerPartBlob: layer.subarray(0, 1) }), 'BLOB_UPLOAD_UNKNOWN');
        const missing = await rejectsWith(registry.layers.layerForDownload('elsewhere', digest), 'BLOB_UNKNOWN');
        assert.equal(missing.detail?.awsType, 'LayersNotFoundException');
      });
    });
  });
}

describe('pull recorder', () => {
  it('writes pulls on its own shortly after, and what is pending on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-pulls-'));
    const metadata = await openMetadataStore({ kind: 'sqlite', path: join(dir, 'berth.db') });
    try {
      const clock = new TestClock();
      const repository = await metadata.createRepository({ name: 'pulls', createdAt: clock.now() });
      const digests = ['{"a":1}', '{"b":1}'].map((body) => sha256(body));
      for (const body of ['{"a":1}', '{"b":1}']) {
        const payload = encode(body);
        await metadata.putManifest({ repositoryId: repository.id, digest: sha256(body), mediaType: OCI_MANIFEST, artifactType: null, subjectDigest: null, annotations: null, payload, createdAt: clock.now(), blobDigests: [], childDigests: [] });
      }
      const lastPull = async (digest: string) => (await metadata.describeImages(repository.id, [digest]))[0]?.lastPulledAt;

      const recorder = new PullRecorder(metadata, clock, 20);
      recorder.record(repository.id, digests[0]!);
      assert.equal(await lastPull(digests[0]!), null);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(await lastPull(digests[0]!), clock.now());
      assert.equal(await lastPull(digests[1]!), null);

      const slow = new PullRecorder(metadata, clock, 60_000);
      clock.advance(1000);
      slow.record(repository.id, digests[0]!);
      slow.record(repository.id, digests[1]!);
      await slow.close();
      assert.deepEqual(await lastPull(digests[0]!), clock.now());
      assert.deepEqual(await lastPull(digests[1]!), clock.now());
    } finally {
      await metadata.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wildcard filters', () => {
  it('matches whole tags, a star standing for any run of characters', () => {
    const cases: [string, string, boolean][] = [
      ['latest', 'latest', true],
      ['latest', 'latest2', false],
      ['*', '', true],
      ['*', 'anything', true],
      ['v*', 'v1.2', true],
      ['v*', 'av1', false],
      ['*-rc*', '1.0-rc1', true],
      ['*-rc*', '-rc', true],
      ['*-rc*', '1.0-r', false],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'aXbYbZc', true],
      ['a*b*c', 'acb', false],
      ['a*a', 'a', false],
      ['**', 'x', true],
      ['ab*ab', 'ab', false],
      ['*aab', 'aaab', true],
      ['*abab*', 'ababab', true],
      ['x*abaabab*y', 'xabaabaabababy', true],
    ];
    for (const [pattern, text, expected] of cases) assert.equal(matchesWildcard(pattern, text), expected, `${pattern} ~ ${text}`);
  });

  it('stays linear on patterns that make backtracking matchers explode', () => {
    const text = 'a'.repeat(300);
    const pattern = `${'a*'.repeat(60)}b`;
    const started = performance.now();
    assert.equal(matchesWildcard(pattern, text), false);
    assert.ok(performance.now() - started < 50);
  });
});
