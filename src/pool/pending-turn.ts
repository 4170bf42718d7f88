/**
 * A turn waiting for a worker. It owns its acquire-timeout timer and its abort
 * listener, and removes both the moment it settles, so a turn that leaves the
 * queue (served, timed out, abandoned, refused) leaves nothing behind.
 */
import type { AcquireRequest } from './types.ts';

export interface PendingTurnHooks {
  /** The caller's signal fired while waiting. */
  onAbort(turn: PendingTurn): void;
  /** The acquire timeout elapsed while waiting. */
  onTimeout(turn: PendingTurn): void;
}

export class PendingTurn {
  readonly request: AcquireRequest;
  readonly sessionId: string;
  readonly userId: string;
  /** Arrival order across the whole pool; waiters are served by it. */
  readonly seq: number;
  readonly enqueuedAt: number;
  readonly promise: Promise<unknown>;
  /** True once the turn left the queue (any way); every later settle is ignored. */
  settled = false;
  /** Times a worker start made for this turn failed. */
  failedStarts = 0;
  /**
   * Set the first time an eviction shield kept this turn from evicting an idle
   * worker: from then on (shield clock) no shield holds it back any more.
   */
  shieldDeadline: number | undefined = undefined;
  /** When it began to wait, on the shield clock (the pool sets it when queueing). */
  waitingSince = 0;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #hooks: PendingTurnHooks;

  constructor(request: AcquireRequest, seq: number, now: number, timeoutMs: number, hooks: PendingTurnHooks) {
    this.request = request;
    this.sessionId = request.session.id;
    this.userId = request.userId;
    this.seq = seq;
    this.enqueuedAt = now;
    this.#hooks = hooks;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#timer = setTimeout(this.#handleTimeout, timeoutMs);
    request.signal?.addEventListener('abort', this.#handleAbort, { once: true });
  }

  fulfil(value: unknown): void {
    if (this.#finish()) this.#resolve(value);
  }

  fail(error: Error): void {
    if (this.#finish()) this.#reject(error);
  }

  #finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.request.signal?.removeEventListener('abort', this.#handleAbort);
    return true;
  }

  readonly #handleAbort = (): void => {
    if (!this.settled) this.#hooks.onAbort(this);
  };

  readonly #handleTimeout = (): void => {
    this.#timer = undefined;
    if (!this.settled) this.#hooks.onTimeout(this);
  };
}
