/**
 * A controllable worker factory for pool tests and the pool benchmark: start
 * latency, turn latency, start failures, crashes mid-turn, workers that hang
 * on interrupt, a memory figure. It records every call so tests can check the
 * pool's invariants (most workers alive at once, most turns of one session at
 * once, the order each session's turns ran in).
 *
 * Events are `{ type: 'text' }` then `{ type: 'done' }`; pass `events:
 * agentEvents` (with `TurnInput` inputs) for `AgentEvent`s as engines yield.
 */
import type { AgentEvent, TurnInput } from '../../src/engines/types.ts';
import {
  BackgroundStartError,
  type PoolWorker,
  type SessionBinding,
  type StartOptions,
  type TurnContext,
  type WorkerFactory,
} from '../../src/pool/worker.ts';

export type FakeEvent = { readonly type: 'text'; readonly text: string } | { readonly type: 'done' };

type PerStart<T> = T | ((start: FakeStartInfo) => T);
type PerTurn<TInput, T> = T | ((turn: TurnContext<TInput>, worker: FakeWorker<TInput, unknown>) => T);

export interface FakeStartInfo {
  /** 1-based count of start() calls on this factory. */
  readonly attempt: number;
  readonly session: SessionBinding | undefined;
}

export interface FakeFactoryOptions<TInput, TEvent> {
  /** Milliseconds start() takes. @default 0 */
  readonly startDelayMs?: PerStart<number>;
  /** The factory's `expectedStartMs` hint to the pool (what a cold start really costs). @default undefined */
  readonly expectedStartMs?: number;
  /** The factory's `sparesResume` (false: spares serve new sessions only). @default undefined */
  readonly sparesResume?: boolean;
  /** True to make this start fail (after its delay). @default false */
  readonly failStart?: PerStart<boolean>;
  /** True to make start() never settle unless its signal aborts. @default false */
  readonly hangStart?: PerStart<boolean>;
  /** Milliseconds a turn takes before its events. @default 0 */
  readonly turnDelayMs?: PerTurn<TInput, number>;
  /** True to make the turn throw after its first event (a crash). @default false */
  readonly crashTurn?: PerTurn<TInput, boolean>;
  /** Milliseconds close() takes to resolve, as a process takes to exit; the worker counts as alive until then. @default 0 */
  readonly closeDelayMs?: number;
  /** True to make interrupt() never resolve. @default false */
  readonly hangOnInterrupt?: boolean | ((worker: FakeWorker<TInput, unknown>) => boolean);
  /** What workers report as their time to ready after start() (PoolWorker.readyAfterMs). @default not reported */
  readonly readyAfterMs?: number;
  /** True to make this start "fail in the background": start() resolves, the first turn throws BackgroundStartError. @default false */
  readonly failStartInBackground?: PerStart<boolean>;
  /** Resident memory reported by workers. @default undefined */
  readonly memoryBytes?: number | ((worker: FakeWorker<TInput, unknown>) => number | undefined);
  /** Holds every turn until the test calls `finishTurn()`. @default false */
  readonly holdTurns?: boolean;
  /** The events of a turn. @default simpleEvents */
  readonly events?: (turn: TurnContext<TInput>, workerId: string) => TEvent[];
}

export interface TurnRecord {
  readonly workerId: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly input: unknown;
  /** How the turn ended, once it has. */
  end?: 'ok' | 'crashed' | 'aborted' | 'closed';
}

/** Default events: the worker echoes its input. */
export function simpleEvents<TInput>(turn: TurnContext<TInput>, workerId: string): FakeEvent[] {
  return [{ type: 'text', text: `${workerId}:${String(turn.input)}` }, { type: 'done' }];
}

/** AgentEvent-shaped events, for tests of the HTTP layer with `TurnInput` inputs. */
export function agentEvents(turn: TurnContext<TurnInput>, workerId: string): AgentEvent[] {
  return [
    { type: 'session', sessionId: turn.session.id, isNew: turn.session.isNew },
    { type: 'text', text: `(${workerId}) ${turn.input.message}` },
    { type: 'done', durationMs: 0 },
  ];
}

function pick<A extends unknown[], T>(value: T | ((...args: A) => T), ...args: A): T {
  return typeof value === 'function' ? (value as (...args: A) => T)(...args) : value;
}

/** Resolves after `ms`, or early (with false) when `stop` fires. */
function wait(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}

export class FakeWorker<TInput, TEvent> implements PoolWorker<TInput, TEvent> {
  readonly id: string;
  readonly startedFor: SessionBinding | undefined;
  closed = false;
  /** True once close() has resolved (the "process" is gone). */
  exited = false;
  dead = false;
  turns = 0;
  #factory: FakeWorkerFactory<TInput, TEvent>;
  /** Its start "fails in the background" (see FakeFactoryOptions.failStartInBackground). */
  readonly #failsInBackground: boolean;
  /** Present only when the factory options ask workers to report readiness. */
  readonly readyAfterMs?: () => number | undefined;
  /** Ends the current turn's wait early (interrupt or close). */
  #turnStop: AbortController | undefined;
  #current: TurnRecord | undefined;
  #exit: Promise<void> | undefined;

