import { Command, Option } from 'commander';
import { ConfigError } from '../app/config.js';
import { isDomainError } from '../domain/errors.js';
import { Repositories } from '../domain/registry/repositories.js';
import { systemClock } from '../domain/ports/clock.js';
import { registerAuditCommands } from './audit.js';
import { registerGcCommands } from './gc.js';
import { registerIamCommands } from './iam.js';
import { registerLifecycleCommands } from './lifecycle.js';
import { registerSbomCommand } from './sbom.js';
import { registerScanCommand } from './scan.js';
import { serve } from './serve.js';
import { registerStorageCommands } from './storage.js';
import { registerVulndbCommands } from './vulndb.js';
import { configFrom, type StoreFlags, storeOptions, withDomain } from './store-options.js';

const program = new Command().name('berth').description('Berth: a self-hosted container registry, drop-in for Amazon ECR');

storeOptions(program.command('serve').description('run the registry'))
  .option('--host <addr>', 'address to listen on (BERTH_HOST; default 0.0.0.0)')
  .option('-p, --port <n>', 'port to listen on (BERTH_PORT; default 5000)')
  .addOption(new Option('--create-on-push', 'pushing to a missing repository creates it (BERTH_CREATE_ON_PUSH)'))
  .option('--tls-cert <file>', 'PEM certificate chain, to serve HTTPS (BERTH_TLS_CERT)')
  .option('--tls-key <file>', 'PEM private key for --tls-cert (BERTH_TLS_KEY)')
  .option('--shutdown-timeout <seconds>', 'how long in-flight requests may take to finish on SIGTERM (BERTH_SHUTDOWN_TIMEOUT; default 25)')
  .option('--lifecycle-interval <seconds>', 'seconds between runs of the lifecycle policies; 0 turns them off (BERTH_LIFECYCLE_INTERVAL; default 3600)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (BERTH_LOG_LEVEL; default info)')
  .action(async (flags) => serve(configFrom(flags)));

const repo = program.command('repo').description('manage repositories');

storeOptions(repo.command('create <name>').description('create a repository (works while the server runs)')).action(async (name: string, flags: StoreFlags) => {
  await withRepositories(flags, async (repositories) => {
    const created = await repositories.create(name);
    process.stdout.write(`created repository ${created.name}\n`);
  });
});

storeOptions(repo.command('list').description('list repositories')).action(async (flags: StoreFlags) => {
  await withRepositories(flags, async (repositories) => {
    for (const name of await repositories.list({})) process.stdout.write(`${name}\n`);
  });
});

async function withRepositories(flags: StoreFlags, work: (repositories: Repositories) => Promise<void>): Promise<void> {
  await withDomain(flags, ({ metadata, config }) => work(new Repositories(metadata, systemClock, { registryId: config.accountId, createOnPush: config.createOnPush })));
}

registerIamCommands(program);
registerLifecycleCommands(program);
registerGcCommands(program);
registerAuditCommands(program);
registerStorageCommands(program);
registerVulndbCommands(program);
registerScanCommand(program);
registerSbomCommand(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError || isDomainError(err)) {
    process.stderr.write(`berth: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`berth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
