import type { FastifyRequest } from 'fastify';

/** Query parameters that carry credentials: presigned SigV4 URLs and layer download URLs. */
const SECRET_PARAMETERS = /^(x-amz-signature|x-amz-security-token|x-amz-credential|download-token)$/i;

/** The URL as it may be logged: credential-bearing query values replaced, so logs never hold secrets. */
export function redactedUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // Logged as sent.
      }
      return SECRET_PARAMETERS.test(decoded) ? `${name}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

/** How requests appear in the log: no headers (they carry credentials), a redacted URL. */
export function requestLogView(request: FastifyRequest) {
  return { method: request.method, url: redactedUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}
