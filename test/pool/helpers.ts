/** Shared set-up for the pool tests: options, a pool on the fake factory, event waits. */
import { mock } from 'node:test';
import { AgentPool } from '../../src/pool/agent-pool.ts';
import type { AcquireRequest, PoolEvent, PoolOptions, TurnLease } from '../../src/pool/types.ts';
import type { SessionBinding } from '../../src/pool/worker.ts';
import { type FakeEvent, type FakeFactoryOptions, FakeWorkerFactory } from '../support/fake-workers.ts';

export const TEST_OPTIONS: PoolOptions = Object.freeze({
  name: 'test',
  maxWorkers: 2,
  minSpares: 0,
  acquireTimeoutMs: 10_000,
  maxQueue: 100,
  maxQueuedPerUser: 100,
  maxTurnsPerUser: 10,
  sessionPolicy: 'enqueue',
  turnTimeoutMs: 10_000,
  abortGraceMs: 50,
  closeTimeoutMs: 1_000,
  idleTtlMs: 60_000,
  maxTurnsPerWorker: 1_000,
  maxLifetimeMs: 3_600_000,
  maxWorkerMemoryBytes: 1_000_000_000,
  startTimeoutMs: 10_000,
  startBackoffBaseMs: 5,
  startBackoffMaxMs: 40,
});

export interface TestPool {
  readonly pool: AgentPool<string, FakeEvent>;
  readonly factory: FakeWorkerFactory<string, FakeEvent>;
  readonly events: PoolEvent[];
}

export function makePool(
  options: Partial<PoolOptions> = {},
  factoryOptions: FakeFactoryOptions<string, FakeEvent> = {},
  random: () => number = () => 0.5,
): TestPool {
  const factory = new FakeWorkerFactory<string, FakeEvent>(factoryOptions);
  const pool = new AgentPool(factory, { ...TEST_OPTIONS, ...options }, { random });
  const events: PoolEvent[] = [];
  pool.onEvent((event) => events.push(event));
  return { pool, factory, events };
}

export function session(id: string, isNew = false): SessionBinding {
  return { id, isNew };
}

export function request(sessionId: string, userId = `user-of-${sessionId}`, signal?: AbortSignal): AcquireRequest {
  return { session: session(sessionId), userId, ...(signal ? { signal } : {}) };
}

/** Acquires, runs one turn, collects its events (the lease releases itself). */
export async function turn(
  pool: AgentPool<string, FakeEvent>,
  sessionId: string,
  input = 'hi',
  userId?: string,
  signal?: AbortSignal,
): Promise<{ events: FakeEvent[]; workerId: string; placement: string }> {
  const lease = await pool.acquire(request(sessionId, userId, signal));
  const events: FakeEvent[] = [];
  for await (const event of lease.run(input)) events.push(event);
  return { events, workerId: lease.workerId, placement: lease.placement };
}

/**
 * A turn the fake holds (`holdTurns`): acquired, run, and held by its worker
 * (the `held`-th held turn) when this resolves. `running` settles when the
 * consumer's loop ends; `seen` collects what reached the consumer.
 */
export async function heldTurn(
  t: TestPool,
  sessionId: string,
  signal?: AbortSignal,
  held = 1,
): Promise<{ lease: TurnLease<string, FakeEvent>; running: Promise<void>; seen: FakeEvent[] }> {
  const lease = await t.pool.acquire(request(sessionId, `user-of-${sessionId}`, signal));
  const seen: FakeEvent[] = [];
  const running = (async () => {
    for await (const event of lease.run('x')) seen.push(event);
  })();
  await t.factory.untilHeld(held);
  return { lease, running, seen };
}

/**
 * Resolves with the next pool event matching `match` (event-driven, no polling).
 * Holds a referenced guard timer meanwhile: the pool's idle timers are unref'd,
 * and the guard fails the wait instead of letting a test hang.
 */
export function nextEvent<T extends PoolEvent['type']>(
  pool: AgentPool<string, FakeEvent>,
  type: T,
  match: (event: Extract<PoolEvent, { type: T }>) => boolean = () => true,
  guardMs = 10_000,
): Promise<Extract<PoolEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${guardMs} ms`));
    }, guardMs);
    const off = pool.onEvent((event) => {
      if (event.type === type && match(event as Extract<PoolEvent, { type: T }>)) {
        off();
        clearTimeout(guard);
        resolve(event as Extract<PoolEvent, { type: T }>);
      }
    });
  });
}

/** Lets pending promise callbacks and immediate timers run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts the pool holds nothing, then destroys it and checks no fake worker is left. */
export async function shutdown({ pool, factory }: TestPool): Promise<void> {
  await pool.destroy();
  if (factory.liveWorkers().length > 0) throw new Error(`${factory.liveWorkers().length} workers left open`);
}

/** A pool whose clock (its `now`) and mocked timers only move when the test says (mock.timers must be enabled). */
export interface ClockedPool extends TestPool {
  /** Moves the pool's clock and the mocked timers forward together, then lets callbacks run. */
  advance(ms: number): Promise<void>;
}

/** One worker by default, cold starts taken to cost 1000 ms (the factory's hint). */
export function clockedPool(
  options: Partial<PoolOptions> = {},
  factoryOptions: FakeFactoryOptions<string, FakeEvent> = { expectedStartMs: 1_000 },
): ClockedPool {
  let clock = 0;
  const factory = new FakeWorkerFactory<string, FakeEvent>(factoryOptions);
  const pool = new AgentPool(factory, { ...TEST_OPTIONS, maxWorkers: 1, ...options }, { now: () => clock });
  return {
    pool,
    factory,
    events: [],
    advance: async (ms) => {
      clock += ms;
      mock.timers.tick(ms);
      await flush();
    },
  };
}

/** A pending acquire and whether it has settled yet. */
export function pending(t: TestPool, sessionId: string, signal?: AbortSignal) {
  const state = { settled: false };
  const lease = t.pool.acquire(request(sessionId, undefined, signal)).finally(() => {
    state.settled = true;
  });
  return { lease, state };
}
