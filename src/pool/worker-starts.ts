/**
 * The worker starts in flight, and the back-off after failed starts: after the
 * n-th failure in a row no start begins for a time drawn uniformly from
 * (0, min(base * 2^(n-1), max)] ("full jitter": pools that fail together, say
 * when the model API is down, do not retry in step). The
 * pool asks `backingOff` before starting; the hooks tell it what happened,
 * handing over each started worker as a slot with its retirement drawn. Each
 * start is a StartAttempt (below), which owns its signal and timeout.
 */
import type { PoolWorker, SessionBinding, WorkerFactory } from './worker.ts';
import { retireAt, WorkerSlot } from './worker-set.ts';

export interface StartSettings {
  readonly startTimeoutMs: number;
  readonly startBackoffBaseMs: number;
  readonly startBackoffMaxMs: number;
  readonly maxLifetimeMs: number;
}

export interface StartHooks<TInput, TEvent> {
  /** The started worker, bound to the attempt's session if it had one, `durationMs` after the start began. */
  started(attempt: StartAttempt<TInput, TEvent>, slot: WorkerSlot<TInput, TEvent>, durationMs: number): void;
  /** A start failed; no other begins for `retryInMs` (0 once stopped). */
  failed(error: Error, failuresInARow: number, retryInMs: number): void;
  backoffOver(): void;
}

export class WorkerStarts<TInput, TEvent> {
  readonly #factory: WorkerFactory<TInput, TEvent>;
  readonly #settings: StartSettings;
  readonly #hooks: StartHooks<TInput, TEvent>;
  /** Source of randomness for lifetime and back-off jitter, in [0, 1). */
  readonly #random: () => number;
  readonly #inFlight = new Set<StartAttempt<TInput, TEvent>>();
  readonly #forSession = new Map<string, StartAttempt<TInput, TEvent>>();
  #spareStarts = 0;
  #failuresInARow = 0;
  #lastError: Error | undefined;
  #backoffTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    factory: WorkerFactory<TInput, TEvent>,
    settings: StartSettings,
    random: () => number,
    hooks: StartHooks<TInput, TEvent>,
  ) {
    this.#factory = factory;
    this.#settings = settings;
    this.#random = random;
    this.#hooks = hooks;
  }

  /** Starts in flight (they count toward maxWorkers). */
  get size(): number {
    return this.#inFlight.size;
  }

  /** Starts in flight without a session (future spares). */
  get spareStarts(): number {
    return this.#spareStarts;
  }

  get backingOff(): boolean {
    return this.#backoffTimer !== undefined;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  isStartingFor(sessionId: string): boolean {
    return this.#forSession.has(sessionId);
  }

  start(id: string, session: SessionBinding | undefined): StartAttempt<TInput, TEvent> {
    const attempt = new StartAttempt<TInput, TEvent>(id, session, performance.now());
    this.#inFlight.add(attempt);
    if (session === undefined) this.#spareStarts++;
    else this.#forSession.set(session.id, attempt);
    attempt.run(this.#factory, this.#settings.startTimeoutMs, this.#onStarted, this.#onFailed);
    return attempt;
  }

  /** No more back-off timers; starts in flight are asked to stop (they still report). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    for (const attempt of this.#inFlight) attempt.abort();
  }

  #end(attempt: StartAttempt<TInput, TEvent>): void {
    this.#inFlight.delete(attempt);
    if (attempt.session === undefined) this.#spareStarts--;
    else if (this.#forSession.get(attempt.session.id) === attempt) this.#forSession.delete(attempt.session.id);
  }

  readonly #onStarted = (attempt: StartAttempt<TInput, TEvent>, worker: PoolWorker<TInput, TEvent>): void => {
    this.#end(attempt);
    // A worker that finishes starting in the background has not succeeded yet (see confirmReady()).
    if (worker.readyAfterMs === undefined || worker.readyAfterMs() !== undefined) this.#failuresInARow = 0;
    const now = performance.now();
    const retiresAt = retireAt(now, this.#settings.maxLifetimeMs, this.#random);
    this.#hooks.started(attempt, new WorkerSlot(worker, now, retiresAt, attempt.session?.id), now - attempt.startedAt);
  };

  /** A worker started in the background proved ready (its first turn ran). */
  confirmReady(): void {
    this.#failuresInARow = 0;
  }

  /** A worker whose start() had resolved failed to finish starting (BackgroundStartError). */
  failedInBackground(error: Error): void {
    this.#fail(error);
  }

  readonly #onFailed = (attempt: StartAttempt<TInput, TEvent>, error: Error): void => {
    this.#end(attempt);
    this.#fail(error);
  };

  #fail(error: Error): void {
    const failures = ++this.#failuresInARow;
    this.#lastError = error;
    let retryInMs = 0;
    if (!this.#stopped) {
      const { startBackoffBaseMs: base, startBackoffMaxMs: max } = this.#settings;
      const ceiling = Math.min(base * 2 ** Math.min(failures - 1, 30), max);
      retryInMs = Math.max(1, Math.round(ceiling * Math.min(Math.max(this.#random(), 0), 1)));
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = setTimeout(this.#onBackoffOver, retryInMs);
      // Only retries spares while idle; waiting turns hold their own timers.
      this.#backoffTimer.unref();
    }
    this.#hooks.failed(error, failures, retryInMs);
  }

  readonly #onBackoffOver = (): void => {
    this.#backoffTimer = undefined;
    this.#hooks.backoffOver();
  };
}

/**
 * One worker start in flight. It owns the start's AbortSignal and its
 * `startTimeoutMs` timer, and reports exactly once: started, or failed. A
 * worker that arrives after the attempt gave up (timeout, abort) is closed.
 */

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
