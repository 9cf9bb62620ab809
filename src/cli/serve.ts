import path from 'node:path';
import { composeServices } from '../app/compose.js';
import type { Config } from '../app/config.js';
import { buildServer } from '../app/server.js';

/** Runs the registry until SIGTERM/SIGINT, then shuts down gracefully (in-flight requests finish). */
export async function serve(config: Config): Promise<void> {
  const services = await composeServices(config);
  const server = buildServer(config, services);
  const { url, port } = await server.listen();
  process.stderr.write(banner(url, port, config));

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

/** How the user can run this CLI again: bin/berth from a checkout, else berth on the PATH. */
function cliName(): string {
  const script = process.argv[1];
  const relative = script ? path.relative(process.cwd(), script) : '';
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : 'berth';
}

function banner(url: string, port: number, config: Config): string {
  const registry = url.replace(/^https?:\/\//, '');
  const repoHint = config.createOnPush
    ? '  (create-on-push is on: pushing to a new repository creates it)'
    : `  ${cliName()} repo create my-app${config.dataDir !== './data' ? ` --data-dir ${config.dataDir}` : ''}    # repositories are explicit, as in ECR`;
  return [
    '',
    `Berth is serving the OCI registry API at ${url}/v2/ (port ${port})`,
    '',
    'Push an image:',
    repoHint,
    `  docker tag my-app:latest ${registry}/my-app:latest`,
    `  docker push ${registry}/my-app:latest`,
    '',
    `Pull it back:  docker pull ${registry}/my-app:latest`,
    '',
  ].join('\n');
}
