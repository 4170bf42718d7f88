/**
 * The checks a new turn passes before it may wait for a worker: a
 * well-formed request, a pool not draining, a caller still there, a free
 * session under sessionPolicy 'reject' (`refusal`); and the queue bound,
 * checked after the pool's fast path (`refusalWhenFull`). Each refusal is
 * counted and reported to listeners here; the pool rejects with it.
 */
import { PoolDrainingError, type PoolError, SessionBusyError, TurnAbortedError } from './errors.ts';
import type { EventHub } from './event-hub.ts';
import type { PoolCounters } from './pool-counters.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { AcquireRequest, PoolOptions } from './types.ts';

export class Admission {
  readonly #options: Readonly<PoolOptions>;
  readonly #turns: TurnQueue;
  readonly #counters: PoolCounters;
  readonly #events: EventHub;
  /** Builds the saturation error with the queue's state (PoolReport). */
  readonly #report: { saturated(): PoolError };

  constructor(
    options: Readonly<PoolOptions>,
    turns: TurnQueue,
    counters: PoolCounters,
    events: EventHub,
    report: { saturated(): PoolError },
  ) {
    this.#options = options;
    this.#turns = turns;
    this.#counters = counters;
    this.#events = events;
    this.#report = report;
  }

  /** Why the turn may not even be queued, or undefined when it may go on. */
  refusal(request: AcquireRequest, draining: boolean): Error | undefined {
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

  /** The refusal of a turn that would have to wait while maxQueue turns already do. */
  refusalWhenFull(sessionId: string): PoolError | undefined {
    if (this.#turns.size < this.#options.maxQueue) return undefined;
    this.#counters.totals.rejections.saturated++;
    return this.#reported(sessionId, this.#report.saturated());
  }

  #reported(sessionId: string, error: PoolError): PoolError {
    this.#events.emit({ type: 'turn_rejected', sessionId, code: error.code });
    return error;
  }
}
