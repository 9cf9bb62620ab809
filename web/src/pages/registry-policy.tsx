/** The registry policy (Get/Put/DeleteRegistryPolicy): cross-account access to the whole registry. */
import { ApiError } from '../api/client.js';
import { ecr } from '../api/ecr.js';
import { type PolicyStore, PolicyEditor } from '../components/policy-editor.js';

const EMPTY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [] }, null, 2);

const store: PolicyStore = {
  load: async (signal) => {
    try {
      return (await ecr('GetRegistryPolicy', {}, signal)).policyText;
    } catch (error) {
      if (error instanceof ApiError && error.type === 'RegistryPolicyNotFoundException') return undefined;
      throw error;
    }
  },
  save: (policyText) => ecr('PutRegistryPolicy', { policyText }),
  remove: () => ecr('DeleteRegistryPolicy', {}),
};

export function RegistryPolicy() {
  return <PolicyEditor store={store} deps={[]} label="Registry policy" hint="Grants other accounts registry-wide actions such as replication or creating repositories." emptyText={EMPTY_POLICY} />;
}
