/**
 * What the pool says about itself, read from its collections: the stats
 * snapshot (returned as is by the HTTP layer), and the queue's state in words
 * and as a Retry-After hint for the errors of turns that get no worker.
 */
import type { EvictionShield } from './eviction-shield.ts';
import type { PoolCounters } from './pool-counters.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { PoolOptions, PoolStats } from './types.ts';
import type { WorkerSet } from './worker-set.ts';
import type { WorkerStarts } from './worker-starts.ts';

/** Retry-After when no turn finished yet to measure. */
const DEFAULT_TURN_MS = 5_000;
const MAX_RETRY_AFTER_S = 300;
/** Turns a pool must have served before it calls itself too small. */
export const UNDERSIZED_MIN_TURNS = 20;
/** Evictions per turn past which most turns paid a cold start for want of a worker. */
const UNDERSIZED_EVICTION_RATE = 0.5;

export class PoolReport<TInput, TEvent> {
  readonly #options: Readonly<PoolOptions>;
  readonly #workers: WorkerSet<TInput, TEvent>;
  readonly #starting: WorkerStarts<TInput, TEvent>;
  readonly #turns: TurnQueue;
  readonly #counters: PoolCounters;
  readonly #shield: EvictionShield;

  constructor(
    options: Readonly<PoolOptions>,
    workers: WorkerSet<TInput, TEvent>,
    starting: WorkerStarts<TInput, TEvent>,
    turns: TurnQueue,
    counters: PoolCounters,
    shield: EvictionShield,
  ) {
    this.#options = options;
    this.#workers = workers;
    this.#starting = starting;
    this.#turns = turns;
    this.#counters = counters;
    this.#shield = shield;
  }

  stats(draining: boolean): PoolStats {
    const workers = this.#workers;
    const totals = this.#counters.snapshotTotals();
    const acquireWaitMs = this.#counters.acquireWaitMs.snapshot();
    const startCostMs = this.#shield.startCostMs();
    const sessionQueues = this.#turns.sessionStats();
    const evictionRate = totals.turns > 0 ? totals.evictions / totals.turns : 0;
    return {
      name: this.#options.name,
      maxWorkers: this.#options.maxWorkers,
      workers: {
        starting: this.#starting.size,
        spare: workers.spares,
        idle: workers.idle,
        busy: workers.busy,
        closing: workers.closing,
        total: workers.size + this.#starting.size,
      },
      waiting: this.#turns.ready.length,
      sessionQueues,
      draining,
      totals,
      acquireWaitMs,
      startTimeMs: this.#counters.startTimeMs.snapshot(),
      startCostMs,
      sizing: {
        undersized:
          totals.turns >= UNDERSIZED_MIN_TURNS &&
          evictionRate >= UNDERSIZED_EVICTION_RATE &&
          acquireWaitMs.p95 >= startCostMs,
        evictionRate: Math.round(evictionRate * 1000) / 1000,
        competingSessions: sessionQueues.sessions,
      },
    };
  }

  describeQueue(): string {
    const busy = this.#workers.busy;
    const starting = this.#starting.size;
    const ready = this.#turns.ready.length;
    const behind = this.#turns.size - ready;
    return `${busy}/${this.#options.maxWorkers} workers busy, ${starting} starting, ${ready} turns waiting for a worker, ${behind} queued behind their session (maxQueue ${this.#options.maxQueue})`;
  }

  /** Seconds until a worker is likely free for a new turn: the turns ahead, shared by all workers. */
  retryAfterS(): number {
    const turnMs = this.#counters.turnMsAverage || DEFAULT_TURN_MS;
    const rounds = 1 + this.#turns.ready.length / this.#options.maxWorkers;
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil((turnMs * rounds) / 1000)));
  }
}
