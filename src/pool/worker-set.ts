/**
 * The live workers (WorkerSet), one worker (WorkerSlot), its bounded close, and
 * when a worker must go (retireAt, retirementAfterTurn, below).
 *
 * The live workers, each in exactly one named collection by state: spares,
 * idle (bound, least recently used first), busy (with its lease), closing.
 * It also owns the one retirement timer of each idle worker and the bounded
 * close, and closes the dead workers it finds when handing one out.
 * Which worker goes where is decided by the pool.
 */
import type { PoolLease } from './lease.ts';
import type { PoolOptions, RecycleReason } from './types.ts';
import type { PoolWorker } from './worker.ts';

type Slot<TInput, TEvent> = WorkerSlot<TInput, TEvent>;

export interface WorkerSetHooks<TInput, TEvent> {
  /** A spare or idle worker was found dead when taken; it is closed right after. */
  dead(slot: Slot<TInput, TEvent>): void;
  /** An idle worker or spare reached its idle TTL or lifetime (it is still in its collection; `close()` takes it out). */
  due(slot: Slot<TInput, TEvent>, reason: 'idle_ttl' | 'max_lifetime'): void;
  /** A worker finished closing (or its close failed or timed out) and no longer counts. */
  closed(slot: Slot<TInput, TEvent>, reason: string, problem?: { result: string; error: unknown }): void;
}

const MAX_TIMER_MS = 2_147_483_647;

export class WorkerSet<TInput, TEvent> {
  readonly #spares: Slot<TInput, TEvent>[] = [];
  /**
   * The worker bound to each session, idle or busy. An entry stays while its
   * worker is leased, so the warm path (take the session's idle worker, put it
   * back) is one lookup each way: deleting and re-adding the key on every turn
   * would make the Map rehash. At most one entry per live bound worker.
   */
  readonly #bound = new Map<string, Slot<TInput, TEvent>>();
  /**
   * The idle workers, a doubly linked list through the slots:
   *   #oldestIdle ⇄ ... ⇄ #newestIdle   the least recently used is evicted first
   */
  #oldestIdle: Slot<TInput, TEvent> | undefined;
  #newestIdle: Slot<TInput, TEvent> | undefined;
  #idleCount = 0;
  /** In the order their leases went out (drain revokes them in it); each holds its lease. */
  readonly #busy: Slot<TInput, TEvent>[] = [];
  readonly #closing = new Set<Slot<TInput, TEvent>>();
  readonly #idleTtlMs: number;
  readonly #closeTimeoutMs: number;
  readonly #hooks: WorkerSetHooks<TInput, TEvent>;

  constructor(idleTtlMs: number, closeTimeoutMs: number, hooks: WorkerSetHooks<TInput, TEvent>) {
    this.#idleTtlMs = idleTtlMs;
    this.#closeTimeoutMs = closeTimeoutMs;
    this.#hooks = hooks;
  }

  get spares(): number {
    return this.#spares.length;
  }
  get idle(): number {
    return this.#idleCount;
  }
  get busy(): number {
    return this.#busy.length;
  }
  get closing(): number {
    return this.#closing.size;
  }
  /** Every worker held, closing ones included (starts in flight are counted elsewhere). */
  get size(): number {
    return this.#spares.length + this.#idleCount + this.#busy.length + this.#closing.size;
  }

  /** Sessions with a bound worker on record, idle or busy (for tests: closed workers leave none behind). */
  get boundKept(): number {
    return this.#bound.size;
  }

  hasIdle(sessionId: string): boolean {
    return this.#bound.get(sessionId)?.inIdleList === true;
  }

  takeIdle(sessionId: string): Slot<TInput, TEvent> | undefined {
    const slot = this.#bound.get(sessionId);
    if (slot === undefined || !slot.inIdleList) return undefined;
    this.#unlinkIdle(slot);
    return slot;
  }

