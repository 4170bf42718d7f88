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
import type { EvictionShield } from './eviction-shield.ts';
import type { PendingTurn } from './pending-turn.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { WorkerSet, WorkerSlot } from './worker-set.ts';

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
