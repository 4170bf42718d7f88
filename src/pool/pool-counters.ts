/**
 * The pool's numbers: counters, histograms and events (PoolCounters, EventHub,
 * RecentSamples), the bucket histogram (MsHistogram) and the stats snapshot and
 * words of an error built from them (PoolReport).
 *
 * What the pool counts and tells: its running totals since start and the
 * histograms (snapshotted into PoolStats), the recent samples behind its
 * cost estimates, and the hub its events go out through.
 */
import type { Logger } from '../logger.ts';
import type { EvictionShield } from './eviction.ts';
import type { TurnOutcome } from './lease.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { HistogramSnapshot, PoolEvent, PoolOptions, PoolStats, RecycleReason, TurnLease } from './types.ts';
import type { WorkerSet } from './worker-set.ts';
import type { WorkerStarts } from './worker-starts.ts';

/** Cold starts the eviction shield's cost estimate looks back on (recent ones: load changes). */
const COLD_START_SAMPLES = 16;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
export type Totals = Mutable<Required<PoolStats['totals']>>;

export class PoolCounters {
  readonly totals: Totals = {
    turns: 0,
    warmHits: 0,
    protectedWarmHits: 0,
    spareHits: 0,
    coldStarts: 0,
    starts: 0,
    startFailures: 0,
    replacements: 0,
    timeouts: 0,
    rejections: { saturated: 0, sessionBusy: 0, draining: 0 },
    aborts: 0,
    evictions: 0,
    crashes: 0,
    turnTimeouts: 0,
    recycles: { idle_ttl: 0, max_turns: 0, max_lifetime: 0, memory: 0 } satisfies Record<RecycleReason, number>,
  };
  readonly acquireWaitMs = new MsHistogram();
  readonly startTimeMs = new MsHistogram();
  /** What recent cold starts cost their first turn, start to ready (see PoolWorker.readyAfterMs). */
  readonly coldStartMs = new RecentSamples(COLD_START_SAMPLES);
  /** Moving average of turn durations, for Retry-After hints. */
  turnMsAverage = 0;

  /** A lease went out; `shielded` when an eviction shield had kept its worker (see EvictionShield). */
  countLease(placement: TurnLease<unknown, unknown>['placement'], shielded: boolean, waitedMs: number): void {
    const totals = this.totals;
    totals.turns++;
    if (placement === 'warm') {
      totals.warmHits++;
      if (shielded) totals.protectedWarmHits++;
    } else if (placement === 'spare') totals.spareHits++;
    else totals.coldStarts++;
    this.acquireWaitMs.observe(waitedMs);
  }

  /** A turn ran to its end. */
  countOutcome(outcome: TurnOutcome, durationMs: number): void {
    const totals = this.totals;
    if (outcome === 'crashed') totals.crashes++;
    else if (outcome === 'timeout') totals.turnTimeouts++;
    else if (outcome === 'aborted') totals.aborts++;
    else this.turnMsAverage = this.turnMsAverage === 0 ? durationMs : this.turnMsAverage * 0.9 + durationMs * 0.1;
  }

  snapshotTotals(): PoolStats['totals'] {
    const t = this.totals;
    return { ...t, rejections: { ...t.rejections }, recycles: { ...t.recycles } };
  }
}

/** Pool event listeners: a listener that throws is logged and never breaks the pool. */

export class EventHub {
  readonly #listeners = new Set<(event: PoolEvent) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(logger: Logger | undefined, poolName: string) {
    this.#onListenerError = (error) => logger?.error({ pool: poolName, err: error }, 'pool event listener threw');
  }

  /** True when someone listens: lets the warm path skip building events nobody reads. */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  on(listener: (event: PoolEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: PoolEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}

/**
 * The last few values of a measurement and their median: a cost estimate that
 * follows the machine's load (a histogram since start would not) and that one
 * outlier cannot move far. Hand-written: a ring buffer of a dozen numbers.
 */
export class RecentSamples {
  readonly #values: number[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#values.length;
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.#values.length < this.#capacity) this.#values.push(value);
    else this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The median of the values kept; 0 before any. */
  median(): number {
    const n = this.#values.length;
    if (n === 0) return 0;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

/**
 * A fixed-bucket histogram of milliseconds, cheap to observe (no allocation)
 * and exportable as is to Prometheus. Quantiles are estimated from the buckets
 * by linear interpolation inside the bucket that holds them.
 */

/** Upper bounds in ms; a last, open bucket (+Inf) catches the rest. */
export const MS_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000,
]);

export class MsHistogram {
  readonly #bounds: readonly number[];
  /** Per-bucket (not cumulative) counts; the extra last slot is +Inf. */
  readonly #counts: number[];
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(bounds: readonly number[] = MS_BUCKETS) {
    this.#bounds = bounds;
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(ms: number): void {
    const value = Math.max(ms, 0);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  snapshot(): HistogramSnapshot {
    const buckets: { le: number; count: number }[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      cumulative += this.#counts[i];
      buckets.push({ le: this.#bounds[i], count: cumulative });
    }
    buckets.push({ le: Number.POSITIVE_INFINITY, count: this.#count });
    return {
      count: this.#count,
      sum: this.#sum,
      buckets,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }

  /** The estimated q-quantile (0 < q <= 1) of what was observed; 0 before any observation. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = q * this.#count;
    let below = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const inBucket = this.#counts[i];
      if (inBucket > 0 && below + inBucket >= rank) {
        const lower = i === 0 ? 0 : this.#bounds[i - 1];
        const upper = i < this.#bounds.length ? Math.min(this.#bounds[i], this.#max) : this.#max;
        return lower + ((upper - lower) * (rank - below)) / inBucket;
      }
      below += inBucket;
    }
    return this.#max;
  }
}

/**
 * What the pool says about itself, read from its collections: the stats
 * snapshot (returned as is by the HTTP layer), and the queue's state in words
 * and as a Retry-After hint for the errors of turns that get no worker.
 */

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
