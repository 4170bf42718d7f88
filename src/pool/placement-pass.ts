/**
 * One placement pass: the pool's one placement function, run by
 * AgentPool.#dispatch() whenever a turn may have become placeable.
 *
 * For each ready turn in arrival order (skipping users at their cap,
 * sessions whose worker is already starting and sessions whose previous
 * worker is still closing): the idle worker bound to its
 * session, else a spare, else start one if below maxWorkers, else wait for a
 * closing worker or a spare on its way, else evict the LRU idle worker that no
 * shield protects (EvictionPass, EvictionShield; a shield holds one turn back
 * for one window at most, and the pool's timer wakes it when that expires).
 */
import { EvictionPass } from './eviction-pass.ts';
import type { EvictionShield } from './eviction-shield.ts';
import type { PendingTurn } from './pending-turn.ts';
import type { TurnQueue } from './turn-queue.ts';
import type { PoolOptions, TurnLease } from './types.ts';
import type { SessionBinding } from './worker.ts';
import type { WorkerSet } from './worker-set.ts';
import type { WorkerSlot } from './worker-slot.ts';
import type { WorkerStarts } from './worker-starts.ts';

type Slot<TInput, TEvent> = WorkerSlot<TInput, TEvent>;

/** What a pass reads from the pool and asks it to do. */
export interface PlacementHost<TInput, TEvent> {
  readonly options: Readonly<PoolOptions>;
  readonly turns: TurnQueue;
  readonly workers: WorkerSet<TInput, TEvent>;
  readonly starting: WorkerStarts<TInput, TEvent>;
  readonly shield: EvictionShield;
  /** Leases the user holds now. */
  userLoad(userId: string): number;
  /** Workers plus starts in flight: what maxWorkers bounds. */
  total(): number;
  /** A spare the session may take, if any (taken out of the spares). */
  spareFor(session: SessionBinding): Slot<TInput, TEvent> | undefined;
  /** Leases the worker to the ready turn at `index`. */
  serve(index: number, slot: Slot<TInput, TEvent>, placement: TurnLease<TInput, TEvent>['placement']): void;
  startWorker(session: SessionBinding): void;
  /** Closes an idle worker (already out of `idle`) to make room. */
  evict(slot: Slot<TInput, TEvent>): void;
}

export interface PlacementOutcome {
  /** Some turn is still waiting for capacity. */
  readonly short: boolean;
  /** When the first shield that held a turn back expires (Infinity: none did). */
  readonly shieldWake: number;
}

export function placeReadyTurns<TInput, TEvent>(host: PlacementHost<TInput, TEvent>): PlacementOutcome {
  const { options, turns, workers, starting } = host;
  const ready = turns.ready;
  const cap = options.maxTurnsPerUser;
  // Workers a user holds = leases (live count) + starts in flight for their waiting turns.
  const reserved = new Map<string, number>();
  for (const turn of ready) {
    if (starting.isStartingFor(turn.sessionId)) reserved.set(turn.userId, (reserved.get(turn.userId) ?? 0) + 1);
  }
  /** The turn cannot take a worker in this pass (its own is starting, or its user is at the cap). */
  const blocked = (turn: PendingTurn): boolean => {
    // Two live processes on one conversation could both write it: the old one exits first (bounded by closeTimeoutMs).
    if (workers.isClosingFor(turn.sessionId)) return true;
    // A turn whose worker is starting waits for it, unless a spare turned up first.
    const ownStart = starting.isStartingFor(turn.sessionId);
    if (ownStart && workers.spares === 0) return true;
    // Its own start in flight is not one more worker for the user.
    return host.userLoad(turn.userId) + (reserved.get(turn.userId) ?? 0) - (ownStart ? 1 : 0) >= cap;
  };
  let incoming = workers.closing + starting.spareStarts;
  let short = false;
  let canGrow = !starting.backingOff;
  let evictions: EvictionPass<TInput, TEvent> | undefined;
  for (let i = 0; i < ready.length; ) {
    const turn = ready[i];
    if (blocked(turn)) {
      i++;
      continue;
    }
    const warm = workers.takeLiveIdle(turn.sessionId);
    if (warm !== undefined) {
      host.serve(i, warm, warm.fresh ? 'cold' : 'warm');
      continue;
    }
    const spare = host.spareFor(turn.request.session);
    if (spare !== undefined) {
      host.serve(i, spare, 'spare');
      continue;
    }
    i++;
    // Refused the spare, it waits for the start already in flight for it: never a second one.
    if (starting.isStartingFor(turn.sessionId)) continue;
    if (!canGrow) {
      short = true;
      continue;
    }
    if (host.total() < options.maxWorkers) {
      reserved.set(turn.userId, (reserved.get(turn.userId) ?? 0) + 1);
      host.startWorker(turn.request.session);
      continue;
    }
    short = true;
    if (incoming > 0) {
      incoming--;
      continue;
    }
    evictions ??= new EvictionPass(workers, turns, host.shield, blocked);
    const victim = evictions.victimFor(turn);
    if (victim === 'none') canGrow = false;
    else if (victim !== 'shielded') host.evict(victim);
  }
  return { short, shieldWake: evictions?.wakeAt ?? Number.POSITIVE_INFINITY };
}
