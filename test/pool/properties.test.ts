/**
 * Property-based: random interleavings of turns from several users and
 * sessions, with aborts (waiting and running), crashes, turn timeouts, early
 * consumer exits, start failures, workers that hang on interrupt, and drains.
 * Some turns come back a short think after their session's previous turn
 * ended, and the factory may claim starts cost more than they take, so the
 * eviction shield holds waiting turns back. After each run: nothing leaked,
 * the bounds held, sessions stayed in order, and with room in the queue for
 * every user's share of waiting turns the shared queue never filled.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AcquireTimeoutError, AgentPool, PoolError, PoolSaturatedError } from '../../src/pool/index.ts';
import { type FakeEvent, FakeWorkerFactory } from '../support/fake-workers.ts';
import { TEST_OPTIONS } from './helpers.ts';

const KINDS = [
  'ok',
  'ok',
  'ok',
  'abortWaiting',
  'abortRunning',
  'crash',
  'timeout',
  'breakEarly',
  'releaseWithoutRun',
] as const;

/** Sessions belong to this many users. */
const USERS = 3;

const turnSpec = fc.record({
  session: fc.integer({ min: 0, max: 5 }),
  gapMs: fc.integer({ min: 0, max: 3 }),
  workMs: fc.integer({ min: 0, max: 4 }),
  kind: fc.constantFrom(...KINDS),
  abortAfterMs: fc.integer({ min: 0, max: 4 }),
  /** When set, the turn arrives this long after its session's previous turn ended (a user thinking). */
  thinkMs: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
});

