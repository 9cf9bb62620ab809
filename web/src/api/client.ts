/**
 * The one way the console talks to Berth: JSON over fetch with the session cookie, every failure as an
 * ApiError carrying the wire's `__type` and message, and a signed-out answer reported to one listener
 * (the app), which sends the user back to sign in.
 */

export class ApiError extends Error {
  constructor(
    /** The wire error's `__type` (e.g. AccessDeniedException), or NetworkError when Berth was not reached. */
    readonly type: string,
    message: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The console API's answers for a request without a live session. */
const SIGNED_OUT_TYPES = new Set(['NotSignedIn', 'SessionExpired']);

let signedOutListener: ((error: ApiError) => void) | undefined;

/** Registers the one listener told when any request finds the session gone. */
export function onSignedOut(listener: (error: ApiError) => void): () => void {
  signedOutListener = listener;
  return () => {
    if (signedOutListener === listener) signedOutListener = undefined;
  };
}

export interface RequestOptions {
  /** The session endpoints expect a signed-out answer and handle it themselves. */
  signedOutIsAnswer?: boolean;
  signal?: AbortSignal;
}

export async function apiRequest<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  // Berth refuses state-changing console requests without this header (CSRF defence beside SameSite cookies).
  if (method !== 'GET') headers['x-berth-console'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(options.signal && { signal: options.signal }),
    });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new ApiError('NetworkError', 'Berth could not be reached. Check the connection and try again.', 0);
  }
  const text = await response.text();
  const json = parseJson(text);
  if (response.ok) return json as T;
  const wire = (json ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown };
  const message = typeof wire.message === 'string' ? wire.message : typeof wire.Message === 'string' ? wire.Message : text || response.statusText;
  const error = new ApiError(typeof wire.__type === 'string' ? wire.__type : `HTTP${response.status}`, message, response.status);
  if (response.status === 401 && SIGNED_OUT_TYPES.has(error.type) && !options.signedOutIsAnswer) signedOutListener?.(error);
  throw error;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Any thrown value as an ApiError, so every error display has a type and a message. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('Error', error instanceof Error ? error.message : String(error), 0);
}
