// One client for the server's HTTP API: JSON calls and streamed (SSE) calls,
// with the admin token as a Bearer header when there is one, and errors turned
// into ApiError from the server's single error shape
// `{ error: { code, message }, detail }`.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds from the `Retry-After` header (503 busy), or null. */
  readonly retryAfterSec: number | null;

  constructor(status: number, code: string, message: string, retryAfterSec: number | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSec = retryAfterSec;
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function messageFromBody(body: unknown, fallback: string): { code: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const error = record.error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as Record<string, unknown>;
      return {
        code: typeof code === 'string' ? code : 'HTTP_ERROR',
        message: typeof message === 'string' && message !== '' ? message : fallback,
      };
    }
    if (typeof error === 'string' && error !== '') return { code: 'HTTP_ERROR', message: error };
    if (typeof record.detail === 'string' && record.detail !== '')
      return { code: 'HTTP_ERROR', message: record.detail };
    if (typeof record.message === 'string' && record.message !== '')
      return { code: 'HTTP_ERROR', message: record.message };
  }
  return { code: 'HTTP_ERROR', message: fallback };
}

/** Builds an ApiError from a failed response (reads its body). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const fallback = `${response.status} ${response.statusText || 'error'}`.trim();
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: keep the status line as the message.
  }
  const { code, message } = messageFromBody(body, fallback);
  return new ApiError(response.status, code, message, parseRetryAfter(response.headers.get('Retry-After')));
}

export class ApiClient {
  readonly #token: string | null;
  readonly #onUnauthorized: (() => void) | undefined;

  /** `onUnauthorized` runs when a call with a token gets 401 (the token was changed or revoked). */
  constructor(token: string | null = null, onUnauthorized?: () => void) {
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  /** Lets code outside this client (an upload XHR) report a 401 the same way. */
  reportUnauthorized(status: number): void {
    if (status === 401 && this.#token) this.#onUnauthorized?.();
  }

  get token(): string | null {
    return this.#token;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extra };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    return headers;
  }

  async #send(method: string, path: string, body: unknown, signal?: AbortSignal, accept?: string): Promise<Response> {
    const extra: Record<string, string> = {};
    if (body !== undefined) extra['Content-Type'] = 'application/json';
    if (accept) extra.Accept = accept;
    const response = await fetch(path, {
      method,
      headers: this.#headers(extra),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!response.ok) {
      this.reportUnauthorized(response.status);
      throw await errorFromResponse(response);
    }
    return response;
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await (await this.#send('GET', path, undefined, signal)).json()) as T;
  }

  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return (await (await this.#send('POST', path, body, signal)).json()) as T;
  }

  async delete<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await (await this.#send('DELETE', path, undefined, signal)).json()) as T;
  }

  /** Opens a server-sent-event stream; an error status arrives as ApiError before any event. */
  openStream(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    return this.#send(method, path, body, signal, 'text/event-stream');
  }

  /** Headers for a request made outside this client (an upload XHR). */
  authHeaders(): Record<string, string> {
    return this.#token ? { Authorization: `Bearer ${this.#token}` } : {};
  }
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
