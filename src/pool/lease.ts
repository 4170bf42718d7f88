/**
 * A worker held for one turn. `run()` drives the worker's turn and enforces the
 * turn timeout, the caller's abort and crash handling; every way a turn can
 * end goes through `#stop()`/`#conclude()`, which deal with the worker once and
 * hand it back to the pool with a verdict (keep it, or discard it).
 */
import {
  PoolDrainingError,
  TurnAbortedError,
  TurnTimeoutError,
  WorkerCrashedError,
  WorkerStartError,
} from './errors.ts';
import type { AcquireRequest, TurnLease } from './types.ts';
import { BackgroundStartError } from './worker.ts';
import type { WorkerSlot } from './worker-set.ts';

export type TurnOutcome = 'ok' | 'aborted' | 'timeout' | 'crashed';
type StopReason = 'aborted' | 'released' | 'timeout' | 'revoked';

/** What the lease tells the pool when it gives the worker back. */
export interface LeaseVerdict {
  /** A turn ran on the worker (counts toward maxTurnsPerWorker, triggers health checks). */
  readonly ran: boolean;
  /** Set when the worker must be closed instead of reused. */
  readonly discard?: 'crashed' | 'turn_timeout' | 'interrupt_failed' | 'revoked';
  readonly outcome?: TurnOutcome;
  readonly durationMs?: number;
  /** What the worker threw, when it crashed. */
  readonly crash?: unknown;
}

export interface LeaseHost<TInput, TEvent> {
  readonly turnTimeoutMs: number;
  readonly abortGraceMs: number;
  /** Called exactly once per lease. */
  settleLease(lease: PoolLease<TInput, TEvent>, verdict: LeaseVerdict): void;
}

const STOP = Symbol('stop');
type Step<TEvent> = IteratorResult<TEvent> | typeof STOP;

function swallow(): void {}

export class PoolLease<TInput, TEvent> implements TurnLease<TInput, TEvent> {
  readonly workerId: string;
  readonly placement: 'warm' | 'spare' | 'cold';
  readonly waitedMs: number;
  readonly slot: WorkerSlot<TInput, TEvent>;
  readonly request: AcquireRequest;
  #host: LeaseHost<TInput, TEvent>;
  #settled = false;
  #started = false;
  #stopReason: StopReason | undefined;
  #conclusion: Promise<void> | undefined;
  #crash: unknown;
  #outcome: TurnOutcome | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wake: ((step: Step<TEvent>) => void) | undefined;
  #turnStartedAt = 0;
  #onCallerAbort: (() => void) | undefined;
  #iterator: AsyncIterator<TEvent> | undefined;
  /** Cuts the wait for an interrupt short (the lease was revoked meanwhile). */
  #endGrace: ((settled: boolean) => void) | undefined;

  constructor(
    host: LeaseHost<TInput, TEvent>,
    slot: WorkerSlot<TInput, TEvent>,
    request: AcquireRequest,
    placement: 'warm' | 'spare' | 'cold',
    waitedMs: number,
  ) {
    this.#host = host;
    this.slot = slot;
    this.request = request;
    this.workerId = slot.worker.id;
    this.placement = placement;
    this.waitedMs = waitedMs;
  }

