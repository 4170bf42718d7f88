/**
 * The waiting turns (TurnQueue) and one waiting turn (PendingTurn, below).
 *
 * The waiting turns, by session, and which sessions have a turn in flight.
 *
 *   session s1: [t3, t7]  ── s1 free: its head t3 is also in `ready`
 *   session s2: [t5]      ── s2 leased: t5 waits behind its own session
 *   ready: [t3, ...]      ── heads of free sessions, in arrival (seq) order
 *
 * Only ready turns compete for workers; the others wait for their session's
 * turn in flight to end, which keeps each session's turns one at a time and in
 * arrival order.
 */
import type { AcquireRequest } from './types.ts';

/** TurnQueue keeps sessions whose turn ended until this many are kept (see its #leased). */
export const SESSIONS_KEPT_BEFORE_SWEEP = 4096;

export class TurnQueue {
  readonly #ready: PendingTurn[] = [];
  readonly #bySession = new Map<string, PendingTurn[]>();
  /**
   * Sessions with a turn holding a worker (true). A session whose turn ended keeps its entry,
   * false, until more than #sweepAt are kept: deleting and re-adding a key on every turn makes
   * the Set rehash, and the warm path pays for it. #leasedCount counts the true ones.
   */
  readonly #leased = new Map<string, boolean>();
  #leasedCount = 0;
  #sweepAt = SESSIONS_KEPT_BEFORE_SWEEP;
  /** Waiting turns per user; users with none are not kept. */
  readonly #byUser = new Map<string, number>();
  #size = 0;

  /** Every waiting turn, ready or behind its session. */
  get size(): number {
    return this.#size;
  }

  /** The user's waiting turns, ready or behind their session. */
  waitingOf(userId: string): number {
    return this.#byUser.get(userId) ?? 0;
  }

  /** Turns that may take a worker now, oldest first. Do not modify. */
  get ready(): readonly PendingTurn[] {
    return this.#ready;
  }

  /** The session has a turn in flight or waiting. */
  isSessionBusy(sessionId: string): boolean {
    return this.#leased.get(sessionId) === true || this.#bySession.has(sessionId);
  }

  hasWaiting(sessionId: string): boolean {
    return this.#bySession.has(sessionId);
  }

  /** The session's oldest waiting turn. */
  headOf(sessionId: string): PendingTurn | undefined {
    return this.#bySession.get(sessionId)?.[0];
  }

  /** The session has a turn holding a worker. */
  isLeased(sessionId: string): boolean {
    return this.#leased.get(sessionId) === true;
  }

  add(turn: PendingTurn): void {
    let queue = this.#bySession.get(turn.sessionId);
    if (queue === undefined) {
      queue = [];
      this.#bySession.set(turn.sessionId, queue);
    }
    queue.push(turn);
    this.#size++;
    this.#byUser.set(turn.userId, this.waitingOf(turn.userId) + 1);
    // The newest arrival always sorts last among ready turns.
    if (queue.length === 1 && !this.isLeased(turn.sessionId)) this.#ready.push(turn);
  }

  /** Takes the ready turn at `index` out of the queue: it is getting a worker (see `lease`). */
  takeReady(index: number): PendingTurn {
    const turn = this.#ready[index];
    this.#ready.splice(index, 1);
    const queue = this.#bySession.get(turn.sessionId)!;
    queue.shift();
    if (queue.length === 0) this.#bySession.delete(turn.sessionId);
    this.#size--;
    this.#userLeft(turn.userId);
    return turn;
  }

  /** Removes a turn that leaves without a worker (abandoned, timed out, refused). */
  remove(turn: PendingTurn): void {
    const readyIndex = this.#ready.indexOf(turn);
    if (readyIndex >= 0) this.#ready.splice(readyIndex, 1);
    const queue = this.#bySession.get(turn.sessionId);
    const index = queue === undefined ? -1 : queue.indexOf(turn);
    if (queue === undefined || index < 0) return;
    queue.splice(index, 1);
    this.#size--;
    this.#userLeft(turn.userId);
    if (queue.length === 0) this.#bySession.delete(turn.sessionId);
    else if (index === 0 && !this.isLeased(turn.sessionId)) this.#insertReady(queue[0]);
  }

  /** The session's turn got a worker: its next turns wait behind it. */
  lease(sessionId: string): void {
    const kept = this.#leased.get(sessionId);
    if (kept === true) return;
    if (kept === undefined && this.#leased.size >= this.#sweepAt) this.#sweep();
    this.#leased.set(sessionId, true);
    this.#leasedCount++;
  }

  /** Sessions kept in #leased, those no longer leased included (for tests). */
  get leasedKept(): number {
    return this.#leased.size;
  }

  #sweep(): void {
    for (const [sessionId, leased] of this.#leased) if (!leased) this.#leased.delete(sessionId);
    this.#sweepAt = Math.max(SESSIONS_KEPT_BEFORE_SWEEP, 2 * this.#leased.size);
  }

  /** The session's turn ended: its next waiting turn, if any, becomes ready. */
  unlease(sessionId: string): void {
    if (this.#leased.get(sessionId) === true) {
      this.#leased.set(sessionId, false);
      this.#leasedCount--;
    }
    const queue = this.#bySession.get(sessionId);
    if (queue !== undefined) this.#insertReady(queue[0]);
  }

  /** Every waiting turn, oldest first per session (a copy). */
  all(): PendingTurn[] {
    return [...this.#bySession.values()].flat();
  }

  sessionStats(): { sessions: number; queuedTurns: number } {
    let sessions = this.#leasedCount;
    for (const sessionId of this.#bySession.keys()) if (!this.isLeased(sessionId)) sessions++;
    return { sessions, queuedTurns: this.#size };
  }

  #userLeft(userId: string): void {
    const left = this.waitingOf(userId) - 1;
    if (left > 0) this.#byUser.set(userId, left);
    else this.#byUser.delete(userId);
  }

  #insertReady(turn: PendingTurn): void {
    let i = this.#ready.length;
    while (i > 0 && this.#ready[i - 1].seq > turn.seq) i--;
    this.#ready.splice(i, 0, turn);
  }
}

/**
 * A turn waiting for a worker. It owns its acquire-timeout timer and its abort
 * listener, and removes both the moment it settles, so a turn that leaves the
 * queue (served, timed out, abandoned, refused) leaves nothing behind.
 */

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
