import type { FastifyReply } from 'fastify';
import { type ErrorCode, isDomainError } from '../../domain/errors.js';
import { type EcrWireError, sendAwsError, sendEcrError } from '../ecr/errors.js';

/**
 * The console API answers errors as the ECR API does (`{"__type","message"}` with ECR's status), through
 * ECR's one table, except the failures of signing in and of the session itself, which have their own
 * answers here: the browser tells them apart to show the sign-in page.
 */
export const CONSOLE_SESSION_ERRORS: Partial<Record<ErrorCode, EcrWireError>> = {
  CREDENTIALS_UNKNOWN: { type: 'InvalidCredentials', status: 401 },
  UNAUTHORIZED: { type: 'NotSignedIn', status: 401 },
  CREDENTIALS_EXPIRED: { type: 'SessionExpired', status: 401 },
};

/** Too many failed sign-ins from one address. */
export const SIGN_IN_THROTTLED: EcrWireError = { type: 'ThrottlingException', status: 429 };
/** A state-changing request without the console's header: not sent by the console's own pages. */
export const CROSS_SITE_REFUSED: EcrWireError = { type: 'AccessDeniedException', status: 403 };
/** A console page or API path that does not exist. */
export const NOT_FOUND: EcrWireError = { type: 'NotFoundException', status: 404 };
/** An image without a stored inventory has no SBOM to download. */
export const SBOM_NOT_FOUND: EcrWireError = { type: 'ScanNotFoundException', status: 404 };

/** A failure of signing in or of resolving the session; anything else as the ECR API sends it. */
export function sendSessionError(reply: FastifyReply, err: unknown): FastifyReply {
  const wire = isDomainError(err) ? CONSOLE_SESSION_ERRORS[err.code] : undefined;
  return wire ? sendAwsError(reply, wire, (err as Error).message) : sendEcrError(reply, err);
}
