/**
 * The session-aware pool of agent workers (docs/architecture.md).
 *
 * State is a handful of named collections: every worker is in exactly one of
 * the WorkerSet's spares, idle (by session, LRU first), busy, closing, or is
 * still a start in `#starting`; every waiting turn is in `#turns` (TurnQueue).
 * All placement decisions are made by `#dispatch()`, in passes
 * (placement-pass.ts); everything else only changes the collections and calls
 * it. `#shield` (EvictionShield) learns each session's gaps between turns and
 * keeps an idle worker from eviction while its session is due back sooner
 * than a new worker would start; each placement pass looks for a worker to
 * evict through an EvictionPass.
 * Around it: LeaseLedger keeps the books of each lease, TurnRejections
 * refuses turns, worker-retirement.ts says whether a worker back from a turn
 * must go, PoolReport builds stats, PoolShutdown runs drain and destroy.
 *
 *   acquire ─► #turns (ready when its session is free) ─► #dispatch ─► lease
 *   lease.run/release ─► #settleLease ─► idle | close ─► #dispatch
 */
import type { Logger } from '../logger.ts';
import { EvictionShield } from './eviction.ts';
import type { LeaseHost, LeaseVerdict, PoolLease } from './lease.ts';
import { LeaseLedger } from './lease-ledger.ts';
import { validatePoolOptions } from './options.ts';
import { type PlacementHost, placeNewTurn, placeReadyTurns } from './placement-pass.ts';
import { EventHub, PoolCounters, PoolReport } from './pool-counters.ts';
import { PoolShutdown } from './pool-shutdown.ts';
import { PendingTurn, type PendingTurnHooks, TurnQueue } from './turn-queue.ts';
import { TurnRejections } from './turn-rejections.ts';
import type { AcquireRequest, Pool, PoolEvent, PoolOptions, PoolStats, RecycleReason, TurnLease } from './types.ts';
import { BackgroundStartError, type SessionBinding, type WorkerFactory } from './worker.ts';
import { isTurnLimit, retirementAfterTurn, WorkerSet, type WorkerSlot } from './worker-set.ts';
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
  /**
   * Asked before a worker is started beside others: false when the machine
   * has no room for one more (memory), and the pool evicts or queues instead.
   * A pool with no worker at all always starts one. @default always room
   */
  readonly roomForWorker?: () => boolean;
}

/** Consecutive failed starts after which turns waiting for a start are told instead of waiting on. */
export const START_FAILURES_BEFORE_GIVING_UP = 3;

type Slot<TInput, TEvent> = WorkerSlot<TInput, TEvent>;

export class AgentPool<TInput, TEvent> implements Pool<TInput, TEvent> {
  readonly name: string;
  readonly #options: Readonly<PoolOptions>;
  readonly #logger: Logger | undefined;
  readonly #roomForWorker: (() => boolean) | undefined;

  // Workers: live ones by state, and starts in flight.
  readonly #workers: WorkerSet<TInput, TEvent>;
  readonly #starting: WorkerStarts<TInput, TEvent>;
  readonly #sparesResume: boolean;

  // Turns.
  readonly #turns = new TurnQueue();
  readonly #ledger: LeaseLedger<TInput, TEvent>;
  readonly #placementHost: PlacementHost<TInput, TEvent>;
  #seq = 0;

