/**
 * A server-sent-event stream on a raw Node response: unnamed `data: <json>`
 * events, a `:` comment after `heartbeatMs` of silence, and an AbortSignal
 * that fires when the client goes away before the stream ended.
 */
import type { ServerResponse } from 'node:http';

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

/** @default 15000 (EFKA-API.md) */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export class SseStream {
  readonly #res: ServerResponse;
  readonly #heartbeatMs: number;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  #corked = false;

  constructor(res: ServerResponse, options: { heartbeatMs: number; headers?: Record<string, string> }) {
    this.#res = res;
    this.#heartbeatMs = options.heartbeatMs;
    res.writeHead(200, { ...SSE_HEADERS, ...options.headers });
    res.flushHeaders();
    res.on('close', () => {
      if (!this.#ended) this.#abort.abort(new Error('client closed the stream'));
      this.#stopHeartbeat();
    });
    this.#armHeartbeat();
  }

  /** Fires when the client disconnects before end(). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get open(): boolean {
    return !this.#ended && !this.#res.destroyed && !this.#abort.signal.aborted;
  }

  send(event: object): void {
    if (!this.open) return;
    // Events produced in one burst (an engine often yields several at once)
    // leave in one write: corked until the event loop turns.
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      setImmediate(() => this.#uncork());
    }
    this.#res.write(`data: ${JSON.stringify(event)}\n\n`);
    this.#armHeartbeat();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopHeartbeat();
    this.#uncork();
    if (!this.#res.destroyed) this.#res.end();
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#res.uncork();
  }

  #armHeartbeat(): void {
    this.#stopHeartbeat();
    if (this.#ended) return;
    this.#timer = setTimeout(() => {
      if (!this.open) return;
      this.#res.write(':\n\n');
      this.#armHeartbeat();
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
