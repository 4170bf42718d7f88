/**
 * Don't throw away a warm worker to save less time than rebuilding it costs.
 *
 * When every worker is taken, a waiting turn may close the least recently
 * used idle worker and start its own. If that worker's session is back
 * sooner than a new start would take, keeping the worker costs the pool
 * less idle time than the cold start the returning turn would pay, and the
 * waiting turn gets the next free worker instead. So, at the moment a waiting
 * turn looks for a victim, an idle worker is shielded when its session is
 * expected back within a start:
 *
 *   shielded while  returnAt - startCost < now < returnAt + lateness,  where
 *   returnAt = end of its last turn + expectedGap
 *   lateness = 0.25 × min(expectedGap, startCost)
 *
 * - expectedGap: per session, a short moving average of the gaps from the end
 *   of one of its turns to the arrival of its next. A session without such a
 *   gap yet (its first turns) is not shielded.
 * - startCost: the median of the last cold starts the pool measured (start to
 *   ready, PoolWorker.readyAfterMs) once it has a few; before that, the larger
 *   of the median observed start time and the factory's `expectedStartMs`.
 *   Measured, because what a start costs depends on the machine and its load.
 * - lateness covers a user who takes a little longer than usual (a late timer,
 *   a slower reader) without keeping a worker idle long for a session that is
 *   not coming back.
 *
 * The pool also bounds how long shields may hold back one waiting turn (one
 * window in all, see PendingTurn.shieldDeadline), so a session that keeps
 * coming back cannot starve others. This class keeps the per-session gaps
 * (bounded: the least recently active sessions are forgotten first) and the
 * pool's one wake-up timer, armed only while a turn waits on a shield.
 */
import type { MsHistogram } from './histogram.ts';
import type { RecentSamples } from './pool-counters.ts';

/** How much longer than its usual gap a session's worker is kept. */
export const RETURN_SLACK = 1.25;
/** Measured cold starts needed before they replace the factory's hint. */
export const MIN_MEASURED_STARTS = 3;
/** Sessions whose gaps are remembered; beyond this the least recently active are forgotten. */
export const MAX_TRACKED_SESSIONS = 10_000;

interface Rhythm {
  /** When its last turn ended. */
  endedAt: number;
  /** True from the end of a turn until the next arrival is measured. */
  gapOpen: boolean;
  expectedGapMs: number | undefined;
}

export class EvictionShield {
  readonly #sessions = new Map<string, Rhythm>();
  readonly #startHintMs: number;
  readonly #startTimes: MsHistogram;
  readonly #coldStarts: RecentSamples;
  readonly #onWake: () => void;
  /** The clock (ms) every time here is read from. */
  readonly now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    startHintMs: number | undefined,
    startTimes: MsHistogram,
    coldStarts: RecentSamples,
    now: () => number,
    onWake: () => void,
  ) {
    this.#startHintMs = typeof startHintMs === 'number' && startHintMs > 0 ? startHintMs : 0;
    this.#startTimes = startTimes;
    this.#coldStarts = coldStarts;
    this.now = now;
    this.#onWake = onWake;
  }

  /** A turn of the session arrived; `busy` when another of its turns is in flight or queued (no gap then). */
  arrived(sessionId: string, busy: boolean): void {
    const rhythm = this.#sessions.get(sessionId);
    if (rhythm === undefined || !rhythm.gapOpen) return;
    rhythm.gapOpen = false;
    if (busy) return;
    const gap = this.now() - rhythm.endedAt;
    rhythm.expectedGapMs = rhythm.expectedGapMs === undefined ? gap : (rhythm.expectedGapMs + gap) / 2;
    // Most recently active last: the first entry is the one to forget when full.
    this.#sessions.delete(sessionId);
    this.#sessions.set(sessionId, rhythm);
  }

  /** A turn of the session ended (whatever became of its worker). */
  ended(sessionId: string): void {
    const now = this.now();
    const rhythm = this.#sessions.get(sessionId);
    if (rhythm !== undefined) {
      rhythm.endedAt = now;
      rhythm.gapOpen = true;
      return;
    }
    if (this.#sessions.size >= MAX_TRACKED_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    }
    this.#sessions.set(sessionId, { endedAt: now, gapOpen: true, expectedGapMs: undefined });
  }

  /** What a cold start is taken to cost, in ms. */
  startCostMs(): number {
    if (this.#coldStarts.count >= MIN_MEASURED_STARTS) return this.#coldStarts.median();
    return Math.max(this.#startHintMs, this.#startTimes.quantile(0.5));
  }

  /** The session's usual gap between turns, once one was seen. */
  expectedGapMs(sessionId: string): number | undefined {
    return this.#sessions.get(sessionId)?.expectedGapMs;
  }

  /** Until when (clock time) the session's idle worker is shielded now; at or before now means not. */
  shieldedUntil(sessionId: string, startCostMs: number): number {
    const rhythm = this.#sessions.get(sessionId);
    const expected = rhythm?.expectedGapMs;
    if (rhythm === undefined || expected === undefined) return 0;
    const returnAt = rhythm.endedAt + expected;
    // Not back within a start from now: a start for the waiting turn is the cheaper choice.
    if (!(returnAt - this.now() < startCostMs)) return 0;
    return returnAt + Math.min(expected, startCostMs) * (RETURN_SLACK - 1);
  }

  /** Arms the one wake-up for clock time `at` (replacing any other); Infinity disarms it. */
  wakeAt(at: number): void {
    if (at === this.#wakeAt) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    // +1: a timer may fire within the millisecond before `at`.
    this.#timer = setTimeout(this.#fire, Math.max(0, Math.ceil(at - this.now())) + 1);
    // Only armed while a turn waits, and that turn holds its own (referenced) acquire timer.
    this.#timer.unref();
  }

  get armed(): boolean {
    return this.#timer !== undefined;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#onWake();
  };
}
