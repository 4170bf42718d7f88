/**
 * The pool's record of one live worker: its state, the session it is bound
 * to, how many turns it ran, and the one timer that retires it while idle.
 *
 *   starting ──► spare ──(first turn)──► busy ◄──► idle (bound) ──► closing
 *        └──(started for a session)──────────────► idle (bound, fresh)
 */
import type { PoolWorker } from './worker.ts';

export type SlotState = 'spare' | 'idle' | 'busy' | 'closing';

export class WorkerSlot<TInput, TEvent> {
  readonly worker: PoolWorker<TInput, TEvent>;
  /** When the worker retires: start + maxLifetime + up to 10% jitter. */
  readonly retireAt: number;
  state: SlotState;
  /** The session the worker serves; undefined while it is a spare. */
  sessionId: string | undefined;
  /** Started for its session and not used yet: its first lease counts as a cold start. */
  fresh: boolean;
  turns = 0;
  /** How long start() took, in ms. */
  startMs = 0;
  idleSince: number;
  /** An eviction shield held a waiting turn off this worker since its last lease (see EvictionShield). */
  shielded = false;
  /**
   * At most one timer per worker, armed while idle and left running across
   * short leases: when it fires it re-checks the deadline and re-arms if the
   * worker was used meanwhile, so the warm path never touches a timer.
   */
  timer: NodeJS.Timeout | undefined;

  constructor(worker: PoolWorker<TInput, TEvent>, now: number, retireAt: number, sessionId: string | undefined) {
    this.worker = worker;
    this.retireAt = retireAt;
    this.sessionId = sessionId;
    this.fresh = sessionId !== undefined;
    this.state = sessionId === undefined ? 'spare' : 'idle';
    this.idleSince = now;
  }

  /** The moment this idle worker should be looked at again. */
  deadline(idleTtlMs: number): number {
    if (this.state === 'spare') return this.retireAt;
    return Math.min(this.retireAt, this.idleSince + idleTtlMs);
  }
}
