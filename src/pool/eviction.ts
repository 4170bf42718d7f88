/**
 * Eviction: the shield that keeps a warm worker whose session is about to come
 * back (EvictionShield), and one placement pass's search for an idle worker a
 * waiting turn may close (EvictionPass, below).
 *
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
import type { MsHistogram, RecentSamples } from './pool-counters.ts';
import type { PendingTurn, TurnQueue } from './turn-queue.ts';
import type { WorkerSet, WorkerSlot } from './worker-set.ts';

/** How much longer than its usual gap a session's worker is kept. */
export const RETURN_SLACK = 1.25;
/** Measured cold starts needed before they replace the factory's hint. */
export const MIN_MEASURED_STARTS = 3;
/** Sessions whose gaps are remembered; beyond this the least recently active are forgotten. */
export const MAX_TRACKED_SESSIONS = 10_000;

interface Rhythm {
  readonly sessionId: string;
  /** When its last turn ended. */
  endedAt: number;
  /** True from the end of a turn until the next arrival is measured. */
  gapOpen: boolean;
  expectedGapMs: number | undefined;
  /** Its neighbours in the recency list (see EvictionShield.#oldest). */
  older: Rhythm | undefined;
  newer: Rhythm | undefined;
}

export class EvictionShield {
  readonly #sessions = new Map<string, Rhythm>();
  /**
   * The same rhythms by recency, a doubly linked list (moving one to the end
   * costs two pointer swaps, where a Map delete + set would rehash):
   *   #oldest ⇄ ... ⇄ #newest   the oldest is forgotten first when full
   */
  #oldest: Rhythm | undefined;
  #newest: Rhythm | undefined;
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
    // Most recently active last: the oldest is the one to forget when full.
    this.#unlink(rhythm);
    this.#append(rhythm);
  }

  /**
   * A turn of the session ended (whatever became of its worker), at `now` on
   * this shield's clock (the pool passes the reading it already took).
   */
  ended(sessionId: string, now = this.now()): void {
    const rhythm = this.#sessions.get(sessionId);
    if (rhythm !== undefined) {
      rhythm.endedAt = now;
      rhythm.gapOpen = true;
      return;
    }
    const oldest = this.#oldest;
    if (this.#sessions.size >= MAX_TRACKED_SESSIONS && oldest !== undefined) {
      this.#sessions.delete(oldest.sessionId);
      this.#unlink(oldest);
    }
    const added: Rhythm = {
      sessionId,
      endedAt: now,
      gapOpen: true,
      expectedGapMs: undefined,
      older: undefined,
      newer: undefined,
    };
    this.#sessions.set(sessionId, added);
    this.#append(added);
  }

  #append(rhythm: Rhythm): void {
    rhythm.older = this.#newest;
    rhythm.newer = undefined;
    if (this.#newest === undefined) this.#oldest = rhythm;
    else this.#newest.newer = rhythm;
    this.#newest = rhythm;
  }

  #unlink(rhythm: Rhythm): void {
    if (rhythm.older === undefined) this.#oldest = rhythm.newer;
    else rhythm.older.newer = rhythm.newer;
    if (rhythm.newer === undefined) this.#newest = rhythm.older;
    else rhythm.newer.older = rhythm.older;
    rhythm.older = undefined;
    rhythm.newer = undefined;
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

/**
 * One placement pass's search for idle workers to evict (the pool's last
 * resort when every worker is taken and none is on its way).
 *
 * For a waiting turn, every idle worker is ranked; the least recently used of
 * the lowest rank is taken (WorkerSet.takeEvictionVictim):
 *   EVICT       no shield protects it (EvictionShield), or the turn's shield deadline passed
 *   EVICT_LAST  its own session's turn waits but cannot take it in this pass, or
 *               arrived after this turn, which has waited longer than a start
 *   KEEP        its session's turn takes it in this pass, or a shield protects it
 * Once a shield held a turn back, younger turns of the same pass do not evict
 * before it (unless their own deadline passed). `wakeAt` is when the first of
 * those shields expires, for the pool's one wake-up timer.
 */