  /** Takes the idle worker bound to the session if it is alive; a dead one is closed on the way. */
  takeLiveIdle(sessionId: string): Slot<TInput, TEvent> | undefined {
    const slot = this.takeIdle(sessionId);
    if (slot === undefined || slot.worker.isAlive()) return slot;
    this.#closeDead(slot);
    return undefined;
  }

  /** Takes a live spare (most recently added first); dead ones are closed on the way. */
  takeLiveSpare(): Slot<TInput, TEvent> | undefined {
    for (let slot = this.#spares.pop(); slot !== undefined; slot = this.#spares.pop()) {
      if (slot.worker.isAlive()) return slot;
      this.#closeDead(slot);
    }
    return undefined;
  }

  #closeDead(slot: Slot<TInput, TEvent>): void {
    this.#hooks.dead(slot);
    this.close(slot, 'dead');
  }

  addSpare(slot: Slot<TInput, TEvent>): void {
    slot.state = 'spare';
    this.#spares.push(slot);
    this.#arm(slot);
  }

  /**
   * Puts a bound worker back as idle (most recently used). An idle worker it
   * displaces for the same session is closed as superseded; only possible
   * when a start for the session finished while it was served elsewhere.
   */
  putIdle(slot: Slot<TInput, TEvent>, now: number): void {
    const sessionId = slot.sessionId!;
    const bound = this.#bound.get(sessionId);
    if (bound !== slot) this.#bound.set(sessionId, slot);
    if (slot.inIdleList) this.#unlinkIdle(slot);
    slot.state = 'idle';
    slot.idleSince = now;
    this.#linkIdle(slot);
    if (slot.timer === undefined) this.#arm(slot);
    if (bound !== undefined && bound !== slot && bound.inIdleList) this.close(bound, 'superseded');
  }

  markBusy(slot: Slot<TInput, TEvent>, lease: PoolLease<TInput, TEvent>): void {
    slot.state = 'busy';
    slot.lease = lease;
    this.#busy.push(slot);
  }

  unmarkBusy(slot: Slot<TInput, TEvent>): void {
    slot.lease = undefined;
    // An array, not a Map: no hash table to update on every lease (at most maxWorkers are busy).
    const index = this.#busy.lastIndexOf(slot);
    if (index < 0) return;
    if (index === this.#busy.length - 1) this.#busy.pop();
    else this.#busy.splice(index, 1);
  }

  leases(): PoolLease<TInput, TEvent>[] {
    return this.#busy.map((slot) => slot.lease!);
  }

  /** Spares and idle workers, taken out of their collections (for drain). */
  takeAllIdle(): Slot<TInput, TEvent>[] {
    const all = this.#spares.splice(0);
    while (this.#oldestIdle !== undefined) {
      all.push(this.#oldestIdle);
      this.#unlinkIdle(this.#oldestIdle);
    }
    return all;
  }

  /**
   * The idle worker to evict, taken out of `idle`: the least recently used of
   * the lowest rank. `rank` says how willing the pool is to evict a worker: 0
   * first, higher later, Infinity not at all (every worker is ranked).
   */
  takeEvictionVictim(rank: (slot: Slot<TInput, TEvent>) => number): Slot<TInput, TEvent> | undefined {
    let chosen: Slot<TInput, TEvent> | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (let slot = this.#oldestIdle; slot !== undefined; slot = slot.newerIdle) {
      const r = rank(slot);
      if (r < best) {
        best = r;
        chosen = slot;
        if (r === 0) break;
      }
    }
    if (chosen !== undefined) this.#unlinkIdle(chosen);
    return chosen;
  }

  #linkIdle(slot: Slot<TInput, TEvent>): void {
    slot.inIdleList = true;
    slot.olderIdle = this.#newestIdle;
    slot.newerIdle = undefined;
    if (this.#newestIdle === undefined) this.#oldestIdle = slot;
    else this.#newestIdle.newerIdle = slot;
    this.#newestIdle = slot;
    this.#idleCount++;
  }

  #unlinkIdle(slot: Slot<TInput, TEvent>): void {
    const { olderIdle, newerIdle } = slot;
    if (olderIdle === undefined) this.#oldestIdle = newerIdle;
    else olderIdle.newerIdle = newerIdle;
    if (newerIdle === undefined) this.#newestIdle = olderIdle;
    else newerIdle.olderIdle = olderIdle;
    slot.olderIdle = undefined;
    slot.newerIdle = undefined;
    slot.inIdleList = false;
    this.#idleCount--;
  }

  /** True while a worker that served the session is still closing: no other may serve it until it has exited. */
  isClosingFor(sessionId: string): boolean {
    if (this.#closing.size === 0) return false; // the usual case: no iterator made
    for (const slot of this.#closing) if (slot.sessionId === sessionId) return true;
    return false;
  }

  /** Closes a worker, taking it out of the spares or the idle workers if it is still there; it counts until closed. */
  close(slot: Slot<TInput, TEvent>, reason: string): void {
    if (slot.inIdleList) this.#unlinkIdle(slot);
    else if (slot.state === 'spare') {
      const index = this.#spares.indexOf(slot);
      if (index >= 0) this.#spares.splice(index, 1);
    }
    if (slot.sessionId !== undefined && this.#bound.get(slot.sessionId) === slot) this.#bound.delete(slot.sessionId);
    slot.state = 'closing';
    clearTimeout(slot.timer);
    slot.timer = undefined;
    this.#closing.add(slot);
    closeWorker(slot.worker, this.#closeTimeoutMs, (result, error) => {
      this.#closing.delete(slot);
      this.#hooks.closed(slot, reason, result === 'closed' ? undefined : { result, error });
    });
  }

  #arm(slot: Slot<TInput, TEvent>): void {
    const delay = Math.max(0, slot.deadline(this.#idleTtlMs) - performance.now());
    slot.timer = setTimeout(this.#onTimer, Math.min(delay + 1, MAX_TIMER_MS), slot);
    slot.timer.unref();
  }

  readonly #onTimer = (slot: Slot<TInput, TEvent>): void => {
    slot.timer = undefined;
    if (slot.state !== 'spare' && slot.state !== 'idle') return;
    const now = performance.now();
    if (now >= slot.retireAt) this.#hooks.due(slot, 'max_lifetime');
    else if (slot.state === 'idle' && now >= slot.idleSince + this.#idleTtlMs) this.#hooks.due(slot, 'idle_ttl');
    else this.#arm(slot);
  };
}

/**
 * The pool's record of one live worker: its state, the session it is bound
 * to, how many turns it ran, and the one timer that retires it while idle.
 *
 *   starting ──► spare ──(first turn)──► busy ◄──► idle (bound) ──► closing
 *        └──(started for a session)──────────────► idle (bound, fresh)
 */

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
  /** Its lease while busy. */
  lease: PoolLease<TInput, TEvent> | undefined = undefined;
  /** In WorkerSet's idle list, with its neighbours there. */
  inIdleList = false;
  olderIdle: WorkerSlot<TInput, TEvent> | undefined = undefined;
  newerIdle: WorkerSlot<TInput, TEvent> | undefined = undefined;

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

/** Closing a worker, bounded: a close() that hangs or throws must not hold the pool forever. */

type CloseResult = 'closed' | 'failed' | 'timed_out';

function closeWorker(
  worker: PoolWorker<unknown, unknown>,
  timeoutMs: number,
  onDone: (result: CloseResult, error?: unknown) => void,
): void {
  let settled = false;
  const finish = (result: CloseResult, error?: unknown): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    onDone(result, error);
  };
  const timer = setTimeout(() => finish('timed_out'), timeoutMs);
  let closed: Promise<void>;
  try {
    closed = worker.close();
  } catch (error) {
    closed = Promise.reject(error);
  }
  closed.then(
    () => finish('closed'),
    (error: unknown) => finish('failed', error),
  );
}

/**
 * When a worker must go: its lifetime deadline (drawn once, with jitter so
 * workers started together do not all retire together) and the checks on a
 * worker coming back from a turn (memory, turns served, lifetime).
 * Idle TTL and lifetime while idle are WorkerSet's timer.
 */

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
