/** The real `aws` CLI (and boto3) pointed at a test server, with no configuration from the machine leaking in. */
import { run, type RunResult, which } from './tools.js';
import type { TestCredentials } from './aws-request.js';

/** No configuration or credentials file from the machine: the environment says everything. */
const NO_FILE = '/dev/null';

/** Why the aws CLI can't be used here, or undefined when it can. */
export function awsCliUnavailable(): string | undefined {
  return which('aws') ? undefined : 'the aws CLI is not installed (pip install awscli)';
}

/** Why boto3 can't be used here, or undefined when it can. */
export async function boto3Unavailable(): Promise<string | undefined> {
  if (!which('python3')) return 'python3 is not installed';
  const probe = await run('python3', ['-c', 'import boto3']);
  return probe.code === 0 ? undefined : 'boto3 is not installed (pip install boto3)';
}

/** The environment an AWS client needs to talk to the server as `credentials`. */
export function awsEnv(credentials: TestCredentials, region: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, AWS_SESSION_TOKEN: _t, AWS_PROFILE: _p, AWS_ENDPOINT_URL: _e, ...base } = process.env;
  return {
    ...base,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: NO_FILE,
    AWS_SHARED_CREDENTIALS_FILE: NO_FILE,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  };
}

/** Runs `aws <args> --endpoint-url <url> --output json`. */
export function aws(url: string, credentials: TestCredentials, region: string, args: string[], input?: string): Promise<RunResult> {
  return run('aws', [...args, '--endpoint-url', url, '--output', 'json'], { env: awsEnv(credentials, region), ...(input !== undefined && { input }), timeoutMs: 60_000 });
}

/** Runs a Python script with boto3 against the server; the script reads ENDPOINT from the environment and prints JSON. */
export function boto3(url: string, credentials: TestCredentials, region: string, script: string): Promise<RunResult> {
  return run('python3', ['-c', script], { env: awsEnv(credentials, region, { ENDPOINT: url }), timeoutMs: 60_000 });
}
