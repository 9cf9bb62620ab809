import path from 'node:path';
import { composeServices } from '../app/compose.js';
import type { Config } from '../app/config.js';
import { ADMIN_CREDENTIALS_FILE, type AdminCredentials, administratorCaller, ensureAdministrator } from '../app/administrator.js';
import { buildServer } from '../app/server.js';

/** Runs the registry until SIGTERM/SIGINT, then shuts down gracefully (in-flight requests finish). */
export async function serve(config: Config): Promise<void> {
  const services = await composeServices(config);
  const admin = await ensureAdministrator(config, services.identities);
  const openAccessAs = config.auth ? undefined : await administratorCaller(services.authenticator, admin.credentials);
  const server = buildServer(config, services, { ...(openAccessAs && { openAccessAs }) });
  const { url, port } = await server.listen();
  if (openAccessAs) server.app.log.warn('authentication is OFF (auth=false): anyone who can reach this port has full access; use it only for benchmarks and throwaway registries');
  process.stderr.write(banner(url, port, config, admin));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** What to paste to start using the registry; the secret is shown only when it was just created. */
function banner(url: string, port: number, config: Config, admin: { credentials: AdminCredentials; created: boolean }): string {
  const registry = url.replace(/^https?:\/\//, '');
  const credentialsFile = path.join(path.resolve(config.dataDir), ADMIN_CREDENTIALS_FILE);
  const secret = admin.created ? admin.credentials.secretAccessKey : `<secretAccessKey from ${credentialsFile}>`;
  const repoHint = config.createOnPush
    ? '  (create-on-push is on: pushing to a new repository creates it)'
    : `  aws ecr create-repository --repository-name my-app    # repositories are explicit, as in ECR`;
  return [
    '',
    `Berth is serving the ECR API at ${url}/ and the OCI registry API at ${url}/v2/ (port ${port})`,
    `Account ${config.accountId}, region ${config.region}.`,
    '',
    admin.created ? `Administrator access key created and saved (mode 0600) in ${credentialsFile}:` : `Administrator access key (saved in ${credentialsFile}):`,
    `  export AWS_ACCESS_KEY_ID=${admin.credentials.accessKeyId}`,
    `  export AWS_SECRET_ACCESS_KEY=${secret}`,
    `  export AWS_DEFAULT_REGION=${config.region} AWS_ENDPOINT_URL=${url}`,
    'or keep them in a profile:',
    `  aws configure set aws_access_key_id ${admin.credentials.accessKeyId} --profile berth`,
    `  aws configure set aws_secret_access_key ${secret} --profile berth`,
    `  aws configure set region ${config.region} --profile berth`,
    `  aws configure set endpoint_url ${url} --profile berth    # then: aws --profile berth ecr …`,
    '',
    'Log in and push an image:',
    repoHint,
    `  aws ecr get-login-password | docker login --username AWS --password-stdin ${registry}`,
    `  docker tag my-app:latest ${registry}/my-app:latest`,
    `  docker push ${registry}/my-app:latest`,
    '',
    `Pull it back:  docker pull ${registry}/my-app:latest`,
    '',
    `Web console: ${url}/console (sign in with the access key above)`,
    '',
  ].join('\n');
}