const scenario = fc.record({
  maxWorkers: fc.integer({ min: 1, max: 3 }),
  minSpares: fc.integer({ min: 0, max: 1 }),
  maxTurnsPerUser: fc.integer({ min: 1, max: 3 }),
  sessionPolicy: fc.constantFrom('enqueue' as const, 'enqueue' as const, 'reject' as const),
  failingStarts: fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 5 }),
  /** Starts that resolve but whose worker then fails its first turn with BackgroundStartError. */
  backgroundFailingStarts: fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }),
  sparesResume: fc.boolean(),
  hangEvery: fc.integer({ min: 0, max: 4 }),
  maxQueue: fc.integer({ min: 1, max: 30 }),
  maxQueuedPerUser: fc.integer({ min: 1, max: 6 }),
  maxTurnsPerWorker: fc.integer({ min: 1, max: 6 }),
  idleTtlMs: fc.integer({ min: 2, max: 40 }),
  maxLifetimeMs: fc.integer({ min: 5, max: 200 }),
  heavyEvery: fc.integer({ min: 0, max: 5 }),
  /** The factory's cold-start hint: above most think gaps, so shields come into play. */
  expectedStartMs: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  drain: fc.option(fc.record({ atMs: fc.integer({ min: 0, max: 30 }), graceMs: fc.integer({ min: 0, max: 10 }) }), {
    freq: 4,
  }),
  turns: fc.array(turnSpec, { minLength: 1, maxLength: 24 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Users who come back a few ms after each turn to long-lived workers, while
 * the factory says a start costs more than that: where the eviction shield
 * keeps workers from waiting turns.
 */
const returningScenario: fc.Arbitrary<Scenario> = fc.record({
  maxWorkers: fc.integer({ min: 1, max: 3 }),
  minSpares: fc.integer({ min: 0, max: 1 }),
  maxTurnsPerUser: fc.integer({ min: 1, max: 3 }),
  sessionPolicy: fc.constant('enqueue' as const),
  failingStarts: fc.constant([]),
  backgroundFailingStarts: fc.constant([]),
  sparesResume: fc.constant(true),
  hangEvery: fc.constant(0),
  maxQueue: fc.constant(30),
  maxQueuedPerUser: fc.constant(10),
  maxTurnsPerWorker: fc.constant(100),
  idleTtlMs: fc.constant(1_000),
  maxLifetimeMs: fc.constant(10_000),
  heavyEvery: fc.constant(0),
  // Far above any think gap, even with timers running late on a busy machine.
  expectedStartMs: fc.integer({ min: 200, max: 1_000 }),
  drain: fc.constant(null),
  turns: fc.array(
    fc.record({
      session: fc.integer({ min: 0, max: 3 }),
      gapMs: fc.constant(0),
      workMs: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom(...(['ok', 'ok', 'ok', 'ok', 'abortWaiting', 'abortRunning', 'crash'] as const)),
      abortAfterMs: fc.integer({ min: 0, max: 4 }),
      thinkMs: fc.integer({ min: 0, max: 4 }),
    }),
    { minLength: 4, maxLength: 24 },
  ),
});

/**
 * One user floods the pool (several conversations at once, every worker busy)
 * while others keep asking: where a missing per-user cap lets one user fill
 * the shared queue.
 */
const floodScenario: fc.Arbitrary<Scenario> = fc
  .record({
    maxWorkers: fc.integer({ min: 1, max: 2 }),
    maxQueuedPerUser: fc.integer({ min: 1, max: 2 }),
    turns: fc.array(
      fc.record({
        // Sessions 0, 3 and 6 are user u0's.
        session: fc.constantFrom(0, 3, 6, 0, 3, 6, 1, 2),
        gapMs: fc.constantFrom(0, 0, 0, 1),
        workMs: fc.integer({ min: 2, max: 5 }),
        kind: fc.constant('ok' as const),
        abortAfterMs: fc.constant(0),
        thinkMs: fc.constant(undefined),
      }),
      { minLength: 8, maxLength: 20 },
    ),
  })
  .map((f) => ({
    maxWorkers: f.maxWorkers,
    minSpares: 0,
    maxTurnsPerUser: 3,
    sessionPolicy: 'enqueue' as const,
    failingStarts: [],
    backgroundFailingStarts: [],
    sparesResume: true,
    hangEvery: 0,
    // Exactly every user's share.
    maxQueue: USERS * f.maxQueuedPerUser,
    maxQueuedPerUser: f.maxQueuedPerUser,
    maxTurnsPerWorker: 100,
    idleTtlMs: 1_000,
    maxLifetimeMs: 10_000,
    heavyEvery: 0,
    expectedStartMs: undefined,
    drain: null,
    turns: f.turns,
  }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Input {
  readonly session: number;
  readonly arrival: number;
  readonly workMs: number;
  readonly crash: boolean;
}

/** Plays one scenario, checks every property; returns the pool's totals. */
async function play(s: Scenario): Promise<ReturnType<AgentPool<string, FakeEvent>['stats']>['totals']> {
  const failing = new Set(s.failingStarts);
  const failingInBackground = new Set(s.backgroundFailingStarts);
  const factory = new FakeWorkerFactory<string, FakeEvent>({
    expectedStartMs: s.expectedStartMs,
    sparesResume: s.sparesResume,
    failStartInBackground: (start) => failingInBackground.has(start.attempt),
    startDelayMs: (start) => start.attempt % 3,
    failStart: (start) => failing.has(start.attempt),
    turnDelayMs: (turn) => (JSON.parse(turn.input) as Input).workMs,
    crashTurn: (turn) => (JSON.parse(turn.input) as Input).crash,
    hangOnInterrupt: (worker) => s.hangEvery > 0 && Number(worker.id.slice(1)) % s.hangEvery === 0,
    // Some workers report memory over the cap after their first turn.
    memoryBytes: (worker) =>
      s.heavyEvery > 0 && worker.turns > 0 && Number(worker.id.slice(1)) % s.heavyEvery === 0 ? 2e9 : 1e6,
  });
  const pool = new AgentPool(factory, {
    ...TEST_OPTIONS,
    maxWorkers: s.maxWorkers,
    minSpares: Math.min(s.minSpares, s.maxWorkers),
    maxTurnsPerUser: s.maxTurnsPerUser,
    sessionPolicy: s.sessionPolicy,
    maxQueue: s.maxQueue,
    maxQueuedPerUser: s.maxQueuedPerUser,
    maxTurnsPerWorker: s.maxTurnsPerWorker,
    idleTtlMs: s.idleTtlMs,
    maxLifetimeMs: s.maxLifetimeMs,
    // Far above any wait this workload needs: a timeout here means a turn was stranded.
    acquireTimeoutMs: 5_000,
    turnTimeoutMs: 30,
    abortGraceMs: 3,
    closeTimeoutMs: 1_000,
    startBackoffBaseMs: 1,
    startBackoffMaxMs: 4,
  });
  let peakWorkers = 0;
  pool.onEvent(() => {
    peakWorkers = Math.max(peakWorkers, pool.stats().workers.total);
  });

  const signals: AbortSignal[] = [];
  const arrivals = new Map<number, number>();
  const unexpected: unknown[] = [];
  let saturated = 0;
  const timers: NodeJS.Timeout[] = [];
  /** Each session's latest turn, settled when that turn is over. */
  const lastOfSession = new Map<number, Promise<void>>();
  let offset = 0;
  const runs = s.turns.map(async (spec) => {
    offset += spec.gapMs;
    const previous = lastOfSession.get(spec.session);
    let overNow!: () => void;
    const over = new Promise<void>((resolve) => {
      overNow = resolve;
    });
    lastOfSession.set(spec.session, over);
    try {
      await sleep(offset);
      if (spec.thinkMs !== undefined && previous !== undefined) {
        await previous;
        await sleep(spec.thinkMs);
      }
      await playTurn(spec);
    } finally {
      overNow();
    }
  });

  async function playTurn(spec: Scenario['turns'][number]): Promise<void> {
    const controller = new AbortController();
    signals.push(controller.signal);
    const arrival = arrivals.get(spec.session) ?? 0;
    arrivals.set(spec.session, arrival + 1);
    const input: Input = {
      session: spec.session,
      arrival,
      workMs: spec.kind === 'timeout' ? 10_000 : spec.workMs,
      crash: spec.kind === 'crash',
    };
    const abortLater = () => timers.push(setTimeout(() => controller.abort(), spec.abortAfterMs));
    try {
      const pending = pool.acquire({
        session: { id: `s${spec.session}`, isNew: arrival === 0 },
        userId: `u${spec.session % USERS}`,
        signal: controller.signal,
      });
      if (spec.kind === 'abortWaiting') abortLater();
      const lease = await pending;
      if (spec.kind === 'releaseWithoutRun') {
        lease.release();
        return;
      }
      if (spec.kind === 'abortRunning') abortLater();
      for await (const _ of lease.run(JSON.stringify(input))) {
        if (spec.kind === 'breakEarly') break;
      }
      lease.release();
    } catch (error) {
      if (error instanceof PoolSaturatedError) saturated++;
      if (!(error instanceof PoolError) || error instanceof AcquireTimeoutError) unexpected.push(error);
    }
  }
  if (s.drain) {
    const { atMs, graceMs } = s.drain;
    timers.push(setTimeout(() => void pool.drain(graceMs), atMs));
  }
  await Promise.all(runs);

  // Every turn has come back; nothing may still wait or be held.
  const stats = pool.stats();
  assert.deepEqual(unexpected, []);
  // One user cannot starve the others: with room in the queue for every user's share, it never fills.
  if (s.maxQueue >= USERS * s.maxQueuedPerUser) assert.equal(saturated, 0, 'the shared queue filled up');
  assert.equal(stats.waiting, 0, 'no waiting turn left');
  assert.deepEqual(stats.sessionQueues, { sessions: 0, queuedTurns: 0 }, 'no session queue left');
  assert.equal(stats.workers.busy, 0, 'no lease left');
  for (const signal of signals) assert.equal(getEventListeners(signal, 'abort').length, 0, 'no abort listener left');

  for (const timer of timers) clearTimeout(timer);
  await pool.destroy();
  assert.equal(pool.stats().workers.total, 0, 'no worker left in the pool');
  assert.equal(factory.liveWorkers().length, 0, 'every started worker closed');
  assert.equal(factory.alive, 0);

  assert.ok(factory.maxAlive <= s.maxWorkers, `maxAlive ${factory.maxAlive} > ${s.maxWorkers}`);
  assert.ok(peakWorkers <= s.maxWorkers, `pool counted ${peakWorkers} workers`);
  assert.ok(factory.maxInFlightPerSession <= 1, 'two turns of one session in flight');
  assert.ok(factory.maxInFlightPerUser <= s.maxTurnsPerUser, 'user above maxTurnsPerUser');
  for (const session of arrivals.keys()) {
    const order = factory.turnsOf(`s${session}`).map((turn) => (JSON.parse(String(turn.input)) as Input).arrival);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `session s${session} ran out of order`,
    );
    assert.equal(new Set(order).size, order.length);
  }
  return stats.totals;
}

describe('AgentPool properties', () => {
  it('acquire()/run()/release() under random interleavings leak nothing and keep every bound and order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await play(s);
      }),
      { numRuns: Number(process.env.POOL_PROPERTY_RUNS ?? 150) },
    );
  });

  it('one user flooding the pool cannot fill the wait queue for the others', async () => {
    await fc.assert(
      fc.asyncProperty(floodScenario, async (s) => {
        await play(s);
      }),
      { numRuns: Number(process.env.POOL_PROPERTY_RUNS ?? 60) },
    );
  });

  it('acquire() with users coming back sooner than a start keeps warm workers shielded and every bound and order', async () => {
    let protectedWarmHits = 0;
    await fc.assert(
      fc.asyncProperty(returningScenario, async (s) => {
        protectedWarmHits += (await play(s)).protectedWarmHits ?? 0;
      }),
      { numRuns: Number(process.env.POOL_PROPERTY_RUNS ?? 60) },
    );
    assert.ok(protectedWarmHits > 0, 'no run had a shielded worker found warm by its session');
  });
});