  constructor(
    factory: FakeWorkerFactory<TInput, TEvent>,
    id: string,
    startedFor: SessionBinding | undefined,
    failsInBackground = false,
  ) {
    this.#factory = factory;
    this.id = id;
    this.startedFor = startedFor;
    this.#failsInBackground = failsInBackground;
    const readyAfter = factory.options.readyAfterMs;
    if (readyAfter !== undefined || failsInBackground) {
      this.readyAfterMs = () => (this.#failsInBackground || this.turns === 0 ? undefined : readyAfter);
    }
  }

  async *runTurn(turn: TurnContext<TInput>): AsyncGenerator<TEvent, void, undefined> {
    if (this.closed || this.dead) throw new Error(`fake worker ${this.id} is not alive`);
    if (this.#failsInBackground) {
      this.dead = true;
      throw new BackgroundStartError(`fake worker ${this.id} failed to finish starting`);
    }
    const factory = this.#factory;
    const record: TurnRecord = {
      workerId: this.id,
      sessionId: turn.session.id,
      userId: turn.userId,
      input: turn.input,
    };
    const stop = new AbortController();
    this.#turnStop = stop;
    this.#current = record;
    this.turns++;
    factory.turnBegan(record);
    const onSignal = (): void => stop.abort();
    turn.signal.addEventListener('abort', onSignal, { once: true });
    try {
      const options = factory.options;
      const held = options.holdTurns ? factory.holdTurn(stop.signal) : Promise.resolve(true);
      const finished =
        (await held) &&
        (await wait(pick(options.turnDelayMs ?? 0, turn, this as FakeWorker<TInput, unknown>), stop.signal));
      const events = (options.events ?? (simpleEvents as unknown as (t: TurnContext<TInput>, id: string) => TEvent[]))(
        turn,
        this.id,
      );
      if (!finished) {
        this.#endTurn(record, this.closed ? 'closed' : 'aborted');
        return;
      }
      if (pick(options.crashTurn ?? false, turn, this as FakeWorker<TInput, unknown>)) {
        yield events[0];
        this.dead = true;
        this.#endTurn(record, 'crashed');
        throw new Error(`fake worker ${this.id} crashed mid-turn`);
      }
      for (const event of events) yield event;
      this.#endTurn(record, 'ok');
    } finally {
      turn.signal.removeEventListener('abort', onSignal);
      // Abandoned by the consumer: the turn is over for this worker too.
      this.#endTurn(record, 'aborted');
    }
  }

  #endTurn(record: TurnRecord, end: NonNullable<TurnRecord['end']>): void {
    if (record.end !== undefined) return;
    record.end = end;
    if (this.#current === record) {
      this.#current = undefined;
      this.#turnStop = undefined;
    }
    this.#factory.turnEnded(record);
  }

