import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PrincipalKind, PrincipalRecord } from '../domain/ports/identity-metadata.js';
import { type Domain, type StoreFlags, storeOptions, withDomain } from './store-options.js';

interface IamFlags extends StoreFlags {
  account?: string;
}

/** Prints what AWS's IAM API would return, as JSON, so scripts can read it. */
function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A policy given inline as JSON, or as file://path or a plain path (as the aws CLI takes it). */
function policyText(argument: string): string {
  const trimmed = argument.trim();
  if (trimmed.startsWith('{')) return trimmed;
  return readFileSync(trimmed.replace(/^file:\/\//, ''), 'utf8');
}

function principalView(p: PrincipalRecord) {
  return { [p.kind === 'user' ? 'UserName' : 'RoleName']: p.name, [p.kind === 'user' ? 'UserId' : 'RoleId']: p.id, Arn: p.arn, Path: p.path, CreateDate: p.createdAt.toISOString() };
}

/** One command under `berth iam`, with the store options and --account. */
function iamCommand(iam: Command, spec: string, description: string, action: (domain: Domain, account: string, ...args: string[]) => Promise<unknown>): void {
  storeOptions(iam.command(spec).description(description))
    .option('--account <id>', "the account the identity belongs to (default: the registry's, BERTH_ACCOUNT_ID)")
    .action(async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const flags = command.opts<IamFlags>();
      const positional = args.slice(0, -2) as string[];
      await withDomain(flags, async (domain) => {
        const result = await action(domain, flags.account ?? domain.config.accountId, ...positional);
        if (result !== undefined) print(result);
      });
    });
}

/** `berth iam …`: users, roles, access keys and inline policies, written straight to the metadata store. */
export function registerIamCommands(program: Command): void {
  const iam = program.command('iam').description('manage IAM users, roles, access keys and policies (works while the server runs)');

  for (const kind of ['user', 'role'] as const satisfies PrincipalKind[]) {
    const Kind = kind === 'user' ? 'User' : 'Role';
    if (kind === 'user') {
      iamCommand(iam, 'create-user <name>', 'create an IAM user', async ({ identities }, account, name) => ({ User: principalView(await identities.createUser(account, name!)) }));
    } else {
      iamCommand(iam, 'create-role <name> <trust-policy>', 'create a role; the trust policy (JSON, file:// or a path) says who may assume it', async ({ identities }, account, name, trust) => ({
        Role: principalView(await identities.createRole(account, name!, policyText(trust!))),
      }));
    }
    iamCommand(iam, `delete-${kind} <name>`, `delete an IAM ${kind} (its keys and policies first)`, async ({ identities }, account, name) => {
      await identities.deletePrincipal(kind, account, name!);
    });
    iamCommand(iam, `list-${kind}s`, `list the account's IAM ${kind}s`, async ({ identities }, account) => ({
      [`${Kind}s`]: (await identities.listPrincipals(kind, account)).map(principalView),
    }));
    iamCommand(iam, `put-${kind}-policy <name> <policy-name> <document>`, `set an inline policy of a ${kind} (JSON, file:// or a path)`, async ({ identities }, account, name, policyName, document) => {
      await identities.putPolicy(kind, account, name!, policyName!, policyText(document!));
    });
    iamCommand(iam, `get-${kind}-policy <name> <policy-name>`, `show an inline policy of a ${kind}`, async ({ identities }, account, name, policyName) => {
      const policy = await identities.getPolicy(kind, account, name!, policyName!);
      return { [`${Kind}Name`]: name, PolicyName: policy.name, PolicyDocument: JSON.parse(policy.document) as unknown };
    });
    iamCommand(iam, `delete-${kind}-policy <name> <policy-name>`, `delete an inline policy of a ${kind}`, async ({ identities }, account, name, policyName) => {
      await identities.deletePolicy(kind, account, name!, policyName!);
    });
  }

  iamCommand(iam, 'create-access-key <user>', "create an access key for a user ('root' for the account root)", async ({ identities }, account, user) => {
    const key = await identities.createAccessKey(account, user === 'root' ? undefined : user);
    return { AccessKey: { UserName: user, AccessKeyId: key.accessKeyId, SecretAccessKey: key.secretAccessKey, Status: 'Active' } };
  });
  iamCommand(iam, 'list-access-keys <user>', "list a user's access keys ('root' for the account root)", async ({ identities }, account, user) => ({
    AccessKeyMetadata: (await identities.listAccessKeys(account, user === 'root' ? undefined : user)).map((k) => ({
      UserName: user,
      AccessKeyId: k.id,
      Status: k.status,
      CreateDate: k.createdAt.toISOString(),
    })),
  }));
  iamCommand(iam, 'update-access-key <user> <access-key-id> <status>', 'set a key Active or Inactive', async ({ identities }, account, user, id, status) => {
    if (status !== 'Active' && status !== 'Inactive') throw new Error(`status must be Active or Inactive, not ${status}`);
    await identities.setAccessKeyStatus(account, user === 'root' ? undefined : user, id!, status);
  });
  iamCommand(iam, 'delete-access-key <user> <access-key-id>', 'delete an access key', async ({ identities }, account, user, id) => {
    await identities.deleteAccessKey(account, user === 'root' ? undefined : user, id!);
  });
}
