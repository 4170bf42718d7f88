/**
 * The pool's errors: one class tree, a fixed `code` each (never reused), and
 * a message that explains the pool's state. Callers branch on `code`, never on
 * message text. The pool knows nothing of HTTP: the API's status for each code
 * is in src/http/errors.ts.
 */

export type PoolErrorCode =
  | 'POOL_ACQUIRE_TIMEOUT'
  | 'POOL_SATURATED'
  | 'POOL_USER_QUEUE_FULL'
  | 'POOL_SESSION_BUSY'
  | 'POOL_DRAINING'
  | 'POOL_WORKER_START_FAILED'
  | 'POOL_TURN_ABORTED'
  | 'POOL_TURN_TIMEOUT'
  | 'POOL_WORKER_CRASHED';

export interface PoolErrorOptions {
  readonly cause?: unknown;
  /** Seconds after which a retry is likely to succeed (for Retry-After). */
  readonly retryAfterS?: number;
}

export abstract class PoolError extends Error {
  abstract readonly code: PoolErrorCode;
  readonly retryAfterS: number | undefined;
  constructor(message: string, options: PoolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterS = options.retryAfterS;
  }
}

/** No worker became free within `acquireTimeoutMs`. */
export class AcquireTimeoutError extends PoolError {
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
}

/** `maxQueue` turns already wait; refused at once. */
export class PoolSaturatedError extends PoolError {
  readonly code = 'POOL_SATURATED';
}

/** The user already has `maxQueuedPerUser` turns waiting; refused at once. */
export class UserQueueFullError extends PoolError {
  readonly code = 'POOL_USER_QUEUE_FULL';
}

/** The session already has a turn in flight and the policy is `reject`. */
export class SessionBusyError extends PoolError {
  readonly code = 'POOL_SESSION_BUSY';
}

/** The pool is draining or closed and admits no new turns. */
export class PoolDrainingError extends PoolError {
  readonly code = 'POOL_DRAINING';
}

/** Workers keep failing to start; waiting turns are told instead of hanging. */
export class WorkerStartError extends PoolError {
  readonly code = 'POOL_WORKER_START_FAILED';
}

/** The caller abandoned the turn (its AbortSignal fired). */
export class TurnAbortedError extends PoolError {
  readonly code = 'POOL_TURN_ABORTED';
}

/** The turn ran past `turnTimeoutMs`; its worker was discarded. */
export class TurnTimeoutError extends PoolError {
  readonly code = 'POOL_TURN_TIMEOUT';
}

/** The worker died or failed fatally during the turn; it was discarded and replaced. */
export class WorkerCrashedError extends PoolError {
  readonly code = 'POOL_WORKER_CRASHED';
}
