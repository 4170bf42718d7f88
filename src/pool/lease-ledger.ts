/**
 * The bookkeeping of leases. Going out, a lease binds its worker to the
 * session, marks the session leased, the worker busy and the user one lease
 * heavier, and is counted and reported; coming back, the worker is no longer
 * busy, the user one lighter, and the turn's outcome is counted and reported.
 * What becomes of the worker and when the session is free again is the
 * pool's decision.
 */

import { type LeaseHost, type LeaseVerdict, PoolLease } from './lease.ts';
import type { EventHub, PoolCounters } from './pool-counters.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { AcquireRequest, TurnLease } from './types.ts';
import type { WorkerSet, WorkerSlot } from './worker-set.ts';

type Placement = TurnLease<unknown, unknown>['placement'];

/** UserLeases keeps users holding no lease until this many are kept (see there). */
export const USERS_KEPT_BEFORE_SWEEP = 1024;

export class LeaseLedger<TInput, TEvent> {
  readonly #host: LeaseHost<TInput, TEvent>;
  readonly #workers: WorkerSet<TInput, TEvent>;
  readonly #turns: TurnQueue;
  readonly #counters: PoolCounters;
  readonly #events: EventHub;
  readonly #users = new UserLeases();

  constructor(
    host: LeaseHost<TInput, TEvent>,
    workers: WorkerSet<TInput, TEvent>,
    turns: TurnQueue,
    counters: PoolCounters,
    events: EventHub,
  ) {
    this.#host = host;
    this.#workers = workers;
    this.#turns = turns;
    this.#counters = counters;
    this.#events = events;
  }

  /** Leases the user holds now. */
  userLoad(userId: string): number {
    return this.#users.load(userId);
  }

  /** Leases the worker (already out of spares and idle) for the request's turn. */
  open(
    slot: WorkerSlot<TInput, TEvent>,
    request: AcquireRequest,
    placement: Placement,
    waitedMs: number,
  ): PoolLease<TInput, TEvent> {
    const sessionId = request.session.id;
    slot.sessionId = sessionId;
    slot.fresh = false;
    this.#turns.lease(sessionId);
    this.#users.add(request.userId);
    this.#counters.countLease(placement, slot.shielded, waitedMs);
    slot.shielded = false;
    const lease = new PoolLease(this.#host, slot, request, placement, waitedMs);
    this.#workers.markBusy(slot, lease);
    if (this.#events.active) {
      this.#events.emit({ type: 'turn_acquired', sessionId, workerId: slot.worker.id, placement, waitedMs });
    }
    return lease;
  }

  /** The lease's worker came back; the session stays leased until the pool frees it. */
  close(lease: PoolLease<TInput, TEvent>, verdict: LeaseVerdict): void {
    const slot = lease.slot;
    this.#workers.unmarkBusy(slot);
    this.#users.release(lease.request.userId);
    if (verdict.ran) {
      slot.turns++;
      if (lease.placement === 'cold') this.#measureColdStart(slot);
    }
    const outcome = verdict.outcome;
    if (outcome === undefined) return;
    const durationMs = verdict.durationMs ?? 0;
    this.#counters.countOutcome(outcome, durationMs);
    this.#events.emit({
      type: 'turn_finished',
      sessionId: lease.request.session.id,
      workerId: lease.workerId,
      outcome,
      durationMs,
    });
  }

  /** A worker started for its session ran its first turn: what its start cost, all told, if it reports readiness. */
  #measureColdStart(slot: WorkerSlot<TInput, TEvent>): void {
    const readyAfter = slot.worker.readyAfterMs?.();
    if (readyAfter !== undefined) this.#counters.coldStartMs.observe(slot.startMs + readyAfter);
  }
}

/**
 * Workers held per user (leases out), for maxTurnsPerUser. A user holding
 * none keeps an entry at 0 until a new user would make more than #sweepAt
 * entries, when the zeros are swept (and #sweepAt is at least twice what is
 * left, so a sweep is paid for by as many adds): deleting and re-adding a key
 * on every turn makes the Map rehash, and the warm path pays for it.
 */
export class UserLeases {
  /** A holder per user, counted in place: after a user's first lease, add and release are one lookup each. */
  readonly #held = new Map<string, { leases: number }>();
  #sweepAt = USERS_KEPT_BEFORE_SWEEP;

  /** Leases the user holds now. */
  load(userId: string): number {
    return this.#held.get(userId)?.leases ?? 0;
  }

  add(userId: string): void {
    const held = this.#held.get(userId);
    if (held !== undefined) {
      held.leases++;
      return;
    }
    if (this.#held.size >= this.#sweepAt) this.#sweep();
    this.#held.set(userId, { leases: 1 });
  }

  release(userId: string): void {
    this.#held.get(userId)!.leases--;
  }

  /** Entries kept, zeros included (for tests). */
  get size(): number {
    return this.#held.size;
  }

  #sweep(): void {
    for (const [userId, held] of this.#held) if (held.leases === 0) this.#held.delete(userId);
    this.#sweepAt = Math.max(USERS_KEPT_BEFORE_SWEEP, 2 * this.#held.size);
  }
}
