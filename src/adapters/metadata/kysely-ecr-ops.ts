import { type Selectable, sql } from 'kysely';
import { DomainError } from '../../domain/errors.js';
import type { RepositorySettings, ResourceTag } from '../../domain/model/repository-settings.js';
import type { ImageStatus } from '../../domain/ports/archive-metadata.js';
import type {
  CreationTemplateRecord,
  EcrMetadataOps,
  ImageDetailRecord,
  ImageIdPage,
  ImageIdRecord,
  LifecycleImageRecord,
  RegistryDocumentKind,
  RepositoryDocumentKind,
  StoredDocument,
} from '../../domain/ports/ecr-metadata.js';
import type { Page } from '../../domain/ports/metadata-store.js';
import { KyselyGcOps } from './kysely-gc-ops.js';
import type { ManifestsTable } from './schema.js';

/** The ECR control plane's settings, documents and image views, on either dialect. */
export class KyselyEcrOps extends KyselyGcOps implements EcrMetadataOps {
  async updateRepositorySettings(repositoryId: number, settings: RepositorySettings): Promise<void> {
    await this.db.updateTable('repositories').set({ settings: JSON.stringify(settings) }).where('id', '=', repositoryId).execute();
  }

  async getRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind): Promise<StoredDocument | undefined> {
    const row = await this.db
      .selectFrom('repository_documents')
      .select(['text', 'updated_at'])
      .where('repository_id', '=', repositoryId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && { text: row.text, updatedAt: new Date(row.updated_at) };
  }

  async putRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind, text: string, at: Date): Promise<void> {
    await this.db
      .insertInto('repository_documents')
      .values({ repository_id: repositoryId, kind, text, updated_at: at.getTime() })
      .onConflict((oc) => oc.columns(['repository_id', 'kind']).doUpdateSet({ text, updated_at: at.getTime() }))
      .execute();
  }

  async deleteRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind): Promise<boolean> {
    const result = await this.db
      .deleteFrom('repository_documents')
      .where('repository_id', '=', repositoryId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async getRepositoryTags(repositoryId: number): Promise<ResourceTag[]> {
    const rows = await this.db
      .selectFrom('repository_tags')
      .select(['key', 'value'])
      .where('repository_id', '=', repositoryId)
      .orderBy('key')
      .execute();
    return rows.map((r) => ({ Key: r.key, Value: r.value }));
  }

  async putRepositoryTags(repositoryId: number, tags: ResourceTag[]): Promise<void> {
    for (const tag of tags) {
      await this.db
        .insertInto('repository_tags')
        .values({ repository_id: repositoryId, key: tag.Key, value: tag.Value })
        .onConflict((oc) => oc.columns(['repository_id', 'key']).doUpdateSet({ value: tag.Value }))
        .execute();
    }
  }

  async deleteRepositoryTags(repositoryId: number, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.deleteFrom('repository_tags').where('repository_id', '=', repositoryId).where('key', 'in', keys).execute();
  }

  async getRegistryDocument(kind: RegistryDocumentKind): Promise<StoredDocument | undefined> {
    const row = await this.db.selectFrom('registry_documents').select(['text', 'updated_at']).where('kind', '=', kind).executeTakeFirst();
    return row && { text: row.text, updatedAt: new Date(row.updated_at) };
  }

  async putRegistryDocument(kind: RegistryDocumentKind, text: string, at: Date): Promise<void> {
    await this.db
      .insertInto('registry_documents')
      .values({ kind, text, updated_at: at.getTime() })
      .onConflict((oc) => oc.column('kind').doUpdateSet({ text, updated_at: at.getTime() }))
      .execute();
  }

  async putRegistryDocumentIfAbsent(kind: RegistryDocumentKind, text: string, at: Date): Promise<string> {
    await this.db
      .insertInto('registry_documents')
      .values({ kind, text, updated_at: at.getTime() })
      .onConflict((oc) => oc.column('kind').doNothing())
      .execute();
    const stored = await this.getRegistryDocument(kind);
    return stored!.text;
  }

  async deleteRegistryDocument(kind: RegistryDocumentKind): Promise<boolean> {
    const result = await this.db.deleteFrom('registry_documents').where('kind', '=', kind).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createCreationTemplate(template: CreationTemplateRecord): Promise<void> {
    const inserted = await this.db
      .insertInto('creation_templates')
      .values({
        prefix: template.prefix,
        document: template.document,
        created_at: template.createdAt.getTime(),
        updated_at: template.updatedAt.getTime(),
      })
      .onConflict((oc) => oc.column('prefix').doNothing())
      .returning('prefix')
      .executeTakeFirst();
    if (inserted === undefined) {
      throw new DomainError('TEMPLATE_ALREADY_EXISTS', `A repository creation template with the prefix '${template.prefix}' already exists.`, { prefix: template.prefix });
    }
  }

  async getCreationTemplate(prefix: string): Promise<CreationTemplateRecord | undefined> {
    const row = await this.db.selectFrom('creation_templates').selectAll().where('prefix', '=', prefix).executeTakeFirst();
    return row && toTemplate(row);
  }

  async listCreationTemplates(): Promise<CreationTemplateRecord[]> {
    const rows = await this.db.selectFrom('creation_templates').selectAll().orderBy('prefix').execute();
    return rows.map(toTemplate);
  }

  async updateCreationTemplate(prefix: string, document: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('creation_templates')
      .set({ document, updated_at: at.getTime() })
      .where('prefix', '=', prefix)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteCreationTemplate(prefix: string): Promise<boolean> {
    const result = await this.db.deleteFrom('creation_templates').where('prefix', '=', prefix).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listImageIds(repositoryId: number, page: ImageIdPage): Promise<ImageIdRecord[]> {
    // One row per (manifest, tag), and one tagless row per untagged manifest; '' stands for "no tag"
    // in the ordering, since a tag is never empty.
    const rows = await this.db
      .selectFrom('manifests as m')
      .leftJoin('tags as t', (join) => join.onRef('t.repository_id', '=', 'm.repository_id').onRef('t.manifest_digest', '=', 'm.digest'))
      .select(['m.digest as digest', 't.name as tag'])
      .where('m.repository_id', '=', repositoryId)
      .$if(page.tagStatus === 'TAGGED', (q) => q.where('t.name', 'is not', null))
      .$if(page.tagStatus === 'UNTAGGED', (q) => q.where('t.name', 'is', null))
      .$if(page.imageStatus !== undefined, (q) => q.where('m.image_status', '=', page.imageStatus as ImageStatus))
      .$if(page.after !== undefined, (q) => {
        const after = page.after!;
        return q.where((eb) =>
          eb.or([
            eb('m.digest', '>', after.digest),
            eb.and([eb('m.digest', '=', after.digest), eb(sql<string>`coalesce(t.name, '')`, '>', after.tag ?? '')]),
          ]),
        );
      })
      .orderBy('m.digest')
      .orderBy(sql`coalesce(t.name, '')`)
      .limit(page.limit)
      .execute();
    return rows.map((r) => ({ digest: r.digest, tag: r.tag ?? null }));
  }

  async listManifestDigests(repositoryId: number, page: Page): Promise<string[]> {
    const rows = await this.db
      .selectFrom('manifests')
      .select('digest')
      .where('repository_id', '=', repositoryId)
      .$if(page.after !== undefined, (q) => q.where('digest', '>', page.after as string))
      .orderBy('digest')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit as number))
      .execute();
    return rows.map((r) => r.digest);
  }

  /** ECR asks for at most 100 images at a time, far below every driver's parameter limit. */
  async describeImages(repositoryId: number, digests: string[]): Promise<ImageDetailRecord[]> {
    if (digests.length === 0) return [];
    const manifests = await this.db
      .selectFrom('manifests')
      .select(['digest', 'media_type', 'artifact_type', 'subject_digest', 'created_at', 'last_pulled_at', 'image_status', 'last_archived_at', 'last_activated_at'])
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', [...new Set(digests)])
      .orderBy('digest')
      .execute();
    if (manifests.length === 0) return [];
    const found = manifests.map((m) => m.digest);
    const [tagsOf, childrenOf, sizes] = await Promise.all([
      this.tagsByManifest(repositoryId, found),
      this.childrenByManifest(repositoryId, found),
      this.db
        .selectFrom('manifest_references as r')
        .innerJoin('blobs as b', 'b.digest', 'r.referenced_digest')
        .select(['r.manifest_digest', (eb) => eb.fn.sum<number | string>('b.size').as('bytes')])
        .where('r.repository_id', '=', repositoryId)
        .where('r.kind', '=', 'blob')
        .where('r.manifest_digest', 'in', found)
        .groupBy('r.manifest_digest')
        .execute(),
    ]);
    const bytesOf = new Map(sizes.map((s) => [s.manifest_digest, Number(s.bytes)]));
    return manifests.map((m) => ({
      ...lifecycleImage(m, m, tagsOf, childrenOf),
      mediaType: m.media_type,
      artifactType: m.artifact_type,
      blobBytes: bytesOf.get(m.digest) ?? 0,
      lastActivatedAt: dateOrNull(m.last_activated_at),
    }));
  }

  async listLifecycleImages(repositoryId: number): Promise<LifecycleImageRecord[]> {
    // Only columns the manifests_lifecycle index covers: reading rows would read every payload. The
    // drivers build result rows value by value, most of the time a large repository takes to load, so
    // the columns that are the same for nearly every image (active, never archived, no subject) are
    // read only for the images where they are not.
    const [manifests, unusual, tagsOf, childrenOf] = await Promise.all([
      this.db.selectFrom('manifests').select(['digest', 'created_at', 'last_pulled_at']).where('repository_id', '=', repositoryId).orderBy('digest').execute(),
      this.db
        .selectFrom('manifests')
        .select(['digest', 'image_status', 'last_archived_at', 'subject_digest'])
        .where('repository_id', '=', repositoryId)
        .where((eb) => eb.or([eb('image_status', '<>', USUAL_STATE.image_status), eb('last_archived_at', 'is not', null), eb('subject_digest', 'is not', null)]))
        .execute(),
      this.tagsByManifest(repositoryId),
      this.childrenByManifest(repositoryId),
    ]);
    const stateOf = new Map(unusual.map((m) => [m.digest, m]));
    return manifests.map((m) => lifecycleImage(m, stateOf.get(m.digest) ?? USUAL_STATE, tagsOf, childrenOf));
  }

  /** Tag names by manifest (of `digests`, or all the repository's), each list by name. */
  private async tagsByManifest(repositoryId: number, digests?: string[]): Promise<Map<string, string[]>> {
    const tags = await this.db
      .selectFrom('tags')
      .select(['manifest_digest', 'name'])
      .where('repository_id', '=', repositoryId)
      .$if(digests !== undefined, (q) => q.where('manifest_digest', 'in', digests!))
      // By manifest first, so the (repository, manifest) index serves the lookup: ordering by name
      // alone made SQLite walk every tag of the repository by name instead.
      .orderBy('manifest_digest')
      .orderBy('name')
      .execute();
    return groupBy(tags, (t) => t.manifest_digest, (t) => t.name);
  }

  /** An index's entries by index (of `digests`, or all the repository's). */
  private async childrenByManifest(repositoryId: number, digests?: string[]): Promise<Map<string, string[]>> {
    const children = await this.db
      .selectFrom('manifest_references')
      .select(['manifest_digest', 'referenced_digest'])
      .where('repository_id', '=', repositoryId)
      .where('kind', '=', 'manifest')
      .$if(digests !== undefined, (q) => q.where('manifest_digest', 'in', digests!))
      .execute();
    return groupBy(children, (c) => c.manifest_digest, (c) => c.referenced_digest);
  }

  async recordPulls(pulls: { repositoryId: number; digest: string; at: Date }[]): Promise<void> {
    for (const pull of pulls) {
      const at = pull.at.getTime();
      await this.db
        .updateTable('manifests')
        .set({ last_pulled_at: at })
        .where('repository_id', '=', pull.repositoryId)
        .where('digest', '=', pull.digest)
        .where((eb) => eb.or([eb('last_pulled_at', 'is', null), eb('last_pulled_at', '<', at)]))
        .execute();
    }
  }
}

function toTemplate(row: { prefix: string; document: string; created_at: number; updated_at: number }): CreationTemplateRecord {
  return { prefix: row.prefix, document: row.document, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) };
}

type LifecycleTimes = Pick<Selectable<ManifestsTable>, 'digest' | 'created_at' | 'last_pulled_at'>;
type LifecycleState = Pick<Selectable<ManifestsTable>, 'image_status' | 'last_archived_at' | 'subject_digest'>;

/** The state of nearly every manifest. */
const USUAL_STATE: LifecycleState = { image_status: 'ACTIVE' satisfies ImageStatus, last_archived_at: null, subject_digest: null };

/** A manifest row (its times, and its state) as lifecycle rules see it, with its tags and index entries. */
function lifecycleImage(m: LifecycleTimes, state: LifecycleState, tagsOf: Map<string, string[]>, childrenOf: Map<string, string[]>): LifecycleImageRecord {
  return {
    digest: m.digest,
    tags: tagsOf.get(m.digest) ?? [],
    childDigests: childrenOf.get(m.digest) ?? [],
    subjectDigest: state.subject_digest,
    pushedAt: new Date(m.created_at),
    lastPulledAt: dateOrNull(m.last_pulled_at),
    imageStatus: state.image_status as ImageStatus,
    lastArchivedAt: dateOrNull(state.last_archived_at),
  };
}

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string, valueOf: (row: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(valueOf(row));
    else groups.set(key, [valueOf(row)]);
  }
  return groups;
}
