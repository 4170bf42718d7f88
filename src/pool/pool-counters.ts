/**
 * What the pool counts and tells: its running totals since start and the
 * histograms (snapshotted into PoolStats), the recent samples behind its
 * cost estimates, and the hub its events go out through.
 */
import type { Logger } from '../logger.ts';
import { MsHistogram } from './histogram.ts';
import type { TurnOutcome } from './lease.ts';
import type { PoolEvent, PoolStats, RecycleReason, TurnLease } from './types.ts';

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
