/**
 * The session-aware pool of agent workers (DESIGN.md, "The pool").
 *
 * State is a handful of named collections: every worker is in exactly one of
 * the WorkerSet's spares, idle (by session, LRU first), busy, closing, or is
 * still a start in `#starting`; every waiting turn is in `#turns` (TurnQueue).
 * All placement decisions are made by `#dispatch()`; everything else only
 * changes the collections and calls it. `#shield` (EvictionShield) learns
 * each session's gaps between turns and keeps an idle worker from eviction
 * while its session is expected back sooner than a new worker would start.
 *
 *   acquire ─► #turns (ready when its session is free) ─► #dispatch ─► lease
 *   lease.run/release ─► #settleLease ─► idle | close ─► #dispatch
 */
import type { Logger } from '../logger.ts';
import {
  AcquireTimeoutError,
  PoolDrainingError,
  type PoolError,
  PoolSaturatedError,
  SessionBusyError,
  TurnAbortedError,
  WorkerStartError,
} from './errors.ts';
import { EventHub } from './event-hub.ts';
import { EvictionShield } from './eviction-shield.ts';
import { type LeaseHost, type LeaseVerdict, PoolLease } from './lease.ts';
import { validatePoolOptions } from './options.ts';
import { PendingTurn, type PendingTurnHooks } from './pending-turn.ts';
import { PoolCounters } from './pool-counters.ts';
import type { StartAttempt } from './start-attempt.ts';
import { TurnQueue } from './turn-queue.ts';
import type { AcquireRequest, Pool, PoolEvent, PoolOptions, PoolStats, RecycleReason, TurnLease } from './types.ts';
import type { PoolWorker, SessionBinding, WorkerFactory } from './worker.ts';
import { WorkerSet } from './worker-set.ts';
import { WorkerSlot } from './worker-slot.ts';
import { WorkerStarts } from './worker-starts.ts';

export interface PoolDeps {
  readonly logger?: Logger;
  /** Source of randomness for lifetime jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * Monotonic clock in ms for the gaps between a session's turns and the
   * eviction shield (tests pass a fake one). @default performance.now
   */
  readonly now?: () => number;
}

/** Consecutive failed starts after which turns waiting for a start are told instead of waiting on. */
export const START_FAILURES_BEFORE_GIVING_UP = 3;
/** The most a worker's close() may take before the pool stops counting it. */
const CLOSE_TIMEOUT_MS = 10_000;

type Slot<TInput, TEvent> = WorkerSlot<TInput, TEvent>;
type Placement = 'warm' | 'spare' | 'cold';

/** Eviction ranks (WorkerSet.takeEvictionVictim): evict first, evict last, keep. */
const EVICT = 0;
const EVICT_LAST = 1;
const KEEP = Number.POSITIVE_INFINITY;

/** One waiting turn's look for a worker to evict: the shields it met. */
interface EvictionScan {
  readonly waiter: PendingTurn;
  readonly now: number;
  readonly startCostMs: number;
  /** The earliest moment a shield that held the waiter back expires. */
  shieldedUntil: number;
  /** The first shielded worker met is the one the waiter would have evicted without shields. */
  marked: boolean;
}

export class AgentPool<TInput, TEvent> implements Pool<TInput, TEvent> {
  readonly name: string;
  readonly #options: Readonly<PoolOptions>;
  readonly #logger: Logger | undefined;
  readonly #random: () => number;

  // Workers: live ones by state, and starts in flight.
  readonly #workers: WorkerSet<TInput, TEvent>;
  readonly #starting: WorkerStarts<TInput, TEvent>;

  // Turns.
  readonly #turns = new TurnQueue();
  /** Workers held per user (leases out). */
  readonly #userLeases = new Map<string, number>();
  #seq = 0;

  // Lifecycle.
  #draining = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #dispatching = false;
  #dispatchAgain = false;

