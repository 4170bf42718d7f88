/**
 * The eviction shield: an idle worker is not evicted for another session's
 * waiting turn while its own session is expected back sooner than a start
 * takes. A fake clock drives the pool's gaps and mock timers its wake-up.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { EvictionShield, MAX_TRACKED_SESSIONS } from '../../src/pool/eviction.ts';
import { MsHistogram, RecentSamples } from '../../src/pool/pool-counters.ts';
import { type ClockedPool, clockedPool, flush, pending, request, shutdown, turn } from './helpers.ts';

/** Delays at most this long are the shield's wake-ups (the pool's other timers are seconds long). */
const SHORT_TIMER_MS = 5_000;

/** Session `a` runs twice with a 400 ms gap: due back at t=800, sooner than a 1000 ms start, its worker is shielded from t=400 until 800 + 0.25 × 400 = 900. */
async function learnGap(t: ClockedPool): Promise<string> {
  const first = await turn(t.pool, 'a');
  await t.advance(400);
  const second = await turn(t.pool, 'a');
  assert.equal(second.placement, 'warm');
  return first.workerId;
}

/** A turn of session `b` takes the idle worker at once (no shield held it back); then the pool shuts down. */
async function assertEvictedForB(t: ClockedPool): Promise<void> {
  const lease = await t.pool.acquire(request('b'));
  assert.equal(lease.placement, 'cold');
  assert.equal(t.pool.stats().totals.evictions, 1);
  lease.release();
  await shutdown(t);
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
    // a's new shield lasts until t=700 + 350 + 0.25 × 350, but b waited on a shield since t=500: at most until t=900.
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
    await assertEvictedForB(t);
  });

  it('acquire() does not shield a session whose gap is longer than a start (hint)', async () => {
    const t = clockedPool({}, { expectedStartMs: 300 });
    await learnGap(t); // gap 400 >= start cost 300
    await t.advance(100);
    await assertEvictedForB(t);
  });

  it('acquire() does not shield when the factory gives no hint and observed starts are quick', async () => {
    const t = clockedPool({}, {});
    await learnGap(t); // starts took ~0 ms
    await t.advance(100);
    await assertEvictedForB(t);
  });

  it('acquire() shields a session whose gap is longer than a start once it is due back within a start', async () => {
    const t = clockedPool({}, { expectedStartMs: 300 });
    const workerA = await learnGap(t); // a due back at t=800
    await t.advance(200); // t=600: back in 200 ms, sooner than a 300 ms start
    const b = pending(t, 'b');
    await flush();
    assert.equal(b.state.settled, false);
    assert.equal(t.pool.stats().totals.evictions, 0);
    await t.advance(200); // t=800
    const back = await turn(t.pool, 'a');
    assert.equal(back.placement, 'warm');
    assert.equal(back.workerId, workerA);
    // b's hold ends with the shield it met (t=800 + 0.25 × 300): then a's worker goes.
    await t.advance(76);
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    leaseB.release();
    await shutdown(t);
  });

  for (const [readyAfterMs, shielded] of [
    [100, false],
    [900, true],
  ] as const) {
    it(`acquire() weighs measured cold starts over the hint once it has a few (${readyAfterMs} ms: ${shielded ? 'shielded' : 'evicted'})`, async () => {
      const t = clockedPool({}, { expectedStartMs: 1_000, readyAfterMs });
      for (const session of ['x', 'y', 'z']) await turn(t.pool, session); // three cold starts, measured
      assert.equal(t.pool.stats().totals.coldStarts, 3);
      assert.ok(Math.abs(t.pool.stats().startCostMs - readyAfterMs) < 50, `cost ${t.pool.stats().startCostMs}`);
      await learnGap(t); // a: gap 400, due back 400 ms after its last turn
      await t.advance(100); // back in 300 ms
      const b = pending(t, 'b');
      await flush();
      assert.equal(b.state.settled, !shielded);
      assert.equal(t.pool.stats().totals.evictions, shielded ? 3 : 4);
      if (shielded) await t.advance(500);
      (await b.lease).release();
      await shutdown(t);
    });
  }

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

/** A shield on a clock the test moves, with a start-cost hint and no wake-ups. */
function shieldOn(clock: () => number, startHintMs: number | undefined = 1_000): EvictionShield {
  return new EvictionShield(startHintMs, new MsHistogram(), new RecentSamples(16), clock, () => {});
}

