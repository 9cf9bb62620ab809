/** A client of Berth's console API over fetch, keeping the session cookie as a browser does. */

export const CONSOLE_HEADER = { 'x-berth-console': '1' };

export interface ConsoleResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: T;
  text: string;
}

export class ConsoleClient {
  /** The session cookie's value, as the browser holds it; undefined when it holds none. */
  sessionCookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  /**
   * One request; non-GET requests carry the console's header unless `consoleHeader` is false. The
   * cookie goes with every request and Set-Cookie answers update it.
   */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; consoleHeader?: boolean } = {},
  ): Promise<ConsoleResponse<T>> {
    const headers: Record<string, string> = {
      ...(method !== 'GET' && options.consoleHeader !== false && CONSOLE_HEADER),
      ...(this.sessionCookie !== undefined && { cookie: `berth_console_session=${this.sessionCookie}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    };
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const value = pair.slice(pair.indexOf('=') + 1);
      this.sessionCookie = /;\s*Max-Age=0(;|$)/i.test(cookie) || value === '' ? undefined : value;
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  signIn(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | { userName: string; password: string }) {
    return this.request('POST', '/console/api/session', { body: credentials });
  }

  session() {
    return this.request('GET', '/console/api/session');
  }

  signOut() {
    return this.request('DELETE', '/console/api/session');
  }

  /** An ECR operation through the console, its input as the ECR API takes it. */
  ecr<T = Record<string, unknown>>(operation: string, input: object = {}) {
    return this.request<T>('POST', `/console/api/ecr/${operation}`, { body: input });
  }

  get<T = Record<string, unknown>>(path: string, query: Record<string, string> = {}) {
    const search = new URLSearchParams(query).toString();
    return this.request<T>('GET', `${path}${search ? `?${search}` : ''}`);
  }
}
