import type { PrincipalRecord } from '../ports/identity-metadata.js';

/** Who made a request, once its credentials are verified: what policies see as the principal. */
export interface Caller {
  /** arn:aws:iam::<account>:root | :user/<name> | arn:aws:sts::<account>:assumed-role/<role>/<session> */
  arn: string;
  account: string;
  kind: 'root' | 'user' | 'assumed-role';
  /** aws:username: the IAM user's name; absent for roles and the root. */
  username?: string;
  /** aws:userid: AIDA… for users, AROA…:<session> for assumed roles, the account id for the root. */
  userId: string;
  /** The IAM user or role whose identity policies apply (an assumed role's role ARN). */
  policySubjectArn: string;
  /**
   * The access key that signed the request or obtained the registry token; for a console session
   * signed in with a password, which has none, CONSOLE_PASSWORD_KEY.
   */
  accessKeyId: string;
}

/** Stands in for the access key of a user signed in to the console with a password: no key has this id. */
export const CONSOLE_PASSWORD_KEY = 'console-password';

/** An IAM user as the caller, acting through `accessKeyId`. */
export function userCaller(user: PrincipalRecord, accessKeyId: string): Caller {
  return { arn: user.arn, account: user.account, kind: 'user', username: user.name, userId: user.id, policySubjectArn: user.arn, accessKeyId };
}
