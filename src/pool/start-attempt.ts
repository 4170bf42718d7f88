/**
 * One worker start in flight. It owns the start's AbortSignal and its
 * `startTimeoutMs` timer, and reports exactly once: started, or failed. A
 * worker that arrives after the attempt gave up (timeout, abort) is closed.
 */
import type { PoolWorker, SessionBinding, WorkerFactory } from './worker.ts';

export class StartTimeoutError extends Error {
  readonly code = 'POOL_START_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`Worker start took longer than startTimeoutMs (${timeoutMs} ms)`);
    this.name = 'StartTimeoutError';
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export class StartAttempt<TInput, TEvent> {
  readonly id: string;
  readonly session: SessionBinding | undefined;
  readonly startedAt: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #done = false;

  constructor(id: string, session: SessionBinding | undefined, startedAt: number) {
    this.id = id;
    this.session = session;
    this.startedAt = startedAt;
  }

  run(
    factory: WorkerFactory<TInput, TEvent>,
    timeoutMs: number,
    onStarted: (attempt: StartAttempt<TInput, TEvent>, worker: PoolWorker<TInput, TEvent>) => void,
    onFailed: (attempt: StartAttempt<TInput, TEvent>, error: Error) => void,
  ): void {
    this.#timer = setTimeout(() => {
      const error = new StartTimeoutError(timeoutMs);
      this.#controller.abort(error);
      this.#fail(onFailed, error);
    }, timeoutMs);
    let started: Promise<PoolWorker<TInput, TEvent>>;
    try {
      started = factory.start({
        ...(this.session === undefined ? {} : { session: this.session }),
        signal: this.#controller.signal,
      });
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(
      (worker) => {
        if (this.#done) {
          // Gave up on it already: nobody owns this worker, so end it here.
          worker.close().catch(() => {});
          return;
        }
        this.#done = true;
        clearTimeout(this.#timer);
        onStarted(this, worker);
      },
      (error: unknown) => this.#fail(onFailed, asError(error)),
    );
  }

  /** Asks the factory to stop starting (pool draining); the attempt still reports its outcome. */
  abort(): void {
    this.#controller.abort(new Error('The pool is shutting down'));
  }

  #fail(onFailed: (attempt: StartAttempt<TInput, TEvent>, error: Error) => void, error: Error): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    onFailed(this, error);
  }
}
