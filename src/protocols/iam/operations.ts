import { DomainError } from '../../domain/errors.js';
import type { Caller } from '../../domain/identity/caller.js';
import type { Identities } from '../../domain/identity/identities.js';
import type { LoginProfile, LoginProfiles } from '../../domain/identity/login-profiles.js';
import { roleArn, userArn } from '../../domain/model/arn.js';
import type { AccessControl, AccessResource } from '../../domain/policy/access-control.js';
import type { AccessKeyRecord, PrincipalKind, PrincipalRecord } from '../../domain/ports/identity-metadata.js';
import type { QueryService, QueryStructure, XmlStructure } from '../aws/query-protocol.js';

export interface QueryCall {
  caller: Caller;
  parameters: QueryStructure;
  sourceIp: string;
  secureTransport: boolean;
}

export interface QueryDeps {
  identities: Identities;
  loginProfiles: LoginProfiles;
  access: AccessControl;
}

type Operation = (deps: QueryDeps, call: QueryCall) => Promise<XmlStructure | undefined>;

function text(call: QueryCall, name: string): string {
  const value = call.parameters[name];
  if (typeof value !== 'string' || value === '') {
    throw new DomainError('INVALID_PARAMETER', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function optionalText(call: QueryCall, name: string): string | undefined {
  const value = call.parameters[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Authorises an IAM action on a user or role of the caller's account. */
async function authorizeIam(deps: QueryDeps, call: QueryCall, action: string, kind: PrincipalKind, name: string): Promise<void> {
  const account = call.caller.account;
  const resource: AccessResource = { kind: 'identity', arn: kind === 'user' ? userArn(account, name) : roleArn(account, name), account };
  await deps.access.authorize({ caller: call.caller, action, resource, sourceIp: call.sourceIp, secureTransport: call.secureTransport });
}

/** IAM names the caller's own user when UserName is left out of an access key call; the root has no user name. */
function keyOwner(call: QueryCall): string | undefined {
  return optionalText(call, 'UserName') ?? call.caller.username;
}

function userView(p: PrincipalRecord): XmlStructure {
  return { Path: p.path, UserName: p.name, UserId: p.id, Arn: p.arn, CreateDate: p.createdAt };
}

function roleView(p: PrincipalRecord): XmlStructure {
  // IAM returns policy documents URL-encoded; the CLI and SDKs decode them.
  return { Path: p.path, RoleName: p.name, RoleId: p.id, Arn: p.arn, CreateDate: p.createdAt, AssumeRolePolicyDocument: encodeURIComponent(p.trustPolicy ?? '') };
}

function keyView(userName: string | undefined, key: Pick<AccessKeyRecord, 'id' | 'status' | 'createdAt'>): XmlStructure {
  return { ...(userName !== undefined && { UserName: userName }), AccessKeyId: key.id, Status: key.status, CreateDate: key.createdAt };
}

function loginProfileView(profile: LoginProfile): XmlStructure {
  return { UserName: profile.userName, CreateDate: profile.createDate, PasswordResetRequired: false };
}

/** Put/Get/Delete{User,Role}Policy: one implementation for both kinds. */
function inlinePolicyOperations(kind: PrincipalKind): Record<string, Operation> {
  const Kind = kind === 'user' ? 'User' : 'Role';
  const nameParameter = `${Kind}Name`;
  return {
    [`Put${Kind}Policy`]: async (deps, call) => {
      const name = text(call, nameParameter);
      await authorizeIam(deps, call, `iam:Put${Kind}Policy`, kind, name);
      await deps.identities.putPolicy(kind, call.caller.account, name, text(call, 'PolicyName'), text(call, 'PolicyDocument'));
      return undefined;
    },
    [`Get${Kind}Policy`]: async (deps, call) => {
      const name = text(call, nameParameter);
      await authorizeIam(deps, call, `iam:Get${Kind}Policy`, kind, name);
      const policy = await deps.identities.getPolicy(kind, call.caller.account, name, text(call, 'PolicyName'));
      return { [nameParameter]: name, PolicyName: policy.name, PolicyDocument: encodeURIComponent(policy.document) };
    },
    [`Delete${Kind}Policy`]: async (deps, call) => {
      const name = text(call, nameParameter);
      await authorizeIam(deps, call, `iam:Delete${Kind}Policy`, kind, name);
      await deps.identities.deletePolicy(kind, call.caller.account, name, text(call, 'PolicyName'));
      return undefined;
    },
    [`List${Kind}Policies`]: async (deps, call) => {
      const name = text(call, nameParameter);
      await authorizeIam(deps, call, `iam:List${Kind}Policies`, kind, name);
      return { PolicyNames: await deps.identities.listPolicies(kind, call.caller.account, name), IsTruncated: false };
    },
  };
}

export const IAM_OPERATIONS: Record<string, Operation> = {
  CreateUser: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:CreateUser', 'user', name);
    return { User: userView(await deps.identities.createUser(call.caller.account, name, optionalText(call, 'Path'))) };
  },
  GetUser: async (deps, call) => {
    const name = optionalText(call, 'UserName') ?? call.caller.username;
    if (name === undefined) throw new DomainError('INVALID_PARAMETER', 'Must specify userName when calling with non-User credentials');
    await authorizeIam(deps, call, 'iam:GetUser', 'user', name);
    return { User: userView(await deps.identities.getPrincipal('user', call.caller.account, name)) };
  },
  ListUsers: async (deps, call) => {
    await authorizeIam(deps, call, 'iam:ListUsers', 'user', '*');
    return { Users: (await deps.identities.listPrincipals('user', call.caller.account)).map(userView), IsTruncated: false };
  },
  DeleteUser: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:DeleteUser', 'user', name);
    await deps.identities.deletePrincipal('user', call.caller.account, name);
    return undefined;
  },
  CreateAccessKey: async (deps, call) => {
    const owner = keyOwner(call);
    await authorizeIam(deps, call, 'iam:CreateAccessKey', 'user', owner ?? '');
    const key = await deps.identities.createAccessKey(call.caller.account, owner);
    const created = (await deps.identities.listAccessKeys(call.caller.account, owner)).find((k) => k.id === key.accessKeyId)!;
    return { AccessKey: { ...keyView(owner, created), SecretAccessKey: key.secretAccessKey } };
  },
  ListAccessKeys: async (deps, call) => {
    const owner = keyOwner(call);
    await authorizeIam(deps, call, 'iam:ListAccessKeys', 'user', owner ?? '');
    const keys = await deps.identities.listAccessKeys(call.caller.account, owner);
    return { AccessKeyMetadata: keys.map((k) => keyView(owner, k)), IsTruncated: false };
  },
  UpdateAccessKey: async (deps, call) => {
    const owner = keyOwner(call);
    const status = text(call, 'Status');
    if (status !== 'Active' && status !== 'Inactive') {
      throw new DomainError('INVALID_PARAMETER', `1 validation error detected: Value '${status.slice(0, 64)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    await authorizeIam(deps, call, 'iam:UpdateAccessKey', 'user', owner ?? '');
    await deps.identities.setAccessKeyStatus(call.caller.account, owner, text(call, 'AccessKeyId'), status);
    return undefined;
  },
  DeleteAccessKey: async (deps, call) => {
    const owner = keyOwner(call);
    await authorizeIam(deps, call, 'iam:DeleteAccessKey', 'user', owner ?? '');
    await deps.identities.deleteAccessKey(call.caller.account, owner, text(call, 'AccessKeyId'));
    return undefined;
  },
  // Console passwords. PasswordResetRequired is not supported: Berth has no password change page.
  CreateLoginProfile: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:CreateLoginProfile', 'user', name);
    return { LoginProfile: loginProfileView(await deps.loginProfiles.create(call.caller.account, name, text(call, 'Password'))) };
  },
  GetLoginProfile: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:GetLoginProfile', 'user', name);
    return { LoginProfile: loginProfileView(await deps.loginProfiles.get(call.caller.account, name)) };
  },
  UpdateLoginProfile: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:UpdateLoginProfile', 'user', name);
    await deps.loginProfiles.update(call.caller.account, name, text(call, 'Password'));
    return undefined;
  },
  DeleteLoginProfile: async (deps, call) => {
    const name = text(call, 'UserName');
    await authorizeIam(deps, call, 'iam:DeleteLoginProfile', 'user', name);
    await deps.loginProfiles.delete(call.caller.account, name);
    return undefined;
  },
  CreateRole: async (deps, call) => {
    const name = text(call, 'RoleName');
    await authorizeIam(deps, call, 'iam:CreateRole', 'role', name);
    return { Role: roleView(await deps.identities.createRole(call.caller.account, name, text(call, 'AssumeRolePolicyDocument'), optionalText(call, 'Path'))) };
  },
  GetRole: async (deps, call) => {
    const name = text(call, 'RoleName');
    await authorizeIam(deps, call, 'iam:GetRole', 'role', name);
    return { Role: roleView(await deps.identities.getPrincipal('role', call.caller.account, name)) };
  },
  DeleteRole: async (deps, call) => {
    const name = text(call, 'RoleName');
    await authorizeIam(deps, call, 'iam:DeleteRole', 'role', name);
    await deps.identities.deletePrincipal('role', call.caller.account, name);
    return undefined;
  },
  ...inlinePolicyOperations('user'),
  ...inlinePolicyOperations('role'),
};

export const STS_OPERATIONS: Record<string, Operation> = {
  // Needs no permission, as in AWS: anyone may ask who they are.
  GetCallerIdentity: async (_deps, { caller }) => ({ UserId: caller.userId, Account: caller.account, Arn: caller.arn }),
  AssumeRole: async (deps, call) => {
    const arn = text(call, 'RoleArn');
    const role = await deps.identities.findRoleByArn(arn);
    const resource: AccessResource = { kind: 'identity', arn, account: role?.account ?? '', ...(role?.trustPolicy && { trustPolicy: role.trustPolicy }) };
    // An unknown role is refused like an untrusting one, so role names can't be probed.
    await deps.access.authorize({ caller: call.caller, action: 'sts:AssumeRole', resource, sourceIp: call.sourceIp, secureTransport: call.secureTransport });
    if (!role) throw new DomainError('DENIED', `User: ${call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    const duration = optionalText(call, 'DurationSeconds');
    const assumed = await deps.identities.assumeRole(role, text(call, 'RoleSessionName'), duration === undefined ? undefined : Number(duration));
    const { credentials } = assumed;
    return {
      Credentials: { AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey, SessionToken: credentials.sessionToken, Expiration: credentials.expiration },
      AssumedRoleUser: { AssumedRoleId: assumed.assumedRoleId, Arn: assumed.assumedRoleArn },
    };
  },
};

/** Which service an action belongs to: the credential scope says, and the action must be one of its own. */
export function queryOperation(service: QueryService, action: string): Operation | undefined {
  const table = service === 'sts' ? STS_OPERATIONS : IAM_OPERATIONS;
  return Object.hasOwn(table, action) ? table[action] : undefined;
}