describe('EvictionShield', () => {
  it('arrived() learns a session gap as a short moving average; a busy arrival is no gap', () => {
    let now = 0;
    const shield = shieldOn(() => now);
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
    now = 700;
    shield.arrived('s', false); // a second arrival without a turn ending in between: no new gap
    assert.equal(shield.expectedGapMs('s'), 300);
  });

  it('arrived() of a busy session right after its turn ended measures no gap, and closes it', () => {
    let now = 0;
    const shield = shieldOn(() => now);
    shield.ended('s');
    now = 100;
    shield.arrived('s', true);
    now = 200;
    shield.arrived('s', false);
    assert.equal(shield.expectedGapMs('s'), undefined);
  });

  it('shieldedUntil() holds a worker from a start before its session is due back until a little after (0 otherwise)', () => {
    let now = 0;
    const shield = shieldOn(() => now, undefined);
    shield.ended('s');
    now = 400;
    shield.arrived('s', false);
    shield.ended('s'); // gap 400: due back at t=800
    // Due back sooner than a start: shielded until 800 + 0.25 × min(gap, start).
    assert.equal(shield.shieldedUntil('s', 1_000), 800 + 100);
    assert.equal(shield.shieldedUntil('s', 401), 800 + 100);
    // A start takes no longer than the wait for the session: not shielded, yet.
    assert.equal(shield.shieldedUntil('s', 400), 0);
    assert.equal(shield.shieldedUntil('s', 300), 0);
    now = 550; // due back in 250 ms
    assert.equal(shield.shieldedUntil('s', 300), 800 + 75);
    assert.equal(shield.shieldedUntil('s', 250), 0);
    now = 850; // late, within its lateness
    assert.equal(shield.shieldedUntil('s', 300), 800 + 75);
    assert.equal(shield.shieldedUntil('unknown', 1_000), 0);
  });

  it('startCostMs() is the larger of the factory hint and the observed median start until a few cold starts were measured, then their median', () => {
    const starts = new MsHistogram();
    const measured = new RecentSamples(16);
    const hinted = new EvictionShield(
      800,
      starts,
      measured,
      () => 0,
      () => {},
    );
    const unhinted = new EvictionShield(
      undefined,
      starts,
      new RecentSamples(16),
      () => 0,
      () => {},
    );
    assert.equal(hinted.startCostMs(), 800);
    assert.equal(unhinted.startCostMs(), 0);
    for (let i = 0; i < 10; i++) starts.observe(2_000);
    assert.ok(hinted.startCostMs() > 1_000);
    assert.equal(hinted.startCostMs(), unhinted.startCostMs());
    measured.observe(300);
    measured.observe(500);
    assert.ok(hinted.startCostMs() > 1_000, 'two measurements are not enough');
    measured.observe(350);
    assert.equal(hinted.startCostMs(), 350, 'measured, even below the hint');
  });

  it('ended() forgets the least recently active session beyond the bound', () => {
    let now = 0;
    const shield = shieldOn(() => now);
    shield.ended('first');
    now = 10;
    shield.arrived('first', false);
    shield.ended('second');
    assert.equal(shield.expectedGapMs('first'), 10, 'kept while under the bound');
    for (let i = 0; i < MAX_TRACKED_SESSIONS; i++) shield.ended(`s${i}`);
    assert.equal(shield.expectedGapMs('first'), undefined);
  });

  it('a measured arrival makes its session the most recently active: the one forgotten first is the other', () => {
    let now = 0;
    const shield = shieldOn(() => now);
    shield.ended('a');
    shield.ended('b');
    now = 5;
    shield.arrived('b', false);
    shield.ended('b');
    now = 15;
    shield.arrived('a', false);
    shield.ended('a', now);
    // Oldest first: b (arrived at 5), then a (arrived at 15).
    for (let i = 0; i < MAX_TRACKED_SESSIONS - 2; i++) shield.ended(`s${i}`);
    assert.equal(shield.expectedGapMs('b'), 5, 'nothing forgotten at the bound');
    assert.equal(shield.expectedGapMs('a'), 15);
    shield.ended('one-more');
    assert.equal(shield.expectedGapMs('b'), undefined, 'b forgotten first');
    assert.equal(shield.expectedGapMs('a'), 15);
    shield.ended('and-another');
    assert.equal(shield.expectedGapMs('a'), undefined);
    now = 40;
    shield.arrived('s0', false);
    assert.equal(shield.expectedGapMs('s0'), 25, 'an old entry is still measured (ended at 15)');
  });

  it('an arrival from the middle of the recency order moves that session alone: the oldest is still forgotten first', () => {
    let now = 0;
    const shield = shieldOn(() => now);
    for (const id of ['a', 'b', 'c']) shield.ended(id);
    now = 1;
    for (const id of ['a', 'b', 'c']) {
      shield.arrived(id, false);
      shield.ended(id);
    }
    // Oldest first: a, b, c. b comes back from the middle: a, c, b.
    now = 3;
    shield.arrived('b', false);
    shield.ended('b');
    for (let i = 0; i < MAX_TRACKED_SESSIONS - 3; i++) shield.ended(`s${i}`);
    shield.ended('one-more');
    assert.equal(shield.expectedGapMs('a'), undefined, 'a forgotten first');
    assert.equal(shield.expectedGapMs('c'), 1);
    assert.equal(shield.expectedGapMs('b'), 1.5);
    shield.ended('and-another');
    assert.equal(shield.expectedGapMs('c'), undefined, 'then c');
    assert.equal(shield.expectedGapMs('b'), 1.5);
  });

  it('wakeAt() keeps one timer, replaces it for another time and disarms with Infinity', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let woken = 0;
    const shield = new EvictionShield(
      1_000,
      new MsHistogram(),
      new RecentSamples(16),
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
