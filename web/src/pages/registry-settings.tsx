/** Registry settings: scanning configuration, registry policy, repository creation templates and storage, as tabs. */
import { useLocation } from 'preact-iso/router';
import { PageHeader } from '../components/page-header.js';
import { TabPanel, Tabs } from '../components/tabs.js';
import { useTitle } from '../hooks/use-title.js';
import { settingsPath } from '../routes.js';
import { RegistryPolicy } from './registry-policy.js';
import { RegistryScanning } from './registry-scanning.js';
import { RegistryStorage } from './registry-storage.js';
import { RegistryTemplates } from './registry-templates.js';

const TABS = [
  { id: 'scanning', label: 'Scanning' },
  { id: 'policy', label: 'Registry policy' },
  { id: 'templates', label: 'Repository creation templates' },
  { id: 'storage', label: 'Storage' },
] as const;

export function RegistrySettings() {
  useTitle('Registry settings');
  const { query, route } = useLocation();
  const tab = TABS.find((t) => t.id === query.tab)?.id ?? 'scanning';
  return (
    <div class="page">
      <PageHeader title="Registry settings" />
      <Tabs label="Registry settings" tabs={TABS} selected={tab} onSelect={(id) => route(settingsPath(id === 'scanning' ? undefined : id), true)} idPrefix="settings" />
      <TabPanel idPrefix="settings" id={tab}>
        {tab === 'scanning' && <RegistryScanning />}
        {tab === 'policy' && <RegistryPolicy />}
        {tab === 'templates' && <RegistryTemplates />}
        {tab === 'storage' && <RegistryStorage />}
      </TabPanel>
    </div>
  );
}