const EVICT = 0;
const EVICT_LAST = 1;
const KEEP = Number.POSITIVE_INFINITY;

/** One waiting turn's look for a worker to evict: the shields it met. */
interface EvictionScan {
  readonly waiter: PendingTurn;
  readonly now: number;
  readonly startCostMs: number;
  /** The earliest moment a shield that held the waiter back expires. */
  shieldedUntil: number;
  /** The first shielded worker met is the one the waiter would have evicted without shields. */
  marked: boolean;
}

/** What a waiting turn found: a worker to close (already out of `idle`), a shield holding it back, or nothing to evict. */
export type EvictionChoice<TInput, TEvent> = WorkerSlot<TInput, TEvent> | 'shielded' | 'none';

export class EvictionPass<TInput, TEvent> {
  /** When the next shield that holds a waiting turn back expires. */
  wakeAt = Number.POSITIVE_INFINITY;
  readonly #workers: WorkerSet<TInput, TEvent>;
  readonly #turns: TurnQueue;
  readonly #shield: EvictionShield;
  /** The turn cannot take a worker in this pass. */
  readonly #blocked: (turn: PendingTurn) => boolean;
  /** Set once a shield held a turn back. */
  #shielded = false;

  constructor(
    workers: WorkerSet<TInput, TEvent>,
    turns: TurnQueue,
    shield: EvictionShield,
    blocked: (turn: PendingTurn) => boolean,
  ) {
    this.#workers = workers;
    this.#turns = turns;
    this.#shield = shield;
    this.#blocked = blocked;
  }

  /** Chooses the idle worker to close for `turn`, taking it out of `idle`. */
  victimFor(turn: PendingTurn): EvictionChoice<TInput, TEvent> {
    const now = this.#shield.now();
    const deadline = turn.shieldDeadline;
    if (this.#shielded && (deadline === undefined || now < deadline)) {
      if (deadline !== undefined) this.wakeAt = Math.min(this.wakeAt, deadline);
      return 'shielded';
    }
    const scan: EvictionScan = {
      waiter: turn,
      now,
      startCostMs: this.#shield.startCostMs(),
      shieldedUntil: Number.POSITIVE_INFINITY,
      marked: false,
    };
    const victim = this.#workers.takeEvictionVictim((slot) => this.#rank(slot, scan));
    if (victim !== undefined) return victim;
    if (scan.shieldedUntil === Number.POSITIVE_INFINITY) return 'none';
    this.#shielded = true;
    turn.shieldDeadline ??= scan.shieldedUntil;
    this.wakeAt = Math.min(this.wakeAt, scan.shieldedUntil, turn.shieldDeadline);
    return 'shielded';
  }

  /** How willing the pool is to evict an idle worker for the scan's waiting turn (lower first). */
  #rank(slot: WorkerSlot<TInput, TEvent>, scan: EvictionScan): number {
    const sessionId = slot.sessionId!;
    const head = this.#turns.headOf(sessionId);
    if (head !== undefined) {
      // Its own turn waits: it takes the worker in this very pass unless it is blocked.
      if (this.#turns.isLeased(sessionId) || this.#blocked(head)) return EVICT_LAST;
      // A warm hit goes ahead of older turns (one start saved), but only until they have waited one
      // start's worth: past that, arrival order wins, so a busy session cannot starve the others.
      const overdue = head.seq > scan.waiter.seq && scan.now - scan.waiter.waitingSince >= scan.startCostMs;
      return overdue ? EVICT_LAST : KEEP;
    }
    const deadline = scan.waiter.shieldDeadline;
    if (deadline !== undefined && scan.now >= deadline) return EVICT;
    const until = this.#shield.shieldedUntil(sessionId, scan.startCostMs);
    if (scan.now >= until) return EVICT;
    if (!scan.marked) {
      scan.marked = true;
      slot.shielded = true;
    }
    scan.shieldedUntil = Math.min(scan.shieldedUntil, until);
    return KEEP;
  }
}
