import { DomainError } from '../errors.js';
import {
  type CreationTemplate,
  type CreationTemplateInput,
  type CreationTemplateSettings,
  parseCreationTemplateSettings,
  parseTemplatePrefix,
} from '../model/creation-template.js';
import type { Clock } from '../ports/clock.js';
import type { CreationTemplateRecord } from '../ports/ecr-metadata.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { decodeNextToken, pageOf, pageSize } from './page-tokens.js';

/** DescribeRepositoryCreationTemplates: the templates of the given prefixes, or all; by prefix, a page at a time. */
export interface CreationTemplateQuery {
  prefixes?: string[];
  maxResults?: number;
  nextToken?: string;
}

/**
 * Repository creation templates: the settings ECR gives repositories it creates on the registry's
 * behalf (Repositories.forPush applies them). Policy texts in a template are stored as given: the
 * caller validates them with the policy engine and the lifecycle rules first.
 */
export class CreationTemplates {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly registryId: string,
  ) {}

  /** CreateRepositoryCreationTemplate; TEMPLATE_ALREADY_EXISTS when the prefix has one. */
  async create(prefix: string, input: CreationTemplateInput): Promise<CreationTemplate> {
    const parsed = parseTemplatePrefix(prefix);
    const settings = parseCreationTemplateSettings(input);
    const now = this.clock.now();
    await this.metadata.createCreationTemplate({ prefix: parsed, document: JSON.stringify(settings), createdAt: now, updatedAt: now });
    return { prefix: parsed, ...settings, createdAt: now, updatedAt: now };
  }

  /** DescribeRepositoryCreationTemplates; TEMPLATE_NOT_FOUND for a named prefix that has none. */
  async describe(query: CreationTemplateQuery = {}): Promise<{ templates: CreationTemplate[]; nextToken?: string }> {
    const size = pageSize(query.maxResults);
    const after = query.nextToken === undefined ? undefined : decodeNextToken(query.nextToken, 1)[0];
    let templates = (await this.metadata.listCreationTemplates()).map(templateOf);
    if (query.prefixes !== undefined) {
      const wanted = new Set(query.prefixes.map(parseTemplatePrefix));
      const missing = [...wanted].find((prefix) => !templates.some((t) => t.prefix === prefix));
      if (missing !== undefined) throw this.notFound(missing);
      templates = templates.filter((t) => wanted.has(t.prefix));
    }
    // Listed in byte-wise prefix order, so the position is the last prefix shown.
    const rest = typeof after === 'string' ? templates.filter((t) => Buffer.compare(Buffer.from(t.prefix), Buffer.from(after)) > 0) : templates;
    const page = pageOf(rest, size, (t) => [t.prefix]);
    return { templates: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) };
  }

  /** UpdateRepositoryCreationTemplate: the fields given replace the stored ones. */
  async update(prefix: string, input: CreationTemplateInput): Promise<CreationTemplate> {
    const parsed = parseTemplatePrefix(prefix);
    const now = this.clock.now();
    return this.metadata.transaction(async (tx) => {
      const record = await tx.getCreationTemplate(parsed);
      if (!record) throw this.notFound(parsed);
      const settings = parseCreationTemplateSettings(input, settingsOf(record));
      await tx.updateCreationTemplate(parsed, JSON.stringify(settings), now);
      return { prefix: parsed, ...settings, createdAt: record.createdAt, updatedAt: now };
    });
  }

  /** DeleteRepositoryCreationTemplate: resolves with the template it removed. */
  async delete(prefix: string): Promise<CreationTemplate> {
    const parsed = parseTemplatePrefix(prefix);
    return this.metadata.transaction(async (tx) => {
      const record = await tx.getCreationTemplate(parsed);
      if (!record) throw this.notFound(parsed);
      await tx.deleteCreationTemplate(parsed);
      return templateOf(record);
    });
  }

  private notFound(prefix: string): DomainError {
    return new DomainError(
      'TEMPLATE_NOT_FOUND',
      `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${this.registryId}'`,
      { prefix },
    );
  }
}

export function templateOf(record: CreationTemplateRecord): CreationTemplate {
  return { prefix: record.prefix, ...settingsOf(record), createdAt: record.createdAt, updatedAt: record.updatedAt };
}

/** A stored template's document holds everything but the prefix and the timestamps, as this class wrote it. */
function settingsOf(record: CreationTemplateRecord): CreationTemplateSettings {
  return JSON.parse(record.document) as CreationTemplateSettings;
}
