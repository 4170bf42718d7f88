/**
 * The pool's errors: one class tree, a fixed `code` each (never reused), the
 * HTTP status where one applies, and a message that explains the pool's state.
 * Callers branch on `code`, never on message text.
 */

export interface PoolErrorOptions {
  readonly cause?: unknown;
  /** Seconds after which a retry is likely to succeed (for Retry-After). */
  readonly retryAfterS?: number;
}

export abstract class PoolError extends Error {
  abstract readonly code: string;
  /** The HTTP status the API answers with when this happens before a stream starts. */
  abstract readonly statusCode: number;
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
  readonly statusCode = 503;
}

/** `maxQueue` turns already wait; refused at once. */
export class PoolSaturatedError extends PoolError {
  readonly code = 'POOL_SATURATED';
  readonly statusCode = 503;
}

/** The user already has `maxQueuedPerUser` turns waiting; refused at once. */
export class UserQueueFullError extends PoolError {
  readonly code = 'POOL_USER_QUEUE_FULL';
  readonly statusCode = 429;
}

/** The session already has a turn in flight and the policy is `reject`. */
export class SessionBusyError extends PoolError {
  readonly code = 'POOL_SESSION_BUSY';
  readonly statusCode = 409;
}

/** The pool is draining or closed and admits no new turns. */
export class PoolDrainingError extends PoolError {
  readonly code = 'POOL_DRAINING';
  readonly statusCode = 503;
}

/** Workers keep failing to start; waiting turns are told instead of hanging. */
export class WorkerStartError extends PoolError {
  readonly code = 'POOL_WORKER_START_FAILED';
  readonly statusCode = 503;
}

/** The caller abandoned the turn (its AbortSignal fired). */
export class TurnAbortedError extends PoolError {
  readonly code = 'POOL_TURN_ABORTED';
  readonly statusCode = 499;
}

/** The turn ran past `turnTimeoutMs`; its worker was discarded. */
export class TurnTimeoutError extends PoolError {
  readonly code = 'POOL_TURN_TIMEOUT';
  readonly statusCode = 504;
}

/** The worker died or failed fatally during the turn; it was discarded and replaced. */
export class WorkerCrashedError extends PoolError {
  readonly code = 'POOL_WORKER_CRASHED';
  readonly statusCode = 502;
}
