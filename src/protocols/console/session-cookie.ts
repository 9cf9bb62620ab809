import type { FastifyRequest } from 'fastify';

/** The cookie that carries a console session's opaque id. */
export const SESSION_COOKIE = 'berth_console_session';
/** Sent only with requests to the console (its pages and API), never to /v2 or the ECR API. */
const COOKIE_PATH = '/console';

/** The session token the request's cookie carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites' requests do not
 * carry it), Secure over HTTPS, living as long as the session.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.ceil(maxAgeSeconds));
  return [`${SESSION_COOKIE}=${token}`, `Path=${COOKIE_PATH}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Tells the browser to drop the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
