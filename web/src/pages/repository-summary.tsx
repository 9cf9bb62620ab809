/** The Summary tab: where the repository is, its settings, and how much it holds. */
import { getStorageUsage } from '../api/console.js';
import type { Repository } from '../api/ecr.js';
import { OnOff } from '../components/badges.js';
import { Bytes } from '../components/bytes.js';
import { CopyableValue } from '../components/copy-button.js';
import { DateTime } from '../components/date-time.js';
import { describeEncryption } from '../components/encryption-fields.js';
import { useResource } from '../hooks/use-resource.js';
import { formatCount } from '../format.js';
import { describeMutability } from '../model/tag-mutability.js';

export function RepositorySummary({ repository }: { repository: Repository }) {
  const storage = useResource((signal) => getStorageUsage(signal), []);
  const usage = storage.data?.repositories.find((r) => r.repositoryName === repository.repositoryName);
  const pending = storage.loading && !storage.data;
  const unknown = <span class="muted" title={storage.error?.message}>—</span>;
  return (
    <dl class="details" data-testid="repository-summary">
      <div>
        <dt>URI</dt>
        <dd>
          <CopyableValue value={repository.repositoryUri ?? ''} label="Copy URI" testId="copy-uri" />
        </dd>
      </div>
      <div>
        <dt>ARN</dt>
        <dd>
          <CopyableValue value={repository.repositoryArn ?? ''} label="Copy ARN" />
        </dd>
      </div>
      <div>
        <dt>Created at</dt>
        <dd>
          <DateTime value={repository.createdAt} />
        </dd>
      </div>
      <div>
        <dt>Tag immutability</dt>
        <dd>{describeMutability(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters)}</dd>
      </div>
      <div>
        <dt>Scan on push</dt>
        <dd>
          <OnOff on={!!repository.imageScanningConfiguration?.scanOnPush} />
        </dd>
      </div>
      <div>
        <dt>Encryption</dt>
        <dd>{describeEncryption(repository.encryptionConfiguration)}</dd>
      </div>
      <div>
        <dt>Images</dt>
        <dd>{pending ? <span class="skeleton skeleton-word" /> : usage ? formatCount(usage.images) : unknown}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>{pending ? <span class="skeleton skeleton-word" /> : usage ? <Bytes value={usage.bytes} /> : unknown}</dd>
      </div>
    </dl>
  );
}
