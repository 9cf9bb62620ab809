import { DomainError } from '../errors.js';
import type { AccessGeneration } from '../identity/access-generation.js';
import { REGISTRY_POLICY_DOCUMENT, REGISTRY_POLICY_SCOPE_SETTING } from '../policy/access-control.js';
import { parsePolicyDocument } from '../policy/index.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';

/** ECR's account settings, their values and defaults. */
export const ACCOUNT_SETTINGS: Record<string, { values: readonly string[]; default: string }> = {
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE', 'CLAIR'], default: 'AWS_NATIVE' },
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V1' },
};

/** Registry-wide configurations stored as JSON until the capability that acts on them lands. */
export type RegistryConfigurationKind = 'replication-configuration';

/** The registry policy, account settings and registry-wide configurations. */
export class RegistrySettings {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly generation: AccessGeneration,
    private readonly clock: Clock,
    private readonly registryId: string,
  ) {}

  async getPolicy(): Promise<string> {
    const stored = await this.metadata.getRegistryDocument(REGISTRY_POLICY_DOCUMENT);
    if (!stored) throw this.noPolicy();
    return stored.text;
  }

  /** Validated as a resource policy; applies to requests at once. */
  async putPolicy(text: string): Promise<void> {
    parsePolicyDocument(text, 'resource');
    await this.generation.change((tx) => tx.putRegistryDocument(REGISTRY_POLICY_DOCUMENT, text, this.clock.now()));
  }

  /** Resolves with the policy that was deleted. */
  async deletePolicy(): Promise<string> {
    return this.generation.change(async (tx) => {
      const stored = await tx.getRegistryDocument(REGISTRY_POLICY_DOCUMENT);
      if (!stored) throw this.noPolicy();
      await tx.deleteRegistryDocument(REGISTRY_POLICY_DOCUMENT);
      return stored.text;
    });
  }

  async getAccountSetting(name: string): Promise<string> {
    const setting = this.setting(name);
    return (await this.metadata.getRegistryDocument(`account-setting:${name}`))?.text ?? setting.default;
  }

  async putAccountSetting(name: string, value: string): Promise<void> {
    const setting = this.setting(name);
    if (!setting.values.includes(value)) {
      throw new DomainError('INVALID_PARAMETER', `Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [${setting.values.join(', ')}]'`);
    }
    const kind = `account-setting:${name}`;
    // The policy scope changes what the registry policy governs: a change to access.
    if (kind === REGISTRY_POLICY_SCOPE_SETTING) await this.generation.change((tx) => tx.putRegistryDocument(kind, value, this.clock.now()));
    else await this.metadata.putRegistryDocument(kind, value, this.clock.now());
  }

  async getConfiguration<T>(kind: RegistryConfigurationKind): Promise<T | undefined> {
    const stored = await this.metadata.getRegistryDocument(kind);
    return stored && (JSON.parse(stored.text) as T);
  }

  async putConfiguration(kind: RegistryConfigurationKind, configuration: unknown): Promise<void> {
    await this.metadata.putRegistryDocument(kind, JSON.stringify(configuration), this.clock.now());
  }

  private setting(name: string) {
    const setting = ACCOUNT_SETTINGS[name];
    if (!setting) {
      throw new DomainError('INVALID_PARAMETER', `Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [${Object.keys(ACCOUNT_SETTINGS).join(', ')}]'`);
    }
    return setting;
  }

  private noPolicy(): DomainError {
    return new DomainError('REGISTRY_POLICY_NOT_FOUND', `Registry policy does not exist in the registry with id '${this.registryId}'`);
  }
}
