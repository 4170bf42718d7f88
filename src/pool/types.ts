/**
 * The pool's public surface: how a turn is admitted and run, and what the
 * pool reports about itself.
 *
 *   const lease = await pool.acquire({ session, userId, signal }); // may throw a PoolError
 *   try { for await (const event of lease.run(input)) send(event); }
 *   finally { lease.release(); } // idempotent; run() also releases when it ends
 */
import type { PoolSettings } from '../config.ts';
import type { SessionBinding } from './worker.ts';

export type PoolOptions = PoolSettings & {
  /** The pool's name in stats, logs and metrics (`employee`, `admin`). */
  readonly name: string;
};

export interface AcquireRequest {
  readonly session: SessionBinding;
  readonly userId: string;
  /** The caller going away: a waiting turn leaves the queue; a running one is interrupted. */
  readonly signal?: AbortSignal;
}

/** A worker held for one turn of one session. */
export interface TurnLease<TInput, TEvent> {
  readonly workerId: string;
  /** How the worker was found: warm (already bound), spare, or cold (started for this turn). */
  readonly placement: 'warm' | 'spare' | 'cold';
  /** Milliseconds from acquire() to the lease. */
  readonly waitedMs: number;
  /**
   * Runs the turn; may be called once. Ends (and releases the worker) when the
   * worker's turn ends. Throws TurnTimeoutError / WorkerCrashedError /
   * TurnAbortedError (the caller went away) / PoolDrainingError (a drain's
   * grace ran out) after the worker was dealt with.
   */
  run(input: TInput): AsyncIterable<TEvent>;
  /** Gives the worker back without running (or after running). Idempotent. */
  release(): void;
}

export interface HistogramSnapshot {
  readonly count: number;
  readonly sum: number;
  /** Upper bounds in ms, ascending, with the count of observations <= each (cumulative). */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export type RecycleReason = 'idle_ttl' | 'max_turns' | 'max_lifetime' | 'memory';

export interface PoolStats {
  readonly name: string;
  readonly maxWorkers: number;
  readonly workers: {
    readonly starting: number;
    readonly spare: number;
    readonly idle: number;
    readonly busy: number;
    readonly closing: number;
    readonly total: number;
  };
  /** Turns waiting for a worker (not counting those queued behind their own session). */
  readonly waiting: number;
  /** Sessions with a turn in flight or queued, and how many turns each has queued. */
  readonly sessionQueues: { readonly sessions: number; readonly queuedTurns: number };
  readonly draining: boolean;
  readonly totals: {
    readonly turns: number;
    readonly warmHits: number;
    /**
     * Warm hits on a worker an eviction shield had kept from a waiting turn
     * (its session came back in time). Always present in AgentPool's stats.
     */
    readonly protectedWarmHits?: number;
    readonly spareHits: number;
    readonly coldStarts: number;
    readonly starts: number;
    readonly startFailures: number;
    readonly replacements: number;
    readonly timeouts: number;
    readonly rejections: { readonly saturated: number; readonly sessionBusy: number; readonly draining: number };
    readonly aborts: number;
    readonly evictions: number;
    readonly crashes: number;
    readonly turnTimeouts: number;
    readonly recycles: Readonly<Record<RecycleReason, number>>;
  };
  readonly acquireWaitMs: HistogramSnapshot;
  readonly startTimeMs: HistogramSnapshot;
  /** What the pool takes a cold start to cost now, in ms (measured once it has a few; see EvictionShield). */
  readonly startCostMs: number;
  /**
   * Whether the pool looks too small for its load, since start: at least
   * UNDERSIZED_MIN_TURNS turns, most of them evicted a warm worker to start
   * another, and turns waited at least as long as a start (p95).
   */
  readonly sizing?: {
    readonly undersized: boolean;
    /** Evictions per turn. */
    readonly evictionRate: number;
    /** Sessions with a turn in flight or queued, now. */
    readonly competingSessions: number;
  };
}

/** Every transition, for metrics and logs. */
export type PoolEvent =
  | { readonly type: 'worker_starting'; readonly workerId: string; readonly sessionId?: string }
  | { readonly type: 'worker_started'; readonly workerId: string; readonly durationMs: number }
  | {
      readonly type: 'worker_start_failed';
      readonly error: Error;
      readonly attempt: number;
      /** No start begins before this (the jittered back-off). */
      readonly retryInMs: number;
    }
  | { readonly type: 'worker_closed'; readonly workerId: string; readonly reason: string }
  | { readonly type: 'turn_queued'; readonly sessionId: string; readonly userId: string }
  | {
      readonly type: 'turn_acquired';
      readonly sessionId: string;
      readonly workerId: string;
      readonly placement: 'warm' | 'spare' | 'cold';
      readonly waitedMs: number;
    }
  | { readonly type: 'turn_rejected'; readonly sessionId: string; readonly code: string }
  | {
      readonly type: 'turn_finished';
      readonly sessionId: string;
      readonly workerId: string;
      readonly outcome: 'ok' | 'aborted' | 'timeout' | 'crashed';
      readonly durationMs: number;
    }
  | { readonly type: 'worker_evicted'; readonly workerId: string; readonly sessionId: string }
  | { readonly type: 'worker_recycled'; readonly workerId: string; readonly reason: RecycleReason }
  | { readonly type: 'drain_started' }
  | { readonly type: 'drained' };

export interface Pool<TInput, TEvent> {
  readonly name: string;
  acquire(request: AcquireRequest): Promise<TurnLease<TInput, TEvent>>;
  stats(): PoolStats;
  /**
   * The session is gone (deleted): its idle worker, if any, is closed now
   * instead of at its idle TTL. A worker on a turn of it is left to finish.
   */
  forgetSession(sessionId: string): void;
  /** Subscribe to transitions; returns the unsubscribe function. */
  onEvent(listener: (event: PoolEvent) => void): () => void;
  /** Stops admitting, lets in-flight turns finish up to `graceMs`, closes every worker. */
  drain(graceMs: number): Promise<void>;
  /** Closes everything now. Idempotent. */
  destroy(): Promise<void>;
}
