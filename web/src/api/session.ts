/** The console session: who is signed in, until when, and which registry they are looking at. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { apiRequest } from './client.js';

export interface Session {
  principal: { arn: string; userName?: string; type: 'root' | 'user' | 'role' };
  /** ISO timestamp; the session ends then whatever the user is doing. */
  expiresAt: string;
  registry: { accountId: string; region: string; host: string };
}

export type Credentials = { accessKeyId: string; secretAccessKey: string } | { userName: string; password: string };

const SESSION_PATH = '/console/api/session';

export const getSession = (): Promise<Session> => apiRequest('GET', SESSION_PATH, undefined, { signedOutIsAnswer: true });
export const signIn = (credentials: Credentials): Promise<Session> => apiRequest('POST', SESSION_PATH, credentials, { signedOutIsAnswer: true });
export const signOut = (): Promise<void> => apiRequest('DELETE', SESSION_PATH, undefined, { signedOutIsAnswer: true });

/** The signed-in session; pages render only inside a provider with a live one. */
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** The URL the AWS CLI and SDKs use as --endpoint-url for this registry. */
export function endpointUrl(session: Session): string {
  return `${location.protocol}//${session.registry.host}`;
}

/** The principal's short name for the header: the user name, or the last part of the ARN. */
export function principalName(session: Session): string {
  return session.principal.userName ?? (session.principal.type === 'root' ? 'root' : (session.principal.arn.split('/').pop() ?? session.principal.arn));
}
