import { type Command, InvalidArgumentError, Option } from 'commander';
import type { StoreProblem } from '../domain/gc/store-check.js';
import { type StoreFlags, storeOptions, withServices } from './store-options.js';

interface GcFlags extends StoreFlags {
  gracePeriod?: number;
  json?: boolean;
}

interface FsckFlags extends StoreFlags {
  repair?: boolean;
  verify?: boolean;
  json?: boolean;
}

function describeProblem(problem: StoreProblem): string {
  const where = problem.repositoryName ? ` in ${problem.repositoryName}@${problem.manifestDigest}` : '';
  const repaired = problem.repaired ? ` [repaired: ${problem.repaired}]` : '';
  return `${problem.kind} ${problem.digest}${where}: ${problem.detail}${repaired}`;
}

/** `berth gc` and `berth fsck`: garbage collection and a consistency check on demand, beside a running server. */
export function registerGcCommands(program: Command): void {
  storeOptions(program.command('gc').description('free blobs that nothing references any more (safe while the server runs)'))
    .addOption(
      new Option('--grace-period <seconds>', 'override gcGracePeriod for this pass: how long after the last push, link or delete something is kept').argParser(wholeSeconds),
    )
    .option('--json', 'print the report as JSON')
    .action(async ({ gracePeriod, json, ...storeFlags }: GcFlags) => {
      await withServices(storeFlags, async ({ gc }) => {
        const report = await gc.collect(gracePeriod === undefined ? {} : { gracePeriodMs: gracePeriod * 1000 });
        if (json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `freed ${report.blobsDeleted} blob(s), ${report.bytesFreed} bytes; removed ${report.linksRemoved} unused repository link(s)\n` +
            `${report.pending.linkReviews + report.pending.blobReviews} review(s) still waiting for their grace period\n`,
        );
      });
    });

  storeOptions(program.command('fsck').description("check every blob's bytes and every manifest's references (safe while the server runs)"))
    .option('--repair', 'repair what can be repaired (see docs/storage.md); deleting is left to garbage collection')
    .option('--no-verify', 'check that bytes are there with the right size, without hashing them')
    .option('--json', 'print the report as JSON')
    .action(async ({ repair = false, verify = true, json, ...storeFlags }: FsckFlags) => {
      await withServices(storeFlags, async ({ storeCheck }) => {
        const report = await storeCheck.check({ repair, verifyDigests: verify });
        if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          for (const problem of report.problems) process.stdout.write(`${describeProblem(problem)}\n`);
          process.stdout.write(`checked ${report.blobsChecked} blob(s), hashed ${report.bytesVerified} bytes: ${report.problems.length} problem(s)\n`);
        }
        if (report.problems.some((problem) => !problem.repaired)) process.exitCode = 1;
      });
    });
}

function wholeSeconds(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError('a whole number of seconds, 0 or more');
  return value;
}
