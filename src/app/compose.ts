import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openMetadataStore } from '../adapters/metadata/index.js';
import { FsObjectStore } from '../adapters/object-store/fs/fs-object-store.js';
import type { AccountScope } from '../domain/model/arn.js';
import { GarbageCollector } from '../domain/gc/garbage-collector.js';
import { StoreCheck } from '../domain/gc/store-check.js';
import { AccessGeneration } from '../domain/identity/access-generation.js';
import { Authenticator } from '../domain/identity/authenticator.js';
import { ConsoleSessions } from '../domain/identity/console-sessions.js';
import { Identities } from '../domain/identity/identities.js';
import { LoginProfiles } from '../domain/identity/login-profiles.js';
import { SignedTokens } from '../domain/identity/signed-tokens.js';
import { AccessControl } from '../domain/policy/access-control.js';
import { type Clock, systemClock } from '../domain/ports/clock.js';
import type { MetadataStore } from '../domain/ports/metadata-store.js';
import { DownloadLinks } from '../domain/registry/download-links.js';
import { PullTimeExclusions } from '../domain/registry/pull-time-exclusions.js';
import { Registry } from '../domain/registry/registry.js';
import { RegistrySettings } from '../domain/registry/registry-settings.js';
import { StorageUsage } from '../domain/registry/storage-usage.js';
import { ContinuousScanning } from '../domain/scanning/continuous-scanning.js';
import { ScanRunner } from '../domain/scanning/scan-runner.js';
import type { Config } from './config.js';
import { workerInventoryReader } from './scan-workers.js';

export interface Services {
  config: Config;
  scope: AccountScope;
  clock: Clock;
  metadata: MetadataStore;
  registry: Registry;
  gc: GarbageCollector;
  storeCheck: StoreCheck;
  identities: Identities;
  loginProfiles: LoginProfiles;
  consoleSessions: ConsoleSessions;
  authenticator: Authenticator;
  access: AccessControl;
  downloads: DownloadLinks;
  registrySettings: RegistrySettings;
  pullTimeExclusions: PullTimeExclusions;
  storageUsage: StorageUsage;
  scanRunner: ScanRunner;
  continuousScanning: ContinuousScanning;
  close(): Promise<void>;
}

/** The metadata store the configuration names: PostgreSQL when databaseUrl is set, else SQLite in the data directory. */
export async function openConfiguredMetadata(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<MetadataStore> {
  if (config.databaseUrl) return openMetadataStore({ kind: 'postgres', url: config.databaseUrl });
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return openMetadataStore({ kind: 'sqlite', path: join(dataDir, 'berth.db') });
}

/** The domain services over an open metadata store; the CLI uses these without the object store's bytes. */
export function composeDomain(config: Config, metadata: MetadataStore, clock: Clock = systemClock) {
  const scope: AccountScope = { account: config.accountId, region: config.region };
  const generation = new AccessGeneration(metadata, clock);
  const tokens = new SignedTokens(metadata, clock);
  const access = new AccessControl(metadata, scope, clock, generation);
  const identities = new Identities(metadata, clock, generation);
  const authenticator = new Authenticator(metadata, clock, generation, tokens);
  const loginProfiles = new LoginProfiles(metadata, clock, generation, identities);
  return {
    scope,
    access,
    pullTimeExclusions: new PullTimeExclusions(metadata, clock, generation),
    registrySettings: new RegistrySettings(metadata, generation, clock, scope.account),
    identities,
    loginProfiles,
    consoleSessions: new ConsoleSessions(metadata, clock, authenticator, loginProfiles, scope.account, config.consoleSessionTtl),
    authenticator,
    downloads: new DownloadLinks(tokens, clock),
    storageUsage: new StorageUsage(metadata, clock, config.storagePricePerGbMonth),
  };
}

/** Config -> adapters -> domain services. The only place that knows all three layers. */
export async function composeServices(config: Config): Promise<Services> {
  const clock = systemClock;
  const metadata = await openConfiguredMetadata(config);
  const storageRoot = join(resolve(config.dataDir), 'storage');
  const objects = new FsObjectStore(storageRoot);
  const domain = composeDomain(config, metadata, clock);
  const registry = new Registry({
    metadata,
    objects,
    clock,
    registryId: config.accountId,
    createOnPush: config.createOnPush,
    pullTimeExclusions: domain.pullTimeExclusions,
    archivePrefix: config.archivePrefix,
  });
  const gc = new GarbageCollector(metadata, objects, clock, { gracePeriodMs: config.gcGracePeriod * 1000, archivePrefix: config.archivePrefix });
  const storeCheck = new StoreCheck(metadata, objects, clock, config.archivePrefix);
  const scanRunner = new ScanRunner(metadata, clock, workerInventoryReader(storageRoot));
  const continuousScanning = new ContinuousScanning(metadata, clock, registry.scans);
  const close = async () => {
    await registry.close();
    await metadata.close();
  };
  return { config, clock, metadata, registry, gc, storeCheck, scanRunner, continuousScanning, ...domain, close };
}
