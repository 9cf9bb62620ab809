import { invalidParameter } from './invalid-parameter.js';
import { DEFAULT_REPOSITORY_SETTINGS, type EncryptionConfiguration, type RepositorySettings, type TagMutabilityExclusionFilter } from './repository-settings.js';
import { parseTagMutability } from './tag-mutability.js';

/** Repository settings as CreateRepository takes them: every field optional, defaults as ECR's. */
export interface RepositorySettingsInput {
  imageTagMutability?: string;
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[];
  imageScanningConfiguration?: { scanOnPush?: boolean };
  encryptionConfiguration?: EncryptionConfiguration;
}

const ENCRYPTION_TYPES: readonly string[] = ['AES256', 'KMS', 'KMS_DSSE'];
const MAX_KMS_KEY_LENGTH = 2048;

export function parseRepositorySettings(input: RepositorySettingsInput): RepositorySettings {
  return {
    ...parseTagMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters),
    imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush === true },
    encryptionConfiguration: parseEncryptionConfiguration(input.encryptionConfiguration),
  };
}

/**
 * An encryption configuration, AES256 when absent. Berth keeps it as the repository's declared
 * setting; a KMS key may be named only with a KMS encryption type, as in ECR.
 */
export function parseEncryptionConfiguration(value: EncryptionConfiguration | undefined): EncryptionConfiguration {
  if (value === undefined) return DEFAULT_REPOSITORY_SETTINGS.encryptionConfiguration;
  const { encryptionType, kmsKey } = value;
  if (!ENCRYPTION_TYPES.includes(encryptionType)) {
    throw invalidParameter('encryptionConfiguration.encryptionType', `Member must satisfy enum value set: [${ENCRYPTION_TYPES.join(', ')}]`);
  }
  if (kmsKey === undefined) return { encryptionType };
  if (encryptionType === 'AES256') throw invalidParameter('encryptionConfiguration.kmsKey', 'KMS key should not be specified for AES256 encryption type');
  if (typeof kmsKey !== 'string' || kmsKey.length === 0 || kmsKey.length > MAX_KMS_KEY_LENGTH) {
    throw invalidParameter('encryptionConfiguration.kmsKey', `Member must have length between 1 and ${MAX_KMS_KEY_LENGTH}`);
  }
  return { encryptionType, kmsKey };
}
