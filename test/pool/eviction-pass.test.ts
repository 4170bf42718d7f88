/**
 * One placement pass's choice of a worker to evict when several turns wait:
 * an idle worker whose own session's turn cannot take it, the rule that a
 * younger turn does not evict while a shield holds an older one back, the
 * one-window bound on how long shields hold a turn (counted from the first
 * shield it met, not from a pass that found no idle worker at all), the
 * instants at which a shield stops holding, and which worker counts as
 * protected. A fake clock drives the shield, mock timers its wake-up.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { clockedPool, flush, makePool, pending, request, shutdown, type TestPool, turn } from './helpers.ts';

async function drainTurn(lease: Awaited<ReturnType<TestPool['pool']['acquire']>>): Promise<void> {
  for await (const _ of lease.run('x')) {
    // ran
  }
}

describe('eviction pass with several waiting turns', () => {
  it("evicts the idle worker of a session whose own turn waits but is held at its user's cap", async () => {
    const t = makePool({ maxWorkers: 2, maxTurnsPerUser: 1, acquireTimeoutMs: 2_000 });
    await turn(t.pool, 'x', 'hi', 'u'); // x's worker idle
    const y = await t.pool.acquire(request('y', 'u')); // u at its cap
    const xAgain = t.pool.acquire(request('x', 'u'));
    await flush();
    assert.equal(t.pool.stats().waiting, 1, "x's turn waits for u's cap");
    const b = await t.pool.acquire(request('b', 'v'));
    assert.equal(b.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1, "x's worker went, though x's turn waits for it");
    b.release();
    y.release();
    (await xAgain).release();
    await shutdown(t);
  });
});

describe('eviction pass on a clock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => {
    mock.restoreAll();
    mock.timers.reset();
  });

  it("a pass with no idle worker sets no shield deadline: the turn's window starts at the first shield", async () => {
    const t = clockedPool();
    await turn(t.pool, 'a');
    await t.advance(400);
    await turn(t.pool, 'a'); // gap 400
    await t.advance(400); // t=800
    const a = await t.pool.acquire(request('a')); // a back on time, gap still 400
    const b = pending(t, 'b'); // no idle worker: nothing shields, nothing to evict
    await flush();
    await t.advance(100); // t=900
    await drainTurn(a); // a idle, due back at 1300: shielded until 1400, and b held until then at most
    await flush();
    assert.equal(b.state.settled, false);
    await t.advance(450); // t=1350: a back, warm; its new shield would last until ~1881
    assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    assert.equal(b.state.settled, false);
    await t.advance(51); // t=1401: b's one window (from t=900) is over
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    assert.equal(t.pool.stats().totals.evictions, 1);
    leaseB.release();
    await shutdown(t);
  });

  it('a younger turn does not evict while a shield holds an older one back, and gets its own window', async () => {
    const t = clockedPool({ maxWorkers: 2 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'c');
    await t.advance(400);
    await turn(t.pool, 'a'); // a: gap 400, due back 800, shielded until 900
    await t.advance(50);
    await turn(t.pool, 'c'); // c: gap 450, due back 900, shielded until 1012.5
    await t.advance(50); // t=500
    const b = pending(t, 'b');
    const d = pending(t, 'd');
    await flush();
    assert.equal(t.pool.stats().waiting, 2);
    await t.advance(400); // t=900
    assert.equal(t.pool.stats().totals.evictions, 0);
    await t.advance(1); // t=901: b's window is over: it evicts the least recently used (a)
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    await flush();
    assert.equal(t.pool.stats().totals.evictions, 1, "c's shield still holds d, whose window began at t=901");
    assert.equal(d.state.settled, false);
    await t.advance(113); // t=1014: c's shield is over (the wake-up is armed a millisecond past it)
    const leaseD = await d.lease;
    assert.equal(t.pool.stats().totals.evictions, 2);
    leaseB.release();
    leaseD.release();
    await shutdown(t);
  });

  for (const trigger of ['the wake-up', 'a pass at the instant'] as const) {
    it(`a younger turn whose window is over evicts though a shield holds an older one (${trigger})`, async () => {
      const t = clockedPool({ maxWorkers: 2, maxTurnsPerUser: 1 });
      await turn(t.pool, 'a', 'hi', 'ann');
      await turn(t.pool, 'u1', 'hi', 'uma');
      await t.advance(400);
      await turn(t.pool, 'a', 'hi', 'ann'); // a: gap 400, due back 800, shielded until 900
      await turn(t.pool, 'u1', 'hi', 'uma');
      await t.advance(100); // t=500
      const u1 = await t.pool.acquire(request('u1', 'uma')); // uma at her cap; u1's gap now 250
      const b = t.pool.acquire(request('b', 'uma')); // older, but held at uma's cap
      const d = t.pool.acquire(request('d', 'dan')); // shielded by a: d's window ends at 900
      let settled = 0;
      void b.then(() => settled++);
      void d.then(() => settled++);
      await flush();
      assert.equal(t.pool.stats().waiting, 2);
      await t.advance(200); // t=700: a back, warm: a's new shield lasts until 1137.5
      assert.equal((await turn(t.pool, 'a', 'hi', 'ann')).placement, 'warm');
      await t.advance(100); // t=800
      await drainTurn(u1); // u1 idle, shielded until 1112.5; b may go on, and is held until then
      await flush();
      assert.equal(t.pool.stats().totals.evictions, 0);
      if (trigger === 'the wake-up') {
        await t.advance(100); // t=900
        assert.equal(t.pool.stats().totals.evictions, 0);
        await t.advance(1); // t=901: d's wake-up
      } else {
        await t.advance(100); // t=900
        void t.pool.acquire(request('e', 'eve')).then(
          (lease) => lease.release(),
          () => {},
        );
        await flush();
      }
      // d evicts a's worker (the least recently used); the room goes to the older b, and d evicts u1's.
      assert.equal(t.pool.stats().totals.evictions, 2);
      const [leaseB, leaseD] = await Promise.all([b, d]);
      assert.equal(settled, 2);
      assert.deepEqual([leaseB.placement, leaseD.placement], ['cold', 'cold']);
      leaseB.release();
      leaseD.release();
      await t.pool.destroy();
    });
  }

  it("a turn's window ends at its deadline's very instant", async () => {
    const t = clockedPool();
    await turn(t.pool, 'a');
    await t.advance(400);
    await turn(t.pool, 'a'); // due back 800, shielded until 900
    await t.advance(100); // t=500
    const b = pending(t, 'b'); // b held until t=900 at most
    await flush();
    await t.advance(200); // t=700: a back, warm; its new shield lasts past 900
    assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    await t.advance(200); // t=900 (the wake-up is due at 901)
    assert.equal(t.pool.stats().totals.evictions, 0);
    const e = pending(t, 'e'); // a pass at exactly t=900
    await flush();
    assert.equal(t.pool.stats().totals.evictions, 1);
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    leaseB.release();
    (await e.lease).release();
    await shutdown(t);
  });

  it('a returning session goes ahead of an older waiting turn only until that turn has waited a start', async () => {
    const t = clockedPool();
    await turn(t.pool, 'x');
    await t.advance(2_000);
    await turn(t.pool, 'x'); // gap 2000: due back 4000, shielded from 3000 until 4250
    await t.advance(1_200); // t=3200
    const b = pending(t, 'b');
    await flush();
    await t.advance(1_000); // t=4200: b has waited exactly a start (1000 ms)
    const x = pending(t, 'x');
    await flush();
    assert.equal(t.pool.stats().totals.evictions, 1, "b takes x's worker: arrival order wins now");
    const leaseB = await b.lease;
    assert.equal(leaseB.placement, 'cold');
    assert.equal(x.state.settled, false);
    leaseB.release();
    const leaseX = await x.lease;
    assert.equal(leaseX.placement, 'cold');
    leaseX.release();
    await shutdown(t);
  });

  it('only the worker the waiting turn would have evicted counts as protected when its session returns', async () => {
    const t = clockedPool({ maxWorkers: 2 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'c');
    await t.advance(400);
    await turn(t.pool, 'a'); // a: due back 800, the least recently used
    await t.advance(50);
    await turn(t.pool, 'c'); // c: due back 900
    await t.advance(50); // t=500
    const b = pending(t, 'b'); // held back: a's worker is the one it would have taken
    await flush();
    await t.advance(100); // t=600
    assert.equal((await turn(t.pool, 'c')).placement, 'warm');
    assert.equal(t.pool.stats().totals.protectedWarmHits, 0, "c's worker was not b's victim");
    await t.advance(100); // t=700
    assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    assert.equal(t.pool.stats().totals.protectedWarmHits, 1);
    assert.equal(b.state.settled, false);
    await t.advance(201); // t=901: b's window is over
    (await b.lease).release();
    await shutdown(t);
  });
});
