/** Encryption at rest for a new repository (or template): AES-256 or a KMS key; it cannot change afterwards. */
import type { EncryptionConfiguration } from '../api/ecr.js';
import { Field, RadioGroup } from './field.js';

export interface EncryptionSetting {
  type: 'AES256' | 'KMS';
  kmsKey: string;
}

export const DEFAULT_ENCRYPTION: EncryptionSetting = { type: 'AES256', kmsKey: '' };

export function encryptionToWire(setting: EncryptionSetting): EncryptionConfiguration {
  return setting.type === 'KMS' ? { encryptionType: 'KMS', ...(setting.kmsKey.trim() && { kmsKey: setting.kmsKey.trim() }) } : { encryptionType: 'AES256' };
}

export function describeEncryption(configuration: EncryptionConfiguration | undefined): string {
  if (!configuration || configuration.encryptionType === 'AES256') return 'AES-256';
  return configuration.kmsKey ? `${configuration.encryptionType} (${configuration.kmsKey})` : configuration.encryptionType;
}

export function EncryptionFields({ value, onChange }: { value: EncryptionSetting; onChange: (value: EncryptionSetting) => void }) {
  return (
    <div class="stack">
      <RadioGroup
        legend="Encryption"
        name="encryption"
        value={value.type}
        onChange={(type) => onChange({ ...value, type })}
        options={[
          { value: 'AES256', label: 'AES-256', hint: 'Industry standard Advanced Encryption Standard encryption.' },
          { value: 'KMS', label: 'AWS KMS', hint: 'Encryption with a key in AWS Key Management Service. This cannot be changed later.' },
        ]}
      />
      {value.type === 'KMS' && (
        <Field label="KMS key" hint="The key's ARN, ID or alias. Leave empty for the AWS managed key." optional>
          {(control) => <input {...control} class="input" value={value.kmsKey} onInput={(e) => onChange({ ...value, kmsKey: e.currentTarget.value })} />}
        </Field>
      )}
    </div>
  );
}
