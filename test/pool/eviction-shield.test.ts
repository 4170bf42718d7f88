/**
 * The eviction shield: an idle worker is not evicted for another session's
 * waiting turn while its own session is expected back sooner than a start
 * takes. A fake clock drives the pool's gaps and mock timers its wake-up.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { EvictionShield, MAX_TRACKED_SESSIONS } from '../../src/pool/eviction-shield.ts';
import { MsHistogram } from '../../src/pool/histogram.ts';
import { AgentPool } from '../../src/pool/index.ts';
import type { PoolOptions } from '../../src/pool/types.ts';
import { type FakeEvent, type FakeFactoryOptions, FakeWorkerFactory } from '../support/fake-workers.ts';
import { flush, request, shutdown, TEST_OPTIONS, type TestPool, turn } from './helpers.ts';

/** Delays at most this long are the shield's wake-ups (the pool's other timers are seconds long). */
const SHORT_TIMER_MS = 5_000;

interface ClockedPool extends TestPool {
  /** Moves the pool's clock and the mocked timers forward together, then lets callbacks run. */
  advance(ms: number): Promise<void>;
}

function clockedPool(
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
function pending(t: ClockedPool, sessionId: string, signal?: AbortSignal) {
  const state = { settled: false };
  const lease = t.pool.acquire(request(sessionId, undefined, signal)).finally(() => {
    state.settled = true;
  });
  return { lease, state };
}

/** Session `a` runs twice with a 400 ms gap: its worker is shielded for min(1000, 1.25 × 400) = 500 ms after t=400. */
async function learnGap(t: ClockedPool): Promise<string> {
  const first = await turn(t.pool, 'a');
  await t.advance(400);
  const second = await turn(t.pool, 'a');
  assert.equal(second.placement, 'warm');
  return first.workerId;
}

describe('AgentPool eviction shield', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => {
    mock.restoreAll();
    mock.timers.reset();
  });

  it('acquire() keeps an idle worker from a waiting turn while its session is expected back sooner than a start, and the session finds it warm', async () => {
    const t = clockedPool();
    const workerA = await learnGap(t);
    await t.advance(100); // t=500: a idle for 100 ms of its 500
    const b = pending(t, 'b');
    await flush();
    assert.equal(t.pool.stats().waiting, 1);
    assert.equal(t.pool.stats().totals.evictions, 0);
    await t.advance(200); // t=700: a comes back, queued behind b, and still gets its worker
    const back = await turn(t.pool, 'a');
    assert.equal(back.placement, 'warm');
    assert.equal(back.workerId, workerA);
    assert.equal(t.pool.stats().totals.protectedWarmHits, 1);
    assert.equal(t.pool.stats().totals.evictions, 0);
    assert.equal(b.state.settled, false);
    // a's new shield lasts until t=700 + 1.25 × 350, but b waited on a shield since t=500: at most until t=900.
    await t.advance(200);
    assert.equal(b.state.settled, false);
    await t.advance(1); // t=901
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    leaseB.release();
    await shutdown(t);
  });

  it('acquire() evicts the shielded worker for the waiting turn when the shield expires', async () => {
    const t = clockedPool();
    await learnGap(t);
    await t.advance(100); // t=500, shield until t=900
    const b = pending(t, 'b');
    await t.advance(400); // t=900: the wake-up is due just after
    assert.equal(b.state.settled, false);
    assert.equal(t.pool.stats().totals.evictions, 0);
    await t.advance(1);
    const lease = await b.lease;
    assert.equal(lease.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    assert.equal(t.factory.starts.at(-1)?.session?.id, 'b');
    lease.release();
    assert.equal((await turn(t.pool, 'a')).placement, 'cold', 'a lost its worker');
    assert.equal(t.pool.stats().totals.protectedWarmHits, 0);
    await shutdown(t);
  });

  it('acquire() does not shield a session before it has come back once (no gap known)', async () => {
    const t = clockedPool();
    await turn(t.pool, 'a');
    await t.advance(100);
    const lease = await t.pool.acquire(request('b'));
    assert.equal(lease.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    lease.release();
    await shutdown(t);
  });

  it('acquire() does not shield a session whose gap is longer than a start (hint)', async () => {
    const t = clockedPool({}, { expectedStartMs: 300 });
    await learnGap(t); // gap 400 >= start cost 300
    await t.advance(100);
    const lease = await t.pool.acquire(request('b'));
    assert.equal(lease.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    lease.release();
    await shutdown(t);
  });

  it('acquire() does not shield when the factory gives no hint and observed starts are quick', async () => {
    const t = clockedPool({}, {});
    await learnGap(t); // starts took ~0 ms
    await t.advance(100);
    const lease = await t.pool.acquire(request('b'));
    assert.equal(lease.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    lease.release();
    await shutdown(t);
  });

  it('acquire() arms the shield wake-up only while a turn waits on a shield', async () => {
    const t = clockedPool();
    const setTimeoutSpy = mock.method(globalThis, 'setTimeout');
    const clearTimeoutSpy = mock.method(globalThis, 'clearTimeout');
    const wakeUps = () => setTimeoutSpy.mock.calls.filter((call) => Number(call.arguments[1]) <= SHORT_TIMER_MS);
    await learnGap(t);
    await t.advance(100); // t=500: a idle and shielded, nobody waiting: no wake-up
    assert.equal(wakeUps().length, 0);
    const controller = new AbortController();
    const b = pending(t, 'b', controller.signal);
    await flush();
    assert.equal(wakeUps().length, 1);
    const timer = wakeUps()[0].result;
    controller.abort();
    await assert.rejects(b.lease);
    assert.ok(
      clearTimeoutSpy.mock.calls.some((call) => call.arguments[0] === timer),
      'the wake-up is cleared once no turn waits',
    );
    await shutdown(t);
  });

  it('acquire() still prefers a spare or free capacity over a shielded worker', async () => {
    const t = clockedPool({ maxWorkers: 2 });
    await learnGap(t);
    await t.advance(100);
    const lease = await t.pool.acquire(request('b'));
    assert.equal(lease.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 0);
    assert.equal(t.pool.stats().workers.idle, 1, 'a keeps its worker');
    lease.release();
    await shutdown(t);
  });
});

describe('EvictionShield', () => {
  it('arrived() learns a session gap as a short moving average; a busy arrival is no gap', () => {
    let now = 0;
    const shield = new EvictionShield(
      1_000,
      new MsHistogram(),
      () => now,
      () => {},
    );
    shield.arrived('s', false);
    assert.equal(shield.expectedGapMs('s'), undefined);
    shield.ended('s');
    now = 400;
    shield.arrived('s', false);
    assert.equal(shield.expectedGapMs('s'), 400);
    shield.arrived('s', true); // queued behind its own turn: nothing to measure
    assert.equal(shield.expectedGapMs('s'), 400);
    shield.ended('s');
    now = 600;
    shield.arrived('s', false);
    assert.equal(shield.expectedGapMs('s'), 300);
  });

  it('shieldedUntil() is the end of the last turn plus min(start cost, 1.25 x gap), or 0 when starts are cheaper', () => {
    let now = 0;
    const shield = new EvictionShield(
      undefined,
      new MsHistogram(),
      () => now,
      () => {},
    );
    shield.ended('s');
    now = 400;
    shield.arrived('s', false);
    shield.ended('s');
    assert.equal(shield.shieldedUntil('s', 1_000), 400 + 500);
    assert.equal(shield.shieldedUntil('s', 450), 400 + 450);
    assert.equal(shield.shieldedUntil('s', 400), 0);
    assert.equal(shield.shieldedUntil('unknown', 1_000), 0);
  });

  it('startCostMs() is the larger of the factory hint and the observed median start', () => {
    const starts = new MsHistogram();
    const hinted = new EvictionShield(
      800,
      starts,
      () => 0,
      () => {},
    );
    const unhinted = new EvictionShield(
      undefined,
      starts,
      () => 0,
      () => {},
    );
    assert.equal(hinted.startCostMs(), 800);
    assert.equal(unhinted.startCostMs(), 0);
    for (let i = 0; i < 10; i++) starts.observe(2_000);
    assert.ok(hinted.startCostMs() > 1_000);
    assert.equal(hinted.startCostMs(), unhinted.startCostMs());
  });

  it('ended() forgets the least recently active session beyond the bound', () => {
    let now = 0;
    const shield = new EvictionShield(
      1_000,
      new MsHistogram(),
      () => now,
      () => {},
    );
    shield.ended('first');
    now = 10;
    shield.arrived('first', false);
    for (let i = 0; i < MAX_TRACKED_SESSIONS; i++) shield.ended(`s${i}`);
    assert.equal(shield.expectedGapMs('first'), undefined);
  });

  it('wakeAt() keeps one timer, replaces it for another time and disarms with Infinity', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let woken = 0;
    const shield = new EvictionShield(
      1_000,
      new MsHistogram(),
      () => 0,
      () => woken++,
    );
    shield.wakeAt(100);
    shield.wakeAt(50);
    assert.equal(shield.armed, true);
    t.mock.timers.tick(51);
    assert.equal(woken, 1);
    assert.equal(shield.armed, false);
    shield.wakeAt(100);
    shield.wakeAt(Number.POSITIVE_INFINITY);
    t.mock.timers.tick(200);
    assert.equal(woken, 1);
    assert.equal(shield.armed, false);
  });
});
