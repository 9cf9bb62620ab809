/** A repository's ECR settings, as CreateRepository takes them and DescribeRepositories returns them. */

export const TAG_MUTABILITIES = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] as const;
export type TagMutability = (typeof TAG_MUTABILITIES)[number];

export interface TagMutabilityExclusionFilter {
  filterType: 'WILDCARD';
  filter: string;
}

export interface EncryptionConfiguration {
  encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE';
  kmsKey?: string;
}

export interface RepositorySettings {
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters: TagMutabilityExclusionFilter[];
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: EncryptionConfiguration;
}

export const DEFAULT_REPOSITORY_SETTINGS: RepositorySettings = {
  imageTagMutability: 'MUTABLE',
  imageTagMutabilityExclusionFilters: [],
  imageScanningConfiguration: { scanOnPush: false },
  encryptionConfiguration: { encryptionType: 'AES256' },
};

export interface ResourceTag {
  Key: string;
  Value: string;
}
