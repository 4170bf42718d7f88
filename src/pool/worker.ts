/**
 * What the pool needs of a worker, and of the factory that starts workers.
 * Engines implement these; the pool never imports an engine.
 *
 * A worker is one live agent (a CLI process, or an in-process agent). It is
 * started either as a spare (no session) or for a given session, and it is
 * bound to the session of its first turn for the rest of its life.
 */

/** Which conversation a turn belongs to. */
export interface SessionBinding {
  /** The session id, chosen by the server before the first token. */
  readonly id: string;
  /** True when no conversation exists yet under this id (start it), false to resume it. */
  readonly isNew: boolean;
}

export interface TurnContext<TInput> {
  readonly session: SessionBinding;
  readonly userId: string;
  readonly input: TInput;
  /** Aborted when the caller goes away or the turn times out. */
  readonly signal: AbortSignal;
}

export interface PoolWorker<TInput, TEvent> {
  /** Unique within the process, for logs and stats. */
  readonly id: string;
  /**
   * Runs one turn and yields its events. Errors the caller should see but that
   * leave the worker usable are yielded as events; THROWING means the worker is
   * broken and the pool discards it.
   */
  runTurn(turn: TurnContext<TInput>): AsyncIterable<TEvent>;
  /** Asks a running turn to stop; resolves when the worker is ready for another turn. */
  interrupt(): Promise<void>;
  /**
   * Ends the worker and everything it started; resolves once it is gone.
   * Until then (or the pool's closeTimeoutMs) the pool gives its session to
   * no other worker. Idempotent.
   */
  close(): Promise<void>;
  /** False once the worker died (process exited, ...). */
  isAlive(): boolean;
  /** Resident memory in bytes, when known. */
  memoryBytes(): number | undefined;
  /**
   * For a worker whose `start()` resolves before it can answer (it finishes
   * starting while its first turn waits): how many ms after `start()` it became
   * ready, once known. The pool reads it after the first turn of a worker
   * started for its session and adds it to the start time it observed, so the
   * eviction shield weighs what a cold start really cost. Leave it out when
   * `start()` resolves only once the worker is ready: the pool then goes by
   * its start times and the factory's `expectedStartMs`.
   */
  readyAfterMs?(): number | undefined;
}

/**
 * Thrown by `runTurn` of a worker whose start finishes in the background (see
 * `readyAfterMs`) when that start failed: the pool counts a failed start and
 * backs off before the next, as it does when `start()` rejects, and tells the
 * caller the worker could not start.
 */
export class BackgroundStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackgroundStartError';
  }
}

export interface StartOptions {
  /** Absent for a spare; present when the worker is started to serve this session. */
  readonly session?: SessionBinding;
  /** Aborted when the start takes longer than the pool allows or the pool is destroyed. */
  readonly signal: AbortSignal;
}

export interface WorkerFactory<TInput, TEvent> {
  start(options: StartOptions): Promise<PoolWorker<TInput, TEvent>>;
  /**
   * What a cold start is expected to cost the first turn on a new worker, in
   * ms, before the pool has measured any (see `PoolWorker.readyAfterMs`). Until
   * it has measured a few cold starts, the pool takes the larger of this and
   * the median start time it observed when deciding whether evicting an idle
   * worker is worth it; after that, what it measured.
   */
  readonly expectedStartMs?: number;
  /**
   * False when a spare cannot take a session to RESUME without starting over
   * (a Claude CLI must be launched with `resume`, so the spare's process is
   * replaced). The pool then starts a worker for a resumed session rather than
   * spend a spare on it, as long as it may start one. @default true
   */
  readonly sparesResume?: boolean;
}
