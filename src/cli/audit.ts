import { type Command, InvalidArgumentError } from 'commander';
import type { AuditEventRecord } from '../domain/ports/audit-log.js';
import { type StoreFlags, storeOptions, withDomain } from './store-options.js';

/** Events read per query while printing. */
const PAGE = 1000;

interface ListFlags extends StoreFlags {
  repository?: string;
  since?: Date;
  limit?: number;
  json?: boolean;
}

export function parseSince(value: string): Date {
  const since = new Date(value);
  if (Number.isNaN(since.getTime())) throw new InvalidArgumentError('expected an ISO 8601 time such as 2025-06-01 or 2025-06-01T12:00:00Z');
  return since;
}

function parseLimit(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** One line per event: time, action, what it acted on, and the detail as JSON. */
function describe(event: AuditEventRecord): string {
  const subject = [event.repositoryName, event.imageDigest].filter((part) => part !== undefined).join('@') || '-';
  return `${event.at.toISOString()} ${event.action} ${subject} ${JSON.stringify(event.detail)}`;
}

/** `berth audit list`: what the registry did on its own, oldest first. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log: what the registry did on its own (lifecycle expirations, …)');
  storeOptions(audit.command('list').description('list audit events, oldest first'))
    .option('--repository <name>', 'only events of this repository')
    .option('--since <time>', 'only events at or after this ISO 8601 time', parseSince)
    .option('--limit <n>', 'at most this many events', parseLimit)
    .option('--json', 'one JSON object per line (JSON Lines)')
    .action(async ({ repository, since, limit, json = false, ...storeFlags }: ListFlags) => {
      await withDomain(storeFlags, async ({ metadata }) => {
        let after: number | undefined;
        for (let left = limit ?? Infinity; left > 0; ) {
          const page = await metadata.listAuditEvents({
            ...(repository !== undefined && { repositoryName: repository }),
            ...(since !== undefined && { since }),
            ...(after !== undefined && { after }),
            limit: Math.min(PAGE, left),
          });
          for (const event of page) process.stdout.write(`${json ? JSON.stringify(event) : describe(event)}\n`);
          if (page.length < PAGE) break;
          left -= page.length;
          after = page[page.length - 1]!.id;
        }
      });
    });
}
