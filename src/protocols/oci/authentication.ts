import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Authenticator } from '../../domain/identity/authenticator.js';
import type { Caller } from '../../domain/identity/caller.js';

/** ECR's registry user name: the password is a token from GetAuthorizationToken. */
export const REGISTRY_USER = 'AWS';

/** The caller behind `Authorization: Basic base64("AWS:<token>")`, as `docker login` sends it; synchronous for a remembered token. */
export function authenticateOci(authenticator: Authenticator, request: FastifyRequest): Caller | Promise<Caller> {
  const header = request.headers.authorization;
  if (!header) throw new DomainError('UNAUTHORIZED', 'authentication required: log in with `aws ecr get-login-password | docker login --username AWS --password-stdin <registry>`');
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) throw new DomainError('UNAUTHORIZED', 'this registry accepts Basic authentication with the user AWS and a password from `aws ecr get-login-password`');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  if (user !== REGISTRY_USER) throw new DomainError('UNAUTHORIZED', `the registry user name is AWS, not "${user.slice(0, 64)}"; the password comes from \`aws ecr get-login-password\``);
  return authenticator.callerForRegistryToken(decoded.slice(colon + 1));
}

/** The challenge ECR sends, so clients know to log in with Basic credentials. */
export function basicChallenge(request: FastifyRequest): string {
  return `Basic realm="${request.protocol}://${request.host}/",service="ecr.amazonaws.com"`;
}
