import type { Command } from 'commander';
import { composeDomain, composeServices, openConfiguredMetadata, type Services } from '../app/compose.js';
import { type Config, type ConfigKey, loadConfig } from '../app/config.js';
import type { MetadataStore } from '../domain/ports/metadata-store.js';

/** The flags every command that opens the stores takes. */
export interface StoreFlags {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

export function storeOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'JSON config file (also BERTH_CONFIG)')
    .option('--data-dir <dir>', 'data directory (BERTH_DATA_DIR; default ./data)')
    .option('--database-url <url>', 'PostgreSQL URL instead of the embedded SQLite (BERTH_DATABASE_URL)');
}

export function configFrom(flags: StoreFlags & Partial<Record<ConfigKey, unknown>>): Config {
  const { config: file, ...rest } = flags;
  return loadConfig({ ...(file !== undefined && { file }), flags: rest });
}

export type Domain = ReturnType<typeof composeDomain> & { config: Config; metadata: MetadataStore };

/** Opens the metadata store the flags name (safe beside a running server), runs `work`, closes it. */
export async function withDomain<T>(flags: StoreFlags, work: (domain: Domain) => Promise<T>): Promise<T> {
  const config = configFrom(flags);
  const metadata = await openConfiguredMetadata(config);
  try {
    return await work({ ...composeDomain(config, metadata), config, metadata });
  } finally {
    await metadata.close();
  }
}

/** Opens the stores with their bytes (for commands that move or check them, safe beside a running server), runs `work`, closes them. */
export async function withServices<T>(flags: StoreFlags, work: (services: Services) => Promise<T>): Promise<T> {
  const services = await composeServices(configFrom(flags));
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}
