/**
 * Every way a turn is refused a worker, in one place: each refusal is built
 * (with the queue's state where it helps, from PoolReport), counted, and
 * reported to listeners as a turn_rejected. At the door (`atTheDoor`, then
 * `whenFull` after the pool's fast path) the pool rejects with the error
 * returned; a waiting turn is taken out of the queue and failed here.
 */
import {
  AcquireTimeoutError,
  PoolDrainingError,
  type PoolError,
  PoolSaturatedError,
  SessionBusyError,
  TurnAbortedError,
  UserQueueFullError,
  WorkerStartError,
} from './errors.ts';
import type { EventHub, PoolCounters } from './pool-counters.ts';
import type { PendingTurn, TurnQueue } from './turn-queue.ts';
import type { AcquireRequest, PoolOptions } from './types.ts';

/** The queue's state in words and as a Retry-After hint (PoolReport). */
export interface QueueDescription {
  describeQueue(): string;
  retryAfterS(): number;
}

export class TurnRejections {
  readonly #options: Readonly<PoolOptions>;
  readonly #turns: TurnQueue;
  readonly #counters: PoolCounters;
  readonly #events: EventHub;
  readonly #queue: QueueDescription;

  constructor(
    options: Readonly<PoolOptions>,
    turns: TurnQueue,
    counters: PoolCounters,
    events: EventHub,
    queue: QueueDescription,
  ) {
    this.#options = options;
    this.#turns = turns;
    this.#counters = counters;
    this.#events = events;
    this.#queue = queue;
  }

  /** Why the turn may not even be queued, or undefined when it may go on. */
  atTheDoor(request: AcquireRequest, draining: boolean): Error | undefined {
    const sessionId = request.session?.id;
    if (typeof sessionId !== 'string' || sessionId === '' || typeof request.userId !== 'string') {
      return new TypeError(
        `Expected \`request\` to have a non-empty \`session.id\` and a \`userId\`, got \`${String(sessionId)}\`, \`${String(request.userId)}\``,
      );
    }
    const rejections = this.#counters.totals.rejections;
    if (draining) {
      rejections.draining++;
      return this.#reported(
        sessionId,
        new PoolDrainingError(`Pool ${this.#options.name} is draining and admits no new turns`),
      );
    }
    if (request.signal?.aborted) {
      this.#counters.totals.aborts++;
      return new TurnAbortedError(`Turn of session ${sessionId} was abandoned before it was queued`);
    }
    if (this.#options.sessionPolicy === 'reject' && this.#turns.isSessionBusy(sessionId)) {
      rejections.sessionBusy++;
      return this.#reported(sessionId, new SessionBusyError(`Session ${sessionId} already has a turn in flight`));
    }
    return undefined;
  }

  /**
   * The refusal of a turn that would have to wait while maxQueue turns
   * already do, or while its user already has maxQueuedPerUser waiting (so
   * one user cannot fill the queue and starve the others).
   */
  whenFull(sessionId: string, userId: string): PoolError | undefined {
    const waiting = this.#turns.waitingOf(userId);
    if (waiting >= this.#options.maxQueuedPerUser) {
      this.#counters.totals.rejections.saturated++;
      const error = new UserQueueFullError(
        `Pool ${this.#options.name}: user ${userId} already has ${waiting} turns waiting (maxQueuedPerUser ${this.#options.maxQueuedPerUser})`,
        { retryAfterS: this.#queue.retryAfterS() },
      );
      return this.#reported(sessionId, error);
    }
    if (this.#turns.size < this.#options.maxQueue) return undefined;
    this.#counters.totals.rejections.saturated++;
    const error = new PoolSaturatedError(`Pool ${this.#options.name} is saturated: ${this.#queue.describeQueue()}`, {
      retryAfterS: this.#queue.retryAfterS(),
    });
    return this.#reported(sessionId, error);
  }

  /** The waiting turn's caller went away. */
  abandoned(turn: PendingTurn): void {
    this.#turns.remove(turn);
    this.#counters.totals.aborts++;
    this.#fail(
      turn,
      new TurnAbortedError(`Turn of session ${turn.sessionId} was abandoned while waiting for a worker`),
    );
  }

  /** The waiting turn reached acquireTimeoutMs; `cause` is the last start failure, if any. */
  timedOut(turn: PendingTurn, cause: Error | undefined): void {
    this.#turns.remove(turn);
    this.#counters.totals.timeouts++;
    const waited = Math.round(performance.now() - turn.enqueuedAt);
    this.#fail(
      turn,
      new AcquireTimeoutError(
        `No worker for session ${turn.sessionId} within ${waited} ms (acquireTimeoutMs ${this.#options.acquireTimeoutMs}): ${this.#queue.describeQueue()}`,
        { retryAfterS: this.#queue.retryAfterS(), cause },
      ),
    );
  }

  /** The waiting turn only a new worker could serve, after `failures` failed starts in a row. */
  startsFailing(turn: PendingTurn, failures: number, cause: Error): void {
    this.#turns.remove(turn);
    this.#fail(
      turn,
      new WorkerStartError(
        `Pool ${this.#options.name} could not start a worker for session ${turn.sessionId}: ${failures} starts failed in a row (last: ${cause.message})`,
        { cause, retryAfterS: Math.ceil(this.#options.startBackoffMaxMs / 1000) },
      ),
    );
  }

  /** The pool began draining while the turn waited. */
  draining(turn: PendingTurn): void {
    this.#turns.remove(turn);
    this.#fail(turn, new PoolDrainingError(`Pool ${this.#options.name} is draining; the waiting turn was not started`));
  }

  #fail(turn: PendingTurn, error: PoolError): void {
    turn.fail(error);
    this.#reported(turn.sessionId, error);
  }

  #reported(sessionId: string, error: PoolError): PoolError {
    this.#events.emit({ type: 'turn_rejected', sessionId, code: error.code });
    return error;
  }
}