  interrupt(): Promise<void> {
    this.#factory.interrupts++;
    const hang = this.#factory.options.hangOnInterrupt;
    if (hang === true || (typeof hang === 'function' && hang(this as FakeWorker<TInput, unknown>))) {
      return new Promise(() => {});
    }
    this.#turnStop?.abort();
    if (this.#current) this.#endTurn(this.#current, 'aborted');
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#exit) return this.#exit;
    this.closed = true;
    this.#turnStop?.abort();
    if (this.#current) this.#endTurn(this.#current, 'closed');
    const exited = (): void => {
      this.exited = true;
      this.#factory.workerClosed(this);
    };
    const delay = this.#factory.options.closeDelayMs ?? 0;
    if (delay <= 0) {
      exited();
      this.#exit = Promise.resolve();
    } else {
      this.#exit = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(exited);
    }
    return this.#exit;
  }

  isAlive(): boolean {
    return !this.closed && !this.dead;
  }

  memoryBytes(): number | undefined {
    const memory = this.#factory.options.memoryBytes;
    return typeof memory === 'function' ? memory(this as FakeWorker<TInput, unknown>) : memory;
  }

  /** Makes the worker die between turns (process exited). */
  die(): void {
    this.dead = true;
  }
}

export class FakeWorkerFactory<TInput = string, TEvent = FakeEvent> implements WorkerFactory<TInput, TEvent> {
  readonly options: FakeFactoryOptions<TInput, TEvent>;
  readonly expectedStartMs: number | undefined;
  readonly sparesResume: boolean | undefined;
  startCalls = 0;
  startFailures = 0;
  interrupts = 0;
  /** Workers alive from the moment start() is called until close(): what maxWorkers bounds. */
  alive = 0;
  maxAlive = 0;
  readonly workers: FakeWorker<TInput, TEvent>[] = [];
  readonly starts: FakeStartInfo[] = [];
  readonly turns: TurnRecord[] = [];
  /** Turns in flight per session, and the most ever seen for any session. */
  readonly inFlightBySession = new Map<string, number>();
  maxInFlightPerSession = 0;
  /** Turns in flight per user, and the most ever seen for any user. */
  readonly inFlightByUser = new Map<string, number>();
  maxInFlightPerUser = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly #held: Array<(go: boolean) => void> = [];
  readonly #heldWaiters: Array<() => void> = [];

  constructor(options: FakeFactoryOptions<TInput, TEvent> = {}) {
    this.options = options;
    this.expectedStartMs = options.expectedStartMs;
    this.sparesResume = options.sparesResume;
  }

  async start(options: StartOptions): Promise<PoolWorker<TInput, TEvent>> {
    const info: FakeStartInfo = { attempt: ++this.startCalls, session: options.session };
    this.starts.push(info);
    this.#alive(+1);
    try {
      if (pick(this.options.hangStart ?? false, info)) {
        await new Promise((_, reject) => {
          options.signal.addEventListener('abort', () => reject(new Error('start aborted')), { once: true });
        });
      }
      const ok = await wait(pick(this.options.startDelayMs ?? 0, info), options.signal);
      if (!ok) throw new Error('start aborted');
      if (pick(this.options.failStart ?? false, info)) throw new Error(`fake start ${info.attempt} failed`);
    } catch (error) {
      this.startFailures++;
      this.#alive(-1);
      throw error;
    }
    const worker = new FakeWorker<TInput, TEvent>(
      this,
      `w${info.attempt}`,
      options.session,
      pick(this.options.failStartInBackground ?? false, info),
    );
    this.workers.push(worker);
    return worker;
  }

  /** Workers started and not closed (what the pool must have closed after drain/destroy). */
  liveWorkers(): FakeWorker<TInput, TEvent>[] {
    return this.workers.filter((worker) => !worker.closed);
  }

  /** Turns that ran for a session, in the order they began. */
  turnsOf(sessionId: string): TurnRecord[] {
    return this.turns.filter((turn) => turn.sessionId === sessionId);
  }

  /** Number of turns held (holdTurns) right now. */
  get heldTurns(): number {
    return this.#held.length;
  }

  /** Lets the oldest held turn finish; returns false when none is held. */
  finishTurn(): boolean {
    const next = this.#held.shift();
    next?.(true);
    return next !== undefined;
  }

  /** Resolves once at least `count` turns are held. */
  async untilHeld(count: number): Promise<void> {
    while (this.#held.length < count) await new Promise<void>((resolve) => this.#heldWaiters.push(resolve));
  }

  holdTurn(stop: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = (go: boolean): void => {
        stop.removeEventListener('abort', onStop);
        resolve(go);
      };
      const onStop = (): void => {
        const index = this.#held.indexOf(entry);
        if (index >= 0) this.#held.splice(index, 1);
        resolve(false);
      };
      stop.addEventListener('abort', onStop, { once: true });
      this.#held.push(entry);
      for (const wake of this.#heldWaiters.splice(0)) wake();
    });
  }

  turnBegan(record: TurnRecord): void {
    this.turns.push(record);
    const count = (this.inFlightBySession.get(record.sessionId) ?? 0) + 1;
    this.inFlightBySession.set(record.sessionId, count);
    this.maxInFlightPerSession = Math.max(this.maxInFlightPerSession, count);
    const byUser = (this.inFlightByUser.get(record.userId) ?? 0) + 1;
    this.inFlightByUser.set(record.userId, byUser);
    this.maxInFlightPerUser = Math.max(this.maxInFlightPerUser, byUser);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  turnEnded(record: TurnRecord): void {
    const count = (this.inFlightBySession.get(record.sessionId) ?? 1) - 1;
    if (count === 0) this.inFlightBySession.delete(record.sessionId);
    else this.inFlightBySession.set(record.sessionId, count);
    const byUser = (this.inFlightByUser.get(record.userId) ?? 1) - 1;
    if (byUser === 0) this.inFlightByUser.delete(record.userId);
    else this.inFlightByUser.set(record.userId, byUser);
    this.inFlight--;
  }

  workerClosed(_worker: FakeWorker<TInput, TEvent>): void {
    this.#alive(-1);
  }

  #alive(delta: number): void {
    this.alive += delta;
    this.maxAlive = Math.max(this.maxAlive, this.alive);
  }
}

/** A fake factory yielding AgentEvents for TurnInput, as the engines do. */
export function createFakeAgentFactory(
  options: Omit<FakeFactoryOptions<TurnInput, AgentEvent>, 'events'> = {},
): FakeWorkerFactory<TurnInput, AgentEvent> {
  return new FakeWorkerFactory<TurnInput, AgentEvent>({ ...options, events: agentEvents });
}
