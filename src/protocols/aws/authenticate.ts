import type { Authenticator } from '../../domain/identity/authenticator.js';
import type { Caller } from '../../domain/identity/caller.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { ReplayGuard } from './replay-guard.js';
import { type SignedRequest, type SigningService, verifySigV4 } from './sigv4.js';

export interface AwsAuthentication {
  authenticator: Authenticator;
  replays: ReplayGuard;
  clock: Clock;
}

const INVOCATION_ID = 'amz-sdk-invocation-id';

/** The caller behind a SigV4-signed ECR, IAM or STS request, and the service it signed for: signature verified, replays refused. */
export async function authenticateAwsRequest(
  auth: AwsAuthentication,
  request: SignedRequest,
  services: readonly [SigningService, ...SigningService[]],
): Promise<{ caller: Caller; service: SigningService }> {
  const verified = await verifySigV4(request, {
    services,
    now: auth.clock.now(),
    lookupCredentials: async (accessKeyId) => {
      const key = await auth.authenticator.credentials(accessKeyId);
      return key && { secretAccessKey: key.secretAccessKey, ...(key.sessionToken !== undefined && { sessionToken: key.sessionToken }) };
    },
  });
  auth.replays.admit(replayKey(request, verified.signature), verified.expiresAt, auth.clock.now());
  const key = await auth.authenticator.credentials(verified.accessKeyId);
  return { caller: key!.caller, service: verified.service };
}

/**
 * What makes a request a replay. botocore (the aws CLI, boto3) does not sign its per-call invocation id,
 * so two identical calls it makes in one second share a signature; keying on the unsigned id as well
 * lets those through while a verbatim replay is still refused. Where the id is signed (the JS SDK) or
 * absent, the signature alone decides.
 */
function replayKey(request: SignedRequest, signature: string): string {
  const invocationId = request.headers[INVOCATION_ID];
  if (invocationId === undefined) return signature;
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';') ?? [];
  return signedHeaders.includes(INVOCATION_ID) ? signature : `${signature}/${invocationId.slice(0, 64)}`;
}