  // Lifecycle.
  readonly #shutdown = new PoolShutdown({
    stopAdmitting: () => this.#stopAdmitting(),
    hasBusyWorkers: () => this.#workers.busy > 0,
    totalWorkers: () => this.#total(),
    revokeLeases: () => {
      for (const lease of this.#workers.leases()) lease.revoke();
    },
    drainStarted: () => this.#events.emit({ type: 'drain_started' }),
    drained: () => this.#events.emit({ type: 'drained' }),
  });
  #dispatching = false;
  #dispatchAgain = false;

  readonly #counters = new PoolCounters();
  readonly #report: PoolReport<TInput, TEvent>;
  readonly #rejections: TurnRejections;
  readonly #shield: EvictionShield;
  /** The shield reads the pool's own clock (no `deps.now`): one reading serves both. */
  readonly #shieldOnPoolClock: boolean;
  /** When the next shield that holds a waiting turn back expires (set by each placement pass). */
  #shieldWake = Number.POSITIVE_INFINITY;
  readonly #events: EventHub;
  /** What waiting turns call back into; kept off the public surface. */
  readonly #turnHooks: PendingTurnHooks = {
    onAbort: (turn) => this.#onTurnAbort(turn),
    onTimeout: (turn) => this.#onTurnTimeout(turn),
  };

  constructor(factory: WorkerFactory<TInput, TEvent>, options: PoolOptions, deps: PoolDeps = {}) {
    this.#options = validatePoolOptions(options);
    this.name = this.#options.name;
    this.#workers = new WorkerSet(this.#options.idleTtlMs, this.#options.closeTimeoutMs, {
      dead: () => {
        this.#counters.totals.replacements++;
      },
      due: (slot, reason) => {
        this.#recycle(slot, reason);
        this.#dispatch();
      },
      closed: (slot, reason, problem) => {
        if (problem) {
          this.#logger?.warn({ pool: this.name, workerId: slot.worker.id, ...problem }, 'worker close failed');
        }
        this.#events.emit({ type: 'worker_closed', workerId: slot.worker.id, reason });
        this.#dispatch();
      },
    });
    this.#starting = new WorkerStarts(factory, this.#options, deps.random ?? Math.random, {
      started: (_attempt, slot, durationMs) => this.#onStarted(slot, durationMs),
      failed: (error, failures, retryInMs) => this.#onStartFailed(error, failures, retryInMs),
      backoffOver: () => this.#dispatch(),
    });
    this.#sparesResume = factory.sparesResume ?? true;
    this.#logger = deps.logger;
    this.#roomForWorker = deps.roomForWorker;
    this.#shieldOnPoolClock = deps.now === undefined;
    this.#shield = new EvictionShield(
      factory.expectedStartMs,
      this.#counters.startTimeMs,
      this.#counters.coldStartMs,
      deps.now ?? (() => performance.now()),
      () => this.#dispatch(),
    );
    this.#events = new EventHub(this.#logger, this.name);
    const leaseHost: LeaseHost<TInput, TEvent> = {
      turnTimeoutMs: this.#options.turnTimeoutMs,
      abortGraceMs: this.#options.abortGraceMs,
      settleLease: (lease, verdict) => this.#settleLease(lease, verdict),
    };
    this.#ledger = new LeaseLedger(leaseHost, this.#workers, this.#turns, this.#counters, this.#events);
    this.#placementHost = {
      options: this.#options,
      turns: this.#turns,
      workers: this.#workers,
      starting: this.#starting,
      shield: this.#shield,
      userLoad: (userId) => this.#ledger.userLoad(userId),
      mayGrow: () => this.#mayGrow(),
      spareFor: (session) => this.#spareFor(session),
      serve: (index, slot, placement) => this.#serve(index, slot, placement),
      startWorker: (session) => this.#startWorker(session),
      evict: (slot) => this.#evict(slot),
    };
    this.#report = new PoolReport(
      this.#options,
      this.#workers,
      this.#starting,
      this.#turns,
      this.#counters,
      this.#shield,
    );
    this.#rejections = new TurnRejections(this.#options, this.#turns, this.#counters, this.#events, this.#report);
    this.#dispatch();
  }

  acquire(request: AcquireRequest): Promise<TurnLease<TInput, TEvent>> {
    const refusal = this.#rejections.atTheDoor(request, this.#shutdown.draining);
    if (refusal !== undefined) return Promise.reject(refusal);
    const sessionId = request.session.id;
    const sessionBusy = this.#turns.isSessionBusy(sessionId);
    this.#shield.arrived(sessionId, sessionBusy);
    // Nobody ahead of it: the pass's rules may place it at once, without queueing.
    if (!sessionBusy && this.#turns.ready.length === 0) {
      const atHand = placeNewTurn(this.#placementHost, request);
      if (atHand !== undefined) {
        const lease = this.#ledger.open(atHand.slot, request, atHand.placement, 0);
        // A spare taken: the pool starts another.
        if (atHand.placement === 'spare') this.#dispatch();
        return Promise.resolve(lease);
      }
    }
    const full = this.#rejections.whenFull(sessionId, request.userId);
    return full === undefined ? this.#enqueue(request) : Promise.reject(full);
  }

  forgetSession(sessionId: string): void {
    const slot = this.#workers.takeIdle(sessionId);
    if (slot === undefined) return;
    this.#workers.close(slot, 'session_deleted');
    this.#dispatch();
  }

  #enqueue(request: AcquireRequest): Promise<TurnLease<TInput, TEvent>> {
    const turn = new PendingTurn(
      request,
      ++this.#seq,
      performance.now(),
      this.#options.acquireTimeoutMs,
      this.#turnHooks,
    );
    turn.waitingSince = this.#shield.now();
    this.#turns.add(turn);
    if (this.#events.active) this.#events.emit({ type: 'turn_queued', sessionId: turn.sessionId, userId: turn.userId });
    this.#dispatch();
    return turn.promise as Promise<TurnLease<TInput, TEvent>>;
  }

  /**
   * Placement: passes over the ready turns (placement-pass.ts, the one
   * placement function) until nothing changed, then tops up spares if no turn
   * is short of a worker, and arms the shield wake-up the last pass asked for.
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
    this.#shutdown.checkDrained();
  }

  /** Returns true when some turn is still waiting for capacity. */
  #placeReadyTurns(): boolean {
    this.#shieldWake = Number.POSITIVE_INFINITY;
    if (this.#turns.ready.length === 0 || this.#shutdown.draining) return false;
    const pass = placeReadyTurns(this.#placementHost);
    this.#shieldWake = pass.shieldWake;
    return pass.short;
  }

  /** A spare for the session, unless the engine cannot resume on a spare and a worker may be started instead. */
  #spareFor(session: SessionBinding): Slot<TInput, TEvent> | undefined {
    if (!session.isNew && !this.#sparesResume && this.#mayGrow() && !this.#starting.backingOff) {
      return undefined;
    }
    return this.#workers.takeLiveSpare();
  }

  #topUpSpares(): void {
    if (this.#shutdown.draining || this.#starting.backingOff) return;
    while (this.#workers.spares + this.#starting.spareStarts < this.#options.minSpares && this.#mayGrow()) {
      this.#startWorker(undefined);
    }
  }

  /** Closes an idle worker (already out of `idle`) to make room for another session. */
  #evict(slot: Slot<TInput, TEvent>): void {
    this.#counters.totals.evictions++;
    this.#events.emit({ type: 'worker_evicted', workerId: slot.worker.id, sessionId: slot.sessionId! });
    this.#workers.close(slot, 'evicted');
  }

  /** Gives the worker to the ready turn at `index` (the head of its session's queue). */
  #serve(index: number, slot: Slot<TInput, TEvent>, placement: TurnLease<TInput, TEvent>['placement']): void {
    const turn = this.#turns.takeReady(index);
    turn.fulfil(this.#ledger.open(slot, turn.request, placement, performance.now() - turn.enqueuedAt));
  }

  /** Called once per lease, when its worker comes back (see PoolLease). */
  #settleLease(lease: PoolLease<TInput, TEvent>, verdict: LeaseVerdict): void {
    const slot = lease.slot;
    const sessionId = lease.request.session.id;
    this.#ledger.close(lease, verdict);
    if (lease.placement === 'cold' && verdict.outcome === 'ok') this.#starting.confirmReady();
    const now = performance.now();
    const draining = this.#shutdown.draining;
    const fate = verdict.discard ?? (draining ? 'draining' : retirementAfterTurn(slot, now, this.#options));
    if (fate === undefined) {
      this.#workers.putIdle(slot, now);
    } else if (isTurnLimit(fate)) {
      this.#recycle(slot, fate);
    } else {
      if (!draining) this.#counters.totals.replacements++;
      this.#workers.close(slot, fate);
    }

    this.#turns.unlease(sessionId);
    this.#shield.ended(sessionId, this.#shieldOnPoolClock ? now : undefined);
    if (verdict.crash instanceof BackgroundStartError) {
      this.#starting.failedInBackground(verdict.crash); // counts, backs off and places turns
    } else if (
      this.#turns.ready.length > 0 ||
      this.#workers.spares + this.#starting.spareStarts < this.#options.minSpares ||
      this.#shutdown.draining
    ) {
      this.#dispatch();
    }
  }

  #total(): number {
    return this.#workers.size + this.#starting.size;
  }

  #mayGrow(): boolean {
    const total = this.#total();
    return total < this.#options.maxWorkers && (total === 0 || (this.#roomForWorker?.() ?? true));
  }

  // Waiting turns leaving the queue.

  #onTurnAbort(turn: PendingTurn): void {
    this.#rejections.abandoned(turn);
    this.#dispatch();
  }

  #onTurnTimeout(turn: PendingTurn): void {
    this.#rejections.timedOut(turn, this.#starting.lastError);
    this.#dispatch();
  }

  // Starting workers.

  #startWorker(session: SessionBinding | undefined): void {
    const attempt = this.#starting.start(`${this.name}-start-${++this.#counters.totals.starts}`, session);
    this.#events.emit({ type: 'worker_starting', workerId: attempt.id, ...(session ? { sessionId: session.id } : {}) });
  }

  #onStarted(slot: Slot<TInput, TEvent>, durationMs: number): void {
    slot.startMs = durationMs;
    this.#counters.startTimeMs.observe(durationMs);
    this.#events.emit({ type: 'worker_started', workerId: slot.worker.id, durationMs });
    if (this.#shutdown.draining) {
      this.#workers.close(slot, 'draining');
    } else if (slot.sessionId === undefined) {
      this.#workers.addSpare(slot);
    } else {
      this.#workers.putIdle(slot, slot.idleSince);
    }
    this.#dispatch();
  }

  #onStartFailed(error: Error, failures: number, retryInMs: number): void {
    this.#counters.totals.startFailures++;
    this.#events.emit({ type: 'worker_start_failed', error, attempt: failures, retryInMs });
    this.#logger?.warn({ pool: this.name, err: error, attempt: failures, retryInMs }, 'worker start failed');
    if (failures >= START_FAILURES_BEFORE_GIVING_UP) this.#failTurnsNeedingStarts(error, failures);
    this.#dispatch();
  }

  /** Turns that can only be served by a new worker learn that starts keep failing. */
  #failTurnsNeedingStarts(cause: Error, failures: number): void {
    for (const turn of [...this.#turns.ready]) {
      if (this.#starting.isStartingFor(turn.sessionId) || this.#workers.hasIdle(turn.sessionId)) continue;
      if (this.#workers.spares > 0) break;
      this.#rejections.startsFailing(turn, failures, cause);
    }
  }

  #recycle(slot: Slot<TInput, TEvent>, reason: RecycleReason): void {
    this.#counters.totals.recycles[reason]++;
    this.#events.emit({ type: 'worker_recycled', workerId: slot.worker.id, reason });
    this.#workers.close(slot, reason);
  }

  // Shutdown.

  drain(graceMs: number): Promise<void> {
    return this.#shutdown.drain(graceMs);
  }

  destroy(): Promise<void> {
    return this.#shutdown.destroy();
  }

  /** Draining: nothing new starts, waiting turns fail, spare and idle workers close. */
  #stopAdmitting(): void {
    this.#starting.stop();
    this.#shield.wakeAt(Number.POSITIVE_INFINITY);
    for (const turn of this.#turns.all()) this.#rejections.draining(turn);
    for (const slot of this.#workers.takeAllIdle()) this.#workers.close(slot, 'draining');
  }

  // Observability.

  onEvent(listener: (event: PoolEvent) => void): () => void {
    return this.#events.on(listener);
  }

  stats(): PoolStats {
    return this.#report.stats(this.#shutdown.draining);
  }
}
