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
  /** The access key that signed the request or obtained the registry token. */
  accessKeyId: string;
}
