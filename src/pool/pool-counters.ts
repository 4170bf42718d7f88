/** The pool's running totals since start, and the histograms; snapshotted into PoolStats. */
import { MsHistogram } from './histogram.ts';
import type { TurnOutcome } from './lease.ts';
import { RecentSamples } from './recent-samples.ts';
import type { PoolStats, RecycleReason, TurnLease } from './types.ts';

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
