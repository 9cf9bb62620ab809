/**
 * The caller of a request and the Principal/NotPrincipal element of resource and trust policies.
 *
 * As in AWS, a caller is several identities at once: its own ARN (a user, an assumed-role session or
 * the account root), for a session also its role's ARN, and its account. A Principal element applies
 * when it names any of them; a NotPrincipal element applies unless it names all of them, which is why
 * the AWS docs say a NotPrincipal exempting a user must also list the user's account.
 */
import type { JsonValue } from './json.js';
import { invalid } from './syntax.js';

export interface RequestPrincipal {
  /** The caller's own ARN: an IAM user, an assumed-role session (arn:aws:sts::<account>:assumed-role/<role>/<session>) or the account root. */
  readonly arn: string;
  readonly account: string;
  /** For an assumed-role session, the role's ARN: a Principal naming the role matches its sessions, and aws:PrincipalArn reports it. */
  readonly roleArn?: string;
  /** The account root user. Its identity side allows everything (explicit denies still apply); callers decide who is root. */
  readonly isRoot?: boolean;
  /** IAM user name, the aws:username key (IAM users only). */
  readonly username?: string;
  /** Unique ID, the aws:userid key. */
  readonly userId?: string;
  /** The aws:PrincipalTag/<key> keys. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PrincipalSet {
  readonly everyone: boolean;
  /** Accounts named by ID or by root ARN: any principal of the account. */
  readonly accounts: ReadonlySet<string>;
  /** User, role and session ARNs. Service, federated and canonical-user principals are kept out: no caller here is one of them. */
  readonly arns: ReadonlySet<string>;
}

/**
 * How a Principal element named the caller. AWS treats these differently: naming the caller itself
 * (or everyone) grants access on its own within the account, naming its role is still bounded by a
 * permissions boundary, and naming its account only delegates to the account's identity policies.
 */
export type PrincipalMatch = 'caller' | 'role' | 'account';

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:[a-z][a-z0-9-]*:(?:iam|sts)::(\d{12}):(.+)$/;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

export function parsePrincipalElement(value: JsonValue, element: 'Principal' | 'NotPrincipal'): PrincipalSet {
  if (value === '*') return { everyone: true, accounts: new Set(), arns: new Set() };
  if (!(value instanceof Map)) return invalid(`${element} must be "*" or an object such as {"AWS": "123456789012"}`);
  if (value.size === 0) invalid(`${element} must name at least one principal`);
  let everyone = false;
  const accounts = new Set<string>();
  const arns = new Set<string>();
  for (const [type, entry] of value) {
    if (!PRINCIPAL_TYPES.has(type)) {
      invalid(`${element} has an unknown principal type '${type}'; expected AWS, Service, Federated or CanonicalUser`);
    }
    const names = typeof entry === 'string' ? [entry] : entry;
    if (!Array.isArray(names) || names.length === 0 || names.some((name) => typeof name !== 'string' || name === '')) {
      invalid(`${element}.${type} must be a non-empty string or a non-empty array of strings`);
    }
    if (type !== 'AWS') continue;
    for (const name of names as string[]) {
      if (name === '*') {
        everyone = true;
        continue;
      }
      if (/[*?]/.test(name)) invalid(`${element} '${name}' is invalid: a principal cannot contain wildcards other than "*" alone`);
      if (ACCOUNT_ID.test(name)) {
        accounts.add(name);
        continue;
      }
      const arn = IAM_ARN.exec(name);
      if (!arn) invalid(`${element} '${name}' is not an account ID or an IAM/STS ARN`);
      if (arn[2] === 'root') accounts.add(arn[1]!);
      else arns.add(name);
    }
  }
  return { everyone, accounts, arns };
}

/** The strongest way the Principal element names the caller, or undefined when it does not. */
export function matchPrincipal(set: PrincipalSet, principal: RequestPrincipal): PrincipalMatch | undefined {
  if (set.everyone || set.arns.has(principal.arn)) return 'caller';
  const accountListed = set.accounts.has(principal.account);
  if (accountListed && principal.isRoot) return 'caller';
  if (principal.roleArn !== undefined && set.arns.has(principal.roleArn)) return 'role';
  return accountListed ? 'account' : undefined;
}

/** Whether a NotPrincipal element applies: it leaves out at least one of the caller's identities. */
export function notPrincipalApplies(set: PrincipalSet, principal: RequestPrincipal): boolean {
  if (set.everyone) return false;
  const accountListed = set.accounts.has(principal.account);
  const callerListed = set.arns.has(principal.arn) || (principal.isRoot === true && accountListed);
  const roleListed = principal.roleArn === undefined || set.arns.has(principal.roleArn);
  return !(callerListed && roleListed && accountListed);
}
