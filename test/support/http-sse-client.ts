/** A minimal SSE client on a real socket, for tests where streaming and disconnects matter. */
import http from 'node:http';

export interface SseEvent extends Record<string, unknown> {
  readonly type: string;
}

export class SseClient {
  readonly statusCode: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: SseEvent[] = [];
  heartbeats = 0;
  body = '';
  /** Resolves when the server ends the response (or the socket closes). */
  readonly ended: Promise<void>;
  readonly #request: http.ClientRequest;
  readonly #response: http.IncomingMessage;
  #buffer = '';
  #waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  private constructor(request: http.ClientRequest, response: http.IncomingMessage) {
    this.#request = request;
    this.#response = response;
    this.statusCode = response.statusCode ?? 0;
    this.headers = response.headers;
    response.setEncoding('utf8');
    this.ended = new Promise((resolve) => {
      response.on('end', resolve);
      response.on('close', resolve);
      response.on('error', () => resolve());
    });
    response.on('data', (chunk: string) => this.#onData(chunk));
    void this.ended.then(() => this.#flushWaiters(true));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) =>
        resolve(new SseClient(request, response)),
      );
      request.on('error', reject);
    });
  }

  #onData(chunk: string): void {
    this.body += chunk;
    this.#buffer += chunk;
    let end = this.#buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      if (block === ':') this.heartbeats += 1;
      else if (block.startsWith('data: ')) this.events.push(JSON.parse(block.slice(6)));
      end = this.#buffer.indexOf('\n\n');
    }
    this.#flushWaiters(false);
  }

  #flushWaiters(all: boolean): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (all || w.check()) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Resolves once `check` holds (checked after every chunk), or when the stream ends. */
  waitFor(check: (client: SseClient) => boolean): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ check: () => check(this), resolve }));
  }

  /** Drops the connection, as a closed browser tab does. */
  destroy(): void {
    this.#response.destroy();
    this.#request.destroy();
  }
}

/** A JSON request on a real socket. */
export async function requestJson(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ statusCode: number; headers: http.IncomingHttpHeaders; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    // A Buffer is sent as it is (multipart bodies); anything else as JSON.
    const raw = Buffer.isBuffer(options.body);
    const payload =
      options.body === undefined ? undefined : raw ? (options.body as Buffer) : JSON.stringify(options.body);
    const request = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(payload && !raw ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => {
          text += c;
        });
        response.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, json, text });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