  readonly #counters = new PoolCounters();
  readonly #shield: EvictionShield;
  /** When the next shield that holds a waiting turn back expires (set by each placement pass). */
  #shieldWake = Number.POSITIVE_INFINITY;
  readonly #events: EventHub;
  /** What leases and waiting turns call back into; kept off the public surface. */
  readonly #leaseHost: LeaseHost<TInput, TEvent>;
  readonly #turnHooks: PendingTurnHooks = {
    onAbort: (turn) => this.#onTurnAbort(turn),
    onTimeout: (turn) => this.#onTurnTimeout(turn),
  };

  constructor(factory: WorkerFactory<TInput, TEvent>, options: PoolOptions, deps: PoolDeps = {}) {
    this.#options = validatePoolOptions(options);
    this.name = this.#options.name;
    this.#leaseHost = {
      turnTimeoutMs: this.#options.turnTimeoutMs,
      abortGraceMs: this.#options.abortGraceMs,
      settleLease: (lease, verdict) => this.#settleLease(lease, verdict),
    };
    this.#workers = new WorkerSet(this.#options.idleTtlMs, CLOSE_TIMEOUT_MS, {
      due: (slot, reason) => {
        this.#workers.detach(slot);
        this.#recycle(slot, reason);
        this.#dispatch();
      },
      closed: (slot, reason, problem) => {
        if (problem) {
          this.#logger?.warn({ pool: this.name, workerId: slot.worker.id, ...problem }, 'worker close failed');
        }
        this.#emit({ type: 'worker_closed', workerId: slot.worker.id, reason });
        this.#dispatch();
      },
    });
    this.#starting = new WorkerStarts(factory, this.#options, {
      started: (attempt, worker) => this.#onStarted(attempt, worker),
      failed: (_attempt, error, failures) => this.#onStartFailed(error, failures),
      backoffOver: () => this.#dispatch(),
    });
    this.#logger = deps.logger;
    this.#random = deps.random ?? Math.random;
    this.#shield = new EvictionShield(
      factory.expectedStartMs,
      this.#counters.startTimeMs,
      deps.now ?? (() => performance.now()),
      () => this.#dispatch(),
    );
    this.#events = new EventHub(this.#logger, this.name);
    this.#dispatch();
  }

  acquire(request: AcquireRequest): Promise<TurnLease<TInput, TEvent>> {
    const sessionId = request.session?.id;
    if (typeof sessionId !== 'string' || sessionId === '' || typeof request.userId !== 'string') {
      return Promise.reject(
        new TypeError(
          `Expected \`request\` to have a non-empty \`session.id\` and a \`userId\`, got \`${String(sessionId)}\`, \`${String(request.userId)}\``,
        ),
      );
    }
    if (this.#draining) {
      this.#counters.totals.rejections.draining++;
      this.#emitRejection(sessionId, 'POOL_DRAINING');
      return Promise.reject(new PoolDrainingError(`Pool ${this.name} is draining and admits no new turns`));
    }
    if (request.signal?.aborted) {
      this.#counters.totals.aborts++;
      return Promise.reject(new TurnAbortedError(`Turn of session ${sessionId} was abandoned before it was queued`));
    }
    const sessionBusy = this.#turns.isSessionBusy(sessionId);
    if (sessionBusy && this.#options.sessionPolicy === 'reject') {
      this.#counters.totals.rejections.sessionBusy++;
      this.#emitRejection(sessionId, 'POOL_SESSION_BUSY');
      return Promise.reject(new SessionBusyError(`Session ${sessionId} already has a turn in flight`));
    }
    this.#shield.arrived(sessionId, sessionBusy);
    // Fast path: nobody waits, the session is free, the user is under the cap, a worker is at hand.
    if (
      !sessionBusy &&
      this.#turns.ready.length === 0 &&
      this.#userLoad(request.userId) < this.#options.maxTurnsPerUser
    ) {
      const warm = this.#takeWarm(sessionId);
      if (warm !== undefined) return Promise.resolve(this.#lease(warm, request, warm.fresh ? 'cold' : 'warm', 0));
      const spare = this.#takeSpare();
      if (spare !== undefined) {
        const lease = this.#lease(spare, request, 'spare', 0);
        this.#dispatch();
        return Promise.resolve(lease);
      }
    }
    if (this.#turns.size >= this.#options.maxQueue) {
      this.#counters.totals.rejections.saturated++;
      this.#emitRejection(sessionId, 'POOL_SATURATED');
      return Promise.reject(
        new PoolSaturatedError(`Pool ${this.name} is saturated: ${this.#describeQueue()}`, {
          retryAfterS: this.#retryAfterS(),
        }),
      );
    }
    return this.#enqueue(request);
  }

  #enqueue(request: AcquireRequest): Promise<TurnLease<TInput, TEvent>> {
    const turn = new PendingTurn(
      request,
      ++this.#seq,
      performance.now(),
      this.#options.acquireTimeoutMs,
      this.#turnHooks,
    );
    this.#turns.add(turn);
    if (this.#events.active) this.#emit({ type: 'turn_queued', sessionId: turn.sessionId, userId: turn.userId });
    this.#dispatch();
    return turn.promise as Promise<TurnLease<TInput, TEvent>>;
  }

  /**
   * The one placement function. For each ready turn in arrival order (skipping
   * users at their cap and sessions whose worker is already starting): warm
   * worker, else spare, else start one if below maxWorkers, else wait for a
   * closing worker or a spare on its way, else evict the LRU idle worker that
   * no shield protects (EvictionShield; a shield holds one turn back for one
   * window at most, and a timer wakes the pass when it expires). Then tops up
   * spares if no turn is short of a worker.
   */
  #dispatch(): void {
    if (this.#dispatching) {
      this.#dispatchAgain = true;
      return;
    }
    this.#dispatching = true;
    try {
      do {
        this.#dispatchAgain = false;
        const short = this.#placeReadyTurns();
        if (!short) this.#topUpSpares();
      } while (this.#dispatchAgain);
      this.#shield.wakeAt(this.#shieldWake);
    } finally {
      this.#dispatching = false;
    }
    this.#checkDrained();
  }

  /** Returns true when some turn is still waiting for capacity. */
  #placeReadyTurns(): boolean {
    this.#shieldWake = Number.POSITIVE_INFINITY;
    const ready = this.#turns.ready;
    if (ready.length === 0 || this.#draining) return false;
    const cap = this.#options.maxTurnsPerUser;
    // Workers a user holds = leases (live count) + starts in flight for their waiting turns.
    const reserved = new Map<string, number>();
    for (const turn of ready) {
      if (this.#starting.isStartingFor(turn.sessionId)) reserved.set(turn.userId, (reserved.get(turn.userId) ?? 0) + 1);
    }
    /** The turn cannot take a worker in this pass (its own is starting, or its user is at the cap). */
    const blocked = (turn: PendingTurn): boolean => {
      // A turn whose worker is starting waits for it, unless a spare turned up first.
      const ownStart = this.#starting.isStartingFor(turn.sessionId);
      if (ownStart && this.#workers.spares === 0) return true;
      // Its own start in flight is not one more worker for the user.
      return this.#userLoad(turn.userId) + (reserved.get(turn.userId) ?? 0) - (ownStart ? 1 : 0) >= cap;
    };
    let incoming = this.#workers.closing + this.#starting.spareStarts;
    let short = false;
    let canGrow = !this.#starting.backingOff;
    // Set once a shield held a turn back: younger turns do not evict before it (unless their own deadline passed).
    let shielded = false;
    for (let i = 0; i < ready.length; ) {
      const turn = ready[i];
      const sessionId = turn.sessionId;
      if (blocked(turn)) {
        i++;
        continue;
      }
      const userReserved = reserved.get(turn.userId) ?? 0;
      const warm = this.#takeWarm(sessionId);
      if (warm !== undefined) {
        this.#serve(i, warm, warm.fresh ? 'cold' : 'warm');
        continue;
      }
      const spare = this.#takeSpare();
      if (spare !== undefined) {
        this.#serve(i, spare, 'spare');
        continue;
      }
      i++;
      if (!canGrow) {
        short = true;
        continue;
      }
      if (this.#total() < this.#options.maxWorkers) {
        reserved.set(turn.userId, userReserved + 1);
        this.#startWorker(turn.request.session);
        continue;
      }
      short = true;
      if (incoming > 0) {
        incoming--;
        continue;
      }
      const now = this.#shield.now();
      const deadline = turn.shieldDeadline;
      if (shielded && (deadline === undefined || now < deadline)) {
        if (deadline !== undefined) this.#shieldWake = Math.min(this.#shieldWake, deadline);
        continue;
      }
      const scan: EvictionScan = {
        waiter: turn,
        now,
        startCostMs: this.#shield.startCostMs(),
        shieldedUntil: Number.POSITIVE_INFINITY,
        marked: false,
      };
      const victim = this.#workers.takeEvictionVictim((slot) => this.#evictionRank(slot, scan, blocked));
      if (victim !== undefined) {
        this.#evict(victim);
      } else if (scan.shieldedUntil === Number.POSITIVE_INFINITY) {
        canGrow = false;
      } else {
        shielded = true;
        turn.shieldDeadline ??= scan.shieldedUntil;
        this.#shieldWake = Math.min(this.#shieldWake, scan.shieldedUntil, turn.shieldDeadline);
      }
    }
    return short;
  }

  /** How willing the pool is to evict an idle worker for the scan's waiting turn (lower first). */
  #evictionRank(slot: Slot<TInput, TEvent>, scan: EvictionScan, blocked: (turn: PendingTurn) => boolean): number {
    const sessionId = slot.sessionId!;
    const head = this.#turns.headOf(sessionId);
    if (head !== undefined) {
      // Its own turn waits: it takes the worker in this very pass unless it is blocked.
      return this.#turns.isLeased(sessionId) || blocked(head) ? EVICT_LAST : KEEP;
    }
    const deadline = scan.waiter.shieldDeadline;
    if (deadline !== undefined && scan.now >= deadline) return EVICT;
    const until = this.#shield.shieldedUntil(sessionId, scan.startCostMs);
    if (scan.now >= until) return EVICT;
    if (!scan.marked) {
      scan.marked = true;
      slot.shielded = true;
    }
    scan.shieldedUntil = Math.min(scan.shieldedUntil, until);
    return KEEP;
  }

  #topUpSpares(): void {
    if (this.#draining || this.#starting.backingOff) return;
    while (
      this.#workers.spares + this.#starting.spareStarts < this.#options.minSpares &&
      this.#total() < this.#options.maxWorkers
    ) {
      this.#startWorker(undefined);
    }
  }

  /** Takes the idle worker bound to the session if it is alive; a dead one is discarded on the way. */
  #takeWarm(sessionId: string): Slot<TInput, TEvent> | undefined {
    const slot = this.#workers.takeIdle(sessionId);
    if (slot === undefined || slot.worker.isAlive()) return slot;
    this.#discardDead(slot);
    return undefined;
  }

  #takeSpare(): Slot<TInput, TEvent> | undefined {
    for (let slot = this.#workers.takeSpare(); slot !== undefined; slot = this.#workers.takeSpare()) {
      if (slot.worker.isAlive()) return slot;
      this.#discardDead(slot);
    }
    return undefined;
  }

  #discardDead(slot: Slot<TInput, TEvent>): void {
    this.#counters.totals.replacements++;
    this.#workers.close(slot, 'dead');
  }

  /** Closes an idle worker (already out of `idle`) to make room for another session. */
  #evict(slot: Slot<TInput, TEvent>): void {
    this.#counters.totals.evictions++;
    this.#emit({ type: 'worker_evicted', workerId: slot.worker.id, sessionId: slot.sessionId! });
    this.#workers.close(slot, 'evicted');
  }

  /** Gives the worker to the ready turn at `index` (the head of its session's queue). */
  #serve(index: number, slot: Slot<TInput, TEvent>, placement: Placement): void {
    const turn = this.#turns.takeReady(index);
    turn.fulfil(this.#lease(slot, turn.request, placement, performance.now() - turn.enqueuedAt));
  }

  #lease(slot: Slot<TInput, TEvent>, request: AcquireRequest, placement: Placement, waitedMs: number) {
    const sessionId = request.session.id;
    slot.sessionId = sessionId;
    slot.fresh = false;
    this.#turns.lease(sessionId);
    this.#userLeases.set(request.userId, (this.#userLeases.get(request.userId) ?? 0) + 1);
    const totals = this.#counters.totals;
    totals.turns++;
    if (placement === 'warm') {
      totals.warmHits++;
      if (slot.shielded) totals.protectedWarmHits++;
    } else if (placement === 'spare') totals.spareHits++;
    else totals.coldStarts++;
    slot.shielded = false;
    this.#counters.acquireWaitMs.observe(waitedMs);
    const lease = new PoolLease(this.#leaseHost, slot, request, placement, waitedMs);
    this.#workers.markBusy(slot, lease);
    if (this.#events.active) {
      this.#emit({ type: 'turn_acquired', sessionId, workerId: slot.worker.id, placement, waitedMs });
    }
    return lease;
  }

  /** Called once per lease, when its worker comes back (see PoolLease). */
  #settleLease(lease: PoolLease<TInput, TEvent>, verdict: LeaseVerdict): void {
    const slot = lease.slot;
    const sessionId = lease.request.session.id;
    const userId = lease.request.userId;
    this.#workers.unmarkBusy(slot);
    const held = this.#userLeases.get(userId)! - 1;
    if (held === 0) this.#userLeases.delete(userId);
    else this.#userLeases.set(userId, held);
    if (verdict.ran) slot.turns++;
    if (verdict.outcome !== undefined) this.#finishTurn(lease, verdict);

    const now = performance.now();
    const fate = verdict.discard ?? this.#retirement(slot, verdict.ran, now);
    if (fate === undefined) {
      this.#putIdle(slot, now);
    } else if (fate === 'idle_ttl' || fate === 'max_turns' || fate === 'max_lifetime' || fate === 'memory') {
      this.#recycle(slot, fate);
    } else {
      if (!this.#draining) this.#counters.totals.replacements++;
      this.#workers.close(slot, fate);
    }

    this.#turns.unlease(sessionId);
    this.#shield.ended(sessionId);
    if (
      this.#turns.ready.length > 0 ||
      this.#workers.spares + this.#starting.spareStarts < this.#options.minSpares ||
      this.#draining
    ) {
      this.#dispatch();
    }
  }

  #finishTurn(lease: PoolLease<TInput, TEvent>, verdict: LeaseVerdict): void {
    const outcome = verdict.outcome!;
    const durationMs = verdict.durationMs ?? 0;
    if (outcome === 'crashed') this.#counters.totals.crashes++;
    else if (outcome === 'timeout') this.#counters.totals.turnTimeouts++;
    else if (outcome === 'aborted') this.#counters.totals.aborts++;
    if (outcome === 'ok') this.#counters.observeTurn(durationMs);
    this.#emit({
      type: 'turn_finished',
      sessionId: lease.request.session.id,
      workerId: lease.workerId,
      outcome,
      durationMs,
    });
  }

  /** Why a worker coming back from a turn must go, if it must. */
  #retirement(slot: Slot<TInput, TEvent>, ran: boolean, now: number): RecycleReason | 'dead' | 'draining' | undefined {
    if (this.#draining) return 'draining';
    if (!slot.worker.isAlive()) return 'dead';
    if (ran) {
      const memory = slot.worker.memoryBytes();
      if (memory !== undefined && memory > this.#options.maxWorkerMemoryBytes) return 'memory';
      if (slot.turns >= this.#options.maxTurnsPerWorker) return 'max_turns';
    }
    if (now >= slot.retireAt) return 'max_lifetime';
    return undefined;
  }

  #putIdle(slot: Slot<TInput, TEvent>, now = performance.now()): void {
    const displaced = this.#workers.putIdle(slot, now);
    if (displaced !== undefined) this.#workers.close(displaced, 'superseded');
  }

  #userLoad(userId: string): number {
    return this.#userLeases.get(userId) ?? 0;
  }

  #total(): number {
    return this.#workers.size + this.#starting.size;
  }

  // Waiting turns leaving the queue.

  #onTurnAbort(turn: PendingTurn): void {
    this.#turns.remove(turn);
    this.#counters.totals.aborts++;
    this.#failWaiting(
      turn,
      new TurnAbortedError(`Turn of session ${turn.sessionId} was abandoned while waiting for a worker`),
    );
    this.#dispatch();
  }

  #onTurnTimeout(turn: PendingTurn): void {
    this.#turns.remove(turn);
    this.#counters.totals.timeouts++;
    const waited = Math.round(performance.now() - turn.enqueuedAt);
    this.#failWaiting(
      turn,
      new AcquireTimeoutError(
        `No worker for session ${turn.sessionId} within ${waited} ms (acquireTimeoutMs ${this.#options.acquireTimeoutMs}): ${this.#describeQueue()}`,
        { retryAfterS: this.#retryAfterS(), cause: this.#starting.lastError },
      ),
    );
    this.#dispatch();
  }

  #describeQueue(): string {
    const busy = this.#workers.busy;
    const starting = this.#starting.size;
    const ready = this.#turns.ready.length;
    const behind = this.#turns.size - ready;
    return `${busy}/${this.#options.maxWorkers} workers busy, ${starting} starting, ${ready} turns waiting for a worker, ${behind} queued behind their session (maxQueue ${this.#options.maxQueue})`;
  }

  #retryAfterS(): number {
    const turnMs = this.#counters.turnMsAverage || 5_000;
    const rounds = 1 + this.#turns.ready.length / this.#options.maxWorkers;
    return Math.min(300, Math.max(1, Math.ceil((turnMs * rounds) / 1000)));
  }

  // Starting workers.

  #startWorker(session: SessionBinding | undefined): void {
    const attempt = this.#starting.start(`${this.name}-start-${++this.#counters.totals.starts}`, session);
    this.#emit({ type: 'worker_starting', workerId: attempt.id, ...(session ? { sessionId: session.id } : {}) });
  }

  #onStarted(attempt: StartAttempt<TInput, TEvent>, worker: PoolWorker<TInput, TEvent>): void {
    const now = performance.now();
    const durationMs = now - attempt.startedAt;
    this.#counters.startTimeMs.observe(durationMs);
    this.#emit({ type: 'worker_started', workerId: worker.id, durationMs });
    const jitter = 1 + 0.1 * Math.min(Math.max(this.#random(), 0), 1);
    const slot = new WorkerSlot(worker, now, now + this.#options.maxLifetimeMs * jitter, attempt.session?.id);
    if (this.#draining) {
      this.#workers.close(slot, 'draining');
    } else if (slot.sessionId === undefined) {
      this.#workers.addSpare(slot);
    } else {
      this.#putIdle(slot);
    }
    this.#dispatch();
  }

  #onStartFailed(error: Error, failures: number): void {
    this.#counters.totals.startFailures++;
    this.#emit({ type: 'worker_start_failed', error, attempt: failures });
    this.#logger?.warn({ pool: this.name, err: error, attempt: failures }, 'worker start failed');
    if (failures >= START_FAILURES_BEFORE_GIVING_UP) this.#failTurnsNeedingStarts(error, failures);
    this.#dispatch();
  }

  /** Turns that can only be served by a new worker learn that starts keep failing. */
  #failTurnsNeedingStarts(cause: Error, failures: number): void {
    for (const turn of [...this.#turns.ready]) {
      if (this.#starting.isStartingFor(turn.sessionId) || this.#workers.hasIdle(turn.sessionId)) continue;
      if (this.#workers.spares > 0) break;
      this.#turns.remove(turn);
      this.#failWaiting(
        turn,
        new WorkerStartError(
          `Pool ${this.name} could not start a worker for session ${turn.sessionId}: ${failures} starts failed in a row (last: ${cause.message})`,
          { cause, retryAfterS: Math.ceil(this.#options.startBackoffMaxMs / 1000) },
        ),
      );
    }
  }

  #recycle(slot: Slot<TInput, TEvent>, reason: RecycleReason): void {
    this.#counters.totals.recycles[reason]++;
    this.#emit({ type: 'worker_recycled', workerId: slot.worker.id, reason });
    this.#workers.close(slot, reason);
  }

  // Shutdown.

  drain(graceMs: number): Promise<void> {
    if (this.#drained !== undefined) return this.#drained;
    this.#draining = true;
    this.#emit({ type: 'drain_started' });
    this.#drained = new Promise<void>((resolve) => {
      this.#resolveDrained = resolve;
    });
    this.#starting.stop();
    this.#shield.wakeAt(Number.POSITIVE_INFINITY);
    for (const turn of this.#turns.all()) {
      this.#turns.remove(turn);
      this.#failWaiting(turn, new PoolDrainingError(`Pool ${this.name} is draining; the waiting turn was not started`));
    }
    for (const slot of this.#workers.takeAllIdle()) this.#workers.close(slot, 'draining');
    if (this.#workers.busy > 0) {
      this.#graceTimer = setTimeout(() => this.#revokeAll(), Math.max(0, graceMs));
    }
    this.#checkDrained();
    return this.#drained;
  }

  destroy(): Promise<void> {
    const drained = this.drain(0);
    this.#revokeAll();
    return drained;
  }

  #revokeAll(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    for (const lease of this.#workers.leases()) lease.revoke();
  }

  #checkDrained(): void {
    if (this.#resolveDrained === undefined || this.#total() > 0) return;
    const resolve = this.#resolveDrained;
    this.#resolveDrained = undefined;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#emit({ type: 'drained' });
    resolve();
  }

  // Observability.

  onEvent(listener: (event: PoolEvent) => void): () => void {
    return this.#events.on(listener);
  }

  /** A waiting turn leaves without a worker: its caller gets `error`, listeners a turn_rejected. */
  #failWaiting(turn: PendingTurn, error: PoolError): void {
    turn.fail(error);
    this.#emitRejection(turn.sessionId, error.code);
  }

  #emitRejection(sessionId: string, code: string): void {
    this.#emit({ type: 'turn_rejected', sessionId, code });
  }

  #emit(event: PoolEvent): void {
    this.#events.emit(event);
  }

  stats(): PoolStats {
    return {
      name: this.name,
      maxWorkers: this.#options.maxWorkers,
      workers: {
        starting: this.#starting.size,
        spare: this.#workers.spares,
        idle: this.#workers.idle,
        busy: this.#workers.busy,
        closing: this.#workers.closing,
        total: this.#total(),
      },
      waiting: this.#turns.ready.length,
      sessionQueues: this.#turns.sessionStats(),
      draining: this.#draining,
      totals: this.#counters.snapshotTotals(),
      acquireWaitMs: this.#counters.acquireWaitMs.snapshot(),
      startTimeMs: this.#counters.startTimeMs.snapshot(),
    };
  }
}
