// Berth is private by default, and the bench uses it the way a CI job would. `berth serve` gets a
// known administrator key (BERTH_ADMIN_*). With that key the bench creates the benchmarked
// repository and gives it a repository policy, then replaces the administrator's AdministratorAccess
// ("*" on "*") with a scoped identity policy, and logs in with GetAuthorizationToken (what
// `aws ecr get-login-password` does). Every OCI request then carries
// `Authorization: Basic base64("AWS:<token>")` and is decided on both policies, conditions included.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AwsApi, type AwsCredentials } from './aws-api.js';
import { expectStatus, send } from './http-client.js';

/** The account and region Berth is started with: in every ARN the policies name. */
export const BENCH_SCOPE = { account: '123456789012', region: 'us-east-1' } as const;
const ADMIN_USER = 'admin';
const ADMIN_POLICY = 'AdministratorAccess';
const BENCH_POLICY = 'BenchRegistryAccess';
const PRIVATE_NETWORKS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** A new administrator key per run (the id as AWS shapes them: AKIA and 16 upper-case letters or digits). */
export function newAdminKey(): AwsCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** The environment `berth serve` reads its account, region and administrator key from; `auth` false is BERTH_AUTH=false. */
export function berthEnvironment(admin: AwsCredentials, auth: boolean): Record<string, string> {
  return {
    BERTH_ACCOUNT_ID: BENCH_SCOPE.account,
    BERTH_REGION: BENCH_SCOPE.region,
    BERTH_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
    BERTH_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
    BERTH_AUTH: String(auth),
  };
}

const repositoryArn = (pattern: string): string => `arn:aws:ecr:${BENCH_SCOPE.region}:${BENCH_SCOPE.account}:repository/${pattern}`;

/** What a CI identity that builds and pulls the bench's images is given: its repositories, no deletes, one region. */
const IDENTITY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PushAndPullBenchRepositories',
      Effect: 'Allow',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'ecr:ListImages',
        'ecr:DescribeImages',
        'ecr:DescribeRepositories',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:CreateRepository',
      ],
      Resource: repositoryArn('bench/*'),
    },
    { Sid: 'NoDeletes', Effect: 'Deny', Action: ['ecr:BatchDeleteImage', 'ecr:DeleteRepository', 'ecr:Delete*Policy'], Resource: '*' },
    { Sid: 'HomeRegionOnly', Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': BENCH_SCOPE.region } } },
  ],
};

/** The benchmarked repository's policy: the account pulls, the CI user pushes, nothing from outside private networks. */
const REPOSITORY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AccountPulls',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${BENCH_SCOPE.account}:root` },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    },
    {
      Sid: 'CiPushes',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${BENCH_SCOPE.account}:user/${ADMIN_USER}` },
      Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
    },
    { Sid: 'PrivateNetworksOnly', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { NotIpAddress: { 'aws:SourceIp': PRIVATE_NETWORKS } } },
  ],
};

/**
 * Sets up the policies on a Berth started with berthEnvironment(admin, true), logs in, checks that a
 * request without credentials is refused, and returns the Authorization header for every OCI request.
 */
export async function restrictAndLogIn(base: URL, admin: AwsCredentials, repository: string): Promise<string> {
  const api = new AwsApi(base, admin, BENCH_SCOPE.region);
  await api.ecr('CreateRepository', { repositoryName: repository });
  await api.ecr('SetRepositoryPolicy', { repositoryName: repository, policyText: JSON.stringify(REPOSITORY_POLICY) });
  await api.iam('PutUserPolicy', { UserName: ADMIN_USER, PolicyName: BENCH_POLICY, PolicyDocument: JSON.stringify(IDENTITY_POLICY) });
  await api.iam('DeleteUserPolicy', { UserName: ADMIN_USER, PolicyName: ADMIN_POLICY });
  const login = await api.ecr('GetAuthorizationToken', {});
  const token = (login.authorizationData as { authorizationToken?: string }[] | undefined)?.[0]?.authorizationToken;
  if (!token) throw new Error(`GetAuthorizationToken: no authorizationToken in ${JSON.stringify(login).slice(0, 300)}`);
  const agent = new http.Agent({ keepAlive: false });
  expectStatus(await send(agent, new URL('/v2/', base), { method: 'GET' }), [401], 'GET /v2/ without credentials');
  return `Basic ${token}`;
}
