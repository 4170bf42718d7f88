/**
 * A server-sent-event stream on a raw Node response: unnamed `data: <json>`
 * events, a `:` comment after `heartbeatMs` of silence, and an AbortSignal
 * that fires when the client goes away before the stream ended.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

/** @default 15000 (docs/compatibility.md) */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export class SseStream {
  readonly #res: ServerResponse;
  readonly #heartbeatMs: number;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  /** Events of the current burst, written together when the event loop turns. */
  #pending: string[] = [];
  #sentAny = false;

  constructor(res: ServerResponse, options: { heartbeatMs: number; headers?: Record<string, string | string[]> }) {
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
    const line = `data: ${JSON.stringify(event)}\n\n`;
    if (!this.#sentAny) {
      // The first event (the session) goes at once: it is the client's time to first event.
      this.#sentAny = true;
      this.#res.write(line);
      this.#armHeartbeat();
      return;
    }
    // Later events produced in one burst (an engine often yields several at
    // once) leave in one write when the event loop turns.
    if (this.#pending.length === 0) setImmediate(() => this.#flush());
    this.#pending.push(line);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopHeartbeat();
    const last = this.#pending.join('');
    this.#pending = [];
    if (!this.#res.destroyed) this.#res.end(last || undefined);
  }

  #flush(): void {
    if (this.#pending.length === 0 || this.#ended) return;
    const chunk = this.#pending.join('');
    this.#pending = [];
    if (this.#res.destroyed) return;
    this.#res.write(chunk);
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    if (this.#ended) return;
    if (this.#timer) {
      // Every write restarts the silence: the same timer, rescheduled (no new one per write).
      this.#timer.refresh();
      return;
    }
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

/**
 * Takes the response over from Fastify (hijack) and starts the stream with
 * the headers already set on the reply (CORS, rate limit, identity cookie).
 */
export function openSse(reply: FastifyReply, heartbeatMs: number): SseStream {
  reply.hijack();
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value : String(value);
  }
  return new SseStream(reply.raw, { heartbeatMs, headers });
}
