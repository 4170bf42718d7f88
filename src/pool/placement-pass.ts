/**
 * Placement, in one place: the pass AgentPool.#dispatch() runs whenever a turn
 * may have become placeable, and the same rules for a new turn with nobody
 * ahead of it (placeNewTurn, which acquire() calls before queueing).
 *
 * For each ready turn in arrival order (skipping users at their cap, sessions
 * whose worker is already starting and sessions whose previous worker is
 * still closing): the idle worker bound to its session, else a spare, else
 * start one if below maxWorkers and the machine has room, else wait for a
 * closing worker or a spare on its way, else evict the LRU idle worker that
 * no shield protects (EvictionPass, EvictionShield; a shield holds one turn
 * back for one window at most, and the pool's timer wakes it when that
 * expires).
 */

import { EvictionPass, type EvictionShield } from './eviction.ts';
import type { PendingTurn, TurnQueue } from './turn-queue.ts';
import type { AcquireRequest, PoolOptions, TurnLease } from './types.ts';
import type { SessionBinding } from './worker.ts';
import type { WorkerSet, WorkerSlot } from './worker-set.ts';
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
  /** Workers may be added: below maxWorkers, and the machine has room for one more. */
  mayGrow(): boolean;
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

/** The worker a turn takes at once, and how it was placed. */
export interface AtHand<TInput, TEvent> {
  readonly slot: Slot<TInput, TEvent>;
  readonly placement: TurnLease<TInput, TEvent>['placement'];
}

/**
 * Whether the turn must wait whatever is free: its session's previous worker
 * is still closing, its own start is in flight (unless a spare turned up
 * first), or its user is at the cap. `reservedForUser`: starts in flight for
 * the user's other waiting turns, which count as workers the user holds.
 */
function mustWait<TInput, TEvent>(
  host: PlacementHost<TInput, TEvent>,
  sessionId: string,
  userId: string,
  reservedForUser: number,
): boolean {
  // Two live processes on one conversation could both write it: the old one exits first (bounded by closeTimeoutMs).
  if (host.workers.isClosingFor(sessionId)) return true;
  const ownStart = host.starting.isStartingFor(sessionId);
  if (ownStart && host.workers.spares === 0) return true;
  // Its own start in flight is not one more worker for the user.
  return host.userLoad(userId) + reservedForUser - (ownStart ? 1 : 0) >= host.options.maxTurnsPerUser;
}

/** The idle worker bound to the session, else a spare it may take (both taken out of their collections). */
function takeAtHand<TInput, TEvent>(
  host: PlacementHost<TInput, TEvent>,
  session: SessionBinding,
): AtHand<TInput, TEvent> | undefined {
  const warm = host.workers.takeLiveIdle(session.id);
  if (warm !== undefined) return { slot: warm, placement: warm.fresh ? 'cold' : 'warm' };
  const spare = host.spareFor(session);
  return spare === undefined ? undefined : { slot: spare, placement: 'spare' };
}

/**
 * A new turn with nobody ahead of it (no turn waits, its session is free):
 * the worker it takes at once by the pass's own rules, or undefined to queue.
 */
export function placeNewTurn<TInput, TEvent>(
  host: PlacementHost<TInput, TEvent>,
  request: AcquireRequest,
): AtHand<TInput, TEvent> | undefined {
  if (mustWait(host, request.session.id, request.userId, 0)) return undefined;
  return takeAtHand(host, request.session);
}

export function placeReadyTurns<TInput, TEvent>(host: PlacementHost<TInput, TEvent>): PlacementOutcome {
  const { turns, workers, starting } = host;
  const ready = turns.ready;
  // Workers a user holds = leases (live count) + starts in flight for their waiting turns.
  const reserved = new Map<string, number>();
  for (const turn of ready) {
    if (starting.isStartingFor(turn.sessionId)) reserved.set(turn.userId, (reserved.get(turn.userId) ?? 0) + 1);
  }
  /** The turn cannot take a worker in this pass. */
  const blocked = (turn: PendingTurn): boolean =>
    mustWait(host, turn.sessionId, turn.userId, reserved.get(turn.userId) ?? 0);
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
    const atHand = takeAtHand(host, turn.request.session);
    if (atHand !== undefined) {
      host.serve(i, atHand.slot, atHand.placement);
      continue;
    }
    i++;
    // Refused the spare, it waits for the start already in flight for it: never a second one.
    if (starting.isStartingFor(turn.sessionId)) continue;
    if (!canGrow) {
      short = true;
      continue;
    }
    if (host.mayGrow()) {
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
