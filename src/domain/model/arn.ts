/** The ARNs Berth hands out and reads; one place builds them, so they are the same everywhere. */

export interface AccountScope {
  /** The registry's 12-digit account id (ECR's registryId). */
  account: string;
  region: string;
}

export function repositoryArn(scope: AccountScope, name: string): string {
  return `arn:aws:ecr:${scope.region}:${scope.account}:repository/${name}`;
}

export function rootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

/** `path` is '/' or '/a/b/'. */
export function userArn(account: string, name: string, path = '/'): string {
  return `arn:aws:iam::${account}:user${path}${name}`;
}

export function roleArn(account: string, name: string, path = '/'): string {
  return `arn:aws:iam::${account}:role${path}${name}`;
}

export function assumedRoleArn(account: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

/** The account of any arn:partition:service:region:account:resource, or undefined. */
export function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && /^\d{12}$/.test(parts[4]!) ? parts[4] : undefined;
}

/** The repository name of an ECR repository ARN, or undefined. */
export function repositoryNameOfArn(arn: string): string | undefined {
  const match = /^arn:aws:ecr:[a-z0-9-]+:\d{12}:repository\/(.+)$/.exec(arn);
  return match?.[1];
}
