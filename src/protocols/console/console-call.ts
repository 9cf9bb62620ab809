import type { Caller } from '../../domain/identity/caller.js';
import type { AccessRequest, AccessResource } from '../../domain/policy/access-control.js';

/** A console API request once its session is resolved: who it acts as, and from where. */
export interface ConsoleCall {
  caller: Caller;
  requestId: string;
  sourceIp: string;
  secureTransport: boolean;
  /** scheme://host[:port] the browser reached. */
  endpoint: string;
}

/** The access request for an action the console takes on the caller's behalf. */
export function consoleAccessRequest(call: ConsoleCall, action: string, resource: AccessResource): AccessRequest {
  return { caller: call.caller, action, resource, sourceIp: call.sourceIp, secureTransport: call.secureTransport };
}

/** A query parameter given once, as a string; repeated or absent ones are undefined. */
export function queryText(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
