import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { generatePassword, type LoginProfile } from '../domain/identity/login-profiles.js';
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
function iamCommand(iam: Command, spec: string, description: string, action: (domain: Domain, account: string, ...args: string[]) => Promise<unknown>): Command {
  return storeOptions(iam.command(spec).description(description))
    .option('--account <id>', "the account the identity belongs to (default: the registry's, BERTH_ACCOUNT_ID)")
    .action(async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      // Only the store flags are configuration: --account and a command's own options are not.
      const { config, dataDir, databaseUrl, account } = command.opts<IamFlags>();
      const positional = args.slice(0, -2) as string[];
      await withDomain({ config, dataDir, databaseUrl }, async (domain) => {
        const result = await action(domain, account ?? domain.config.accountId, ...positional);
        if (result !== undefined) print(result);
      });
    });
}

function loginProfileView(profile: LoginProfile) {
  return { UserName: profile.userName, CreateDate: profile.createDate.toISOString(), PasswordResetRequired: false };
}

/**
 * The password for a login profile command: standard input's first line with --password-stdin (as
 * `docker login` reads one; never an argument, which other users can see in the process list), else
 * a generated one, which the command prints.
 */
async function passwordFor(command: Command): Promise<{ password: string; generated: boolean }> {
  if (!command.opts<{ passwordStdin?: boolean }>().passwordStdin) return { password: generatePassword(), generated: true };
  const password = (await text(process.stdin)).split(/\r?\n/, 1)[0]!;
  if (password === '') throw new DomainError('INVALID_PARAMETER', '--password-stdin: standard input holds no password');
  return { password, generated: false };
}

/** create-login-profile and update-login-profile: a user's console password, given on standard input or generated. */
function passwordCommand(iam: Command, verb: 'create' | 'update', description: string): void {
  const command: Command = iamCommand(iam, `${verb}-login-profile <user>`, description, async ({ loginProfiles }, account, user) => {
    const { password, generated } = await passwordFor(command);
    const shown = generated ? { Password: password } : {};
    if (verb === 'update') {
      await loginProfiles.update(account, user!, password);
      return generated ? shown : undefined;
    }
    return { LoginProfile: loginProfileView(await loginProfiles.create(account, user!, password)), ...shown };
  }).option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed)');
}

/** `berth iam …`: users, roles, access keys and inline policies, written straight to the metadata store. */
export function registerIamCommands(program: Command): void {
  const iam = program.command('iam').description('manage IAM users, roles, access keys, console passwords and policies (works while the server runs)');

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

  passwordCommand(iam, 'create', "give a user a console password (IAM's login profile)");
  passwordCommand(iam, 'update', "change a user's console password; console sessions signed in with the old one end");
  iamCommand(iam, 'get-login-profile <user>', 'show whether a user has a console password', async ({ loginProfiles }, account, user) => ({
    LoginProfile: loginProfileView(await loginProfiles.get(account, user!)),
  }));
  iamCommand(iam, 'delete-login-profile <user>', "remove a user's console password; their password sessions end", async ({ loginProfiles }, account, user) => {
    await loginProfiles.delete(account, user!);
  });
}
