/** The pool's public surface: the pool, the registry of named pools, their types and errors. */
export { AgentPool, type PoolDeps, START_FAILURES_BEFORE_GIVING_UP } from './agent-pool.ts';
export {
  AcquireTimeoutError,
  PoolDrainingError,
  PoolError,
  type PoolErrorOptions,
  PoolSaturatedError,
  SessionBusyError,
  TurnAbortedError,
  TurnTimeoutError,
  WorkerCrashedError,
  WorkerStartError,
} from './errors.ts';
export { PoolOptionsError, validatePoolOptions } from './options.ts';
export { MS_BUCKETS } from './pool-counters.ts';
export { createPoolRegistry, POOL_NAMES, type PoolName, type PoolRegistry } from './registry.ts';
export type {
  AcquireRequest,
  HistogramSnapshot,
  Pool,
  PoolEvent,
  PoolOptions,
  PoolStats,
  RecycleReason,
  TurnLease,
} from './types.ts';
export type { PoolWorker, SessionBinding, StartOptions, TurnContext, WorkerFactory } from './worker.ts';
export { BackgroundStartError } from './worker.ts';
export { StartTimeoutError } from './worker-starts.ts';