  release(): void {
    if (this.#settled) return;
    if (this.#started) {
      // Mid-turn: treat as the caller going away (interrupt, then keep or close).
      this.#stop('released');
      return;
    }
    this.#settle({ ran: false });
  }

  /** The pool takes the worker back now (drain grace over, destroy). */
  revoke(): void {
    if (this.#settled) return;
    if (this.#conclusion !== undefined) {
      // Already stopping (waiting out an interrupt): do not wait for the grace.
      this.#settle({ ran: true, discard: 'revoked' });
    } else if (this.#started) {
      this.#stop('revoked');
    } else {
      this.#settle({ ran: false, discard: 'revoked' });
    }
  }

  async *run(input: TInput): AsyncGenerator<TEvent, void, undefined> {
    if (this.#started) throw new Error('TurnLease.run() may be called once');
    if (this.#settled) throw new TurnAbortedError(`The lease on worker ${this.workerId} was already released`);
    this.#started = true;
    this.#turnStartedAt = performance.now();
    const controller = new AbortController();
    this.#controller = controller;
    const callerSignal = this.request.signal;
    // Listeners are made here, not as class fields, so an acquire+release without a turn allocates none.
    this.#onCallerAbort = () => this.#stop('aborted');
    callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#stop('timeout');
    }, this.#host.turnTimeoutMs);
    let finishedNormally = false;
    try {
      if (callerSignal?.aborted) this.#stop('aborted');
      let iterator: AsyncIterator<TEvent> | undefined;
      if (this.#stopReason === undefined) {
        try {
          iterator = this.#iterator = this.slot.worker
            .runTurn({ session: this.request.session, userId: this.request.userId, input, signal: controller.signal })
            [Symbol.asyncIterator]();
        } catch (error) {
          this.#conclude('crashed', error);
        }
      }
      while (iterator !== undefined && this.#stopReason === undefined && this.#conclusion === undefined) {
        let step: Step<TEvent>;
        try {
          step = await this.#next(iterator);
        } catch (error) {
          this.#conclude('crashed', error);
          break;
        }
        if (step === STOP) break;
        if (step.done) {
          await this.#conclude('ok');
          break;
        }
        yield step.value;
      }
      if (this.#conclusion) await this.#conclusion;
      finishedNormally = true;
      this.#throwIfFailed();
    } finally {
      if (!finishedNormally) {
        // The consumer stopped iterating early (break/throw): the turn is abandoned.
        this.#stop('aborted');
        await this.#conclusion;
      }
    }
  }

  #next(iterator: AsyncIterator<TEvent>): Promise<Step<TEvent>> {
    return new Promise<Step<TEvent>>((resolve, reject) => {
      this.#wake = resolve;
      iterator.next().then(resolve, reject);
    });
  }

  /** Ends the turn early (once); the generator, if waiting on the worker, is woken. */
  #stop(reason: StopReason): void {
    if (this.#conclusion !== undefined || this.#settled) return;
    this.#stopReason = reason;
    this.#conclude(reason === 'timeout' ? 'timeout' : 'aborted');
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.(STOP);
  }

  #conclude(outcome: TurnOutcome, crash?: unknown): Promise<void> {
    if (this.#conclusion) return this.#conclusion;
    this.#crash = crash;
    this.#outcome = outcome;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onCallerAbort) this.request.signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#conclusion = this.#dealWithWorker(outcome);
    return this.#conclusion;
  }

  async #dealWithWorker(outcome: TurnOutcome): Promise<void> {
    const durationMs = performance.now() - this.#turnStartedAt;
    if (outcome === 'ok') {
      this.#settle({ ran: true, outcome, durationMs });
      return;
    }
    this.#controller?.abort(new TurnAbortedError(`Turn on worker ${this.workerId} stopped: ${outcome}`));
    if (outcome === 'crashed') {
      this.#settle({ ran: true, outcome, durationMs, discard: 'crashed', crash: this.#crash });
      return;
    }
    const worker = this.slot.worker;
    if (outcome === 'timeout' || this.#stopReason === 'revoked') {
      // The worker is closed either way: ask it to stop, without waiting.
      try {
        worker.interrupt().catch(swallow);
      } catch {}
      this.#closeIterator();
      this.#settle({ ran: true, outcome, durationMs, discard: outcome === 'timeout' ? 'turn_timeout' : 'revoked' });
      return;
    }
    const interrupted = this.#interruptWithinGrace();
    this.#closeIterator();
    const settledInTime = await interrupted;
    if (this.#settled) return; // revoked meanwhile
    this.#settle({
      ran: true,
      outcome,
      durationMs,
      ...(settledInTime && worker.isAlive() ? {} : { discard: 'interrupt_failed' as const }),
    });
  }

  /** Lets the worker's turn generator run its cleanup; never awaited (it may be stuck). */
  #closeIterator(): void {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    try {
      iterator?.return?.().catch(swallow);
    } catch {}
  }

  /** Resolves true if the worker's interrupt settles within abortGraceMs, false otherwise or if cut short. */
  #interruptWithinGrace(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const end = (settled: boolean): void => {
        clearTimeout(timer);
        this.#endGrace = undefined;
        resolve(settled);
      };
      const timer = setTimeout(end, this.#host.abortGraceMs, false);
      this.#endGrace = end;
      let interrupted: Promise<void>;
      try {
        interrupted = this.slot.worker.interrupt();
      } catch (error) {
        interrupted = Promise.reject(error);
      }
      interrupted.then(
        () => end(true),
        () => end(false),
      );
    });
  }

  #settle(verdict: LeaseVerdict): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#endGrace?.(false);
    this.#host.settleLease(this, verdict);
  }

  #throwIfFailed(): void {
    const id = this.workerId;
    const session = this.request.session.id;
    switch (this.#stopReason) {
      case 'timeout':
        throw new TurnTimeoutError(
          `Turn of session ${session} ran past turnTimeoutMs (${this.#host.turnTimeoutMs} ms); worker ${id} was discarded`,
        );
      case 'aborted':
      case 'released':
        throw new TurnAbortedError(`Turn of session ${session} was abandoned by its caller; worker ${id} interrupted`);
      case 'revoked':
        // Not the caller's doing: the pool's drain grace ran out (a shutdown), so it says so by its code.
        throw new PoolDrainingError(`Turn of session ${session} was stopped: the pool is shutting down`);
      default:
        break;
    }
    if (this.#outcome === 'crashed' && this.#crash instanceof BackgroundStartError) {
      throw new WorkerStartError(
        `Worker ${id} could not start for session ${session}: ${describeError(this.#crash)}; the pool backs off before the next start`,
        { cause: this.#crash },
      );
    }
    if (this.#outcome === 'crashed') {
      throw new WorkerCrashedError(
        `Worker ${id} failed during a turn of session ${session}: ${describeError(this.#crash)}; it was discarded and will be replaced`,
        { cause: this.#crash },
      );
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
