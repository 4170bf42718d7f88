/**
 * When a worker must go: its lifetime deadline (drawn once, with jitter so
 * workers started together do not all retire together) and the checks on a
 * worker coming back from a turn (memory, turns served, lifetime).
 * Idle TTL and lifetime while idle are WorkerSet's timer.
 */
import type { PoolOptions, RecycleReason } from './types.ts';
import type { WorkerSlot } from './worker-set.ts';

/** The limits a worker can reach during a turn. */
export type TurnLimit = Exclude<RecycleReason, 'idle_ttl'>;

/** Why a worker leaves after a turn: recycled by a limit, found dead, or the pool is draining. */
export type Retirement = TurnLimit | 'dead' | 'draining';

/** Up to this fraction of maxLifetimeMs is added to each worker's lifetime. */
const LIFETIME_JITTER = 0.1;

/** When a worker started at `now` retires: maxLifetimeMs plus up to 10% (random in [0, 1)). */
export function retireAt(now: number, maxLifetimeMs: number, random: () => number): number {
  const jitter = 1 + LIFETIME_JITTER * Math.min(Math.max(random(), 0), 1);
  return now + maxLifetimeMs * jitter;
}

/**
 * Why a worker coming back from a lease must go, if it must. A lease whose
 * turn never ran leaves the turn count where it was, so the same checks hold.
 */
export function retirementAfterTurn<TInput, TEvent>(
  slot: WorkerSlot<TInput, TEvent>,
  now: number,
  limits: Pick<PoolOptions, 'maxWorkerMemoryBytes' | 'maxTurnsPerWorker'>,
): Retirement | undefined {
  if (!slot.worker.isAlive()) return 'dead';
  const memory = slot.worker.memoryBytes();
  if (memory !== undefined && memory > limits.maxWorkerMemoryBytes) return 'memory';
  if (slot.turns >= limits.maxTurnsPerWorker) return 'max_turns';
  if (now >= slot.retireAt) return 'max_lifetime';
  return undefined;
}

export function isTurnLimit(reason: string): reason is TurnLimit {
  return reason === 'max_turns' || reason === 'max_lifetime' || reason === 'memory';
}
