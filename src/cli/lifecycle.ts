import type { Command } from 'commander';
import type { LifecycleRunEntry } from '../domain/lifecycle/index.js';
import { type StoreFlags, storeOptions, withServices } from './store-options.js';

interface RunFlags extends StoreFlags {
  dryRun?: boolean;
  repository?: string;
}

function describe(entry: LifecycleRunEntry, dryRun: boolean): string {
  const verb =
    entry.action === 'EXPIRE' ? (dryRun ? 'would expire' : entry.applied ? 'expired' : 'did not expire') : dryRun ? 'would archive' : entry.applied ? 'archived' : 'did not archive';
  const tags = entry.tags.length ? ` (${entry.tags.join(', ')})` : ' (untagged)';
  const follows = entry.follows ? `, with ${entry.follows}` : '';
  const why = entry.skipped ? `: ${entry.skipped}` : '';
  return `${verb} ${entry.repositoryName}@${entry.digest}${tags} by rule ${entry.appliedRulePriority}${follows}${why}`;
}

/** `berth lifecycle run [--dry-run]`: every repository's lifecycle policy, now. */
export function registerLifecycleCommands(program: Command): void {
  const lifecycle = program.command('lifecycle').description('lifecycle policies');
  storeOptions(lifecycle.command('run').description("apply repositories' lifecycle policies now (blobs are freed by garbage collection)"))
    .option('--dry-run', 'show what would be expired or archived, and change nothing')
    .option('--repository <name>', 'only this repository')
    .action(async ({ dryRun = false, repository, ...storeFlags }: RunFlags) => {
      await withServices(storeFlags, async ({ registry }) => {
        const entries = await registry.lifecycleRuns.run({ dryRun, ...(repository && { repositoryName: repository }) });
        for (const entry of entries) process.stdout.write(`${describe(entry, dryRun)}\n`);
        const applied = entries.filter((e) => e.applied).length;
        process.stdout.write(dryRun ? `${entries.length} image(s) would be acted on\n` : `${applied} of ${entries.length} image(s) expired or archived\n`);
      });
    });
}
