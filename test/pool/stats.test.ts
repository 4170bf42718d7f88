import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MsHistogram, UNDERSIZED_MIN_TURNS } from '../../src/pool/pool-counters.ts';
import { makePool, request, shutdown, turn } from './helpers.ts';

describe('AgentPool stats() and onEvent()', () => {
  it('stats() counts workers by state, waiting turns and totals since start', async () => {
    const t = makePool({ maxWorkers: 2 }, { startDelayMs: 1 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'a');
    const busy = await t.pool.acquire(request('b'));
    const queued = t.pool.acquire(request('b'));
    const stats = t.pool.stats();
    assert.equal(stats.name, 'test');
    assert.equal(stats.maxWorkers, 2);
    assert.deepEqual(stats.workers, { starting: 0, spare: 0, idle: 1, busy: 1, closing: 0, total: 2 });
    assert.equal(stats.waiting, 0, 'the queued turn waits behind its session, not for a worker');
    assert.deepEqual(stats.sessionQueues, { sessions: 1, queuedTurns: 1 });
    assert.equal(stats.totals.turns, 3);
    assert.equal(stats.totals.warmHits, 1);
    assert.equal(stats.totals.coldStarts, 2);
    assert.equal(stats.totals.starts, 2);
    assert.equal(stats.acquireWaitMs.count, 3);
    assert.equal(stats.startTimeMs.count, 2);
    assert.equal(stats.acquireWaitMs.buckets.at(-1)?.count, 3);
    busy.release();
    (await queued).release();
    await shutdown(t);
  });

  it('stats() returns a snapshot the pool does not change afterwards', async () => {
    const t = makePool();
    const before = t.pool.stats();
    await turn(t.pool, 'a');
    assert.equal(before.totals.turns, 0);
    assert.equal(t.pool.stats().totals.turns, 1);
    await shutdown(t);
  });

  it('onEvent() reports every transition of a turn and a worker, and unsubscribes', async () => {
    const t = makePool({ maxWorkers: 1 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    const types = t.events.map((e) => e.type);
    for (const type of [
      'turn_queued',
      'worker_starting',
      'worker_started',
      'turn_acquired',
      'turn_finished',
      'worker_evicted',
      'worker_closed',
    ]) {
      assert.ok(types.includes(type as never), `missing ${type}`);
    }
    const finished = t.events.find((e) => e.type === 'turn_finished');
    assert.equal(finished?.type === 'turn_finished' && finished.outcome, 'ok');
    const seen: string[] = [];
    const off = t.pool.onEvent((e) => seen.push(e.type));
    off();
    await turn(t.pool, 'b');
    assert.deepEqual(seen, []);
    await shutdown(t);
  });

  it('onEvent() survives a listener that throws', async () => {
    const t = makePool();
    t.pool.onEvent(() => {
      throw new Error('listener bug');
    });
    assert.equal((await turn(t.pool, 'a')).placement, 'cold');
    await shutdown(t);
  });
});

describe('MsHistogram', () => {
  it('observe() fills cumulative fixed buckets and estimates quantiles', () => {
    const histogram = new MsHistogram([10, 100, 1000]);
    for (let i = 0; i < 90; i++) histogram.observe(5);
    for (let i = 0; i < 10; i++) histogram.observe(500);
    const snapshot = histogram.snapshot();
    assert.equal(snapshot.count, 100);
    assert.equal(snapshot.sum, 90 * 5 + 10 * 500);
    assert.deepEqual(
      snapshot.buckets.map((b) => b.count),
      [90, 90, 100, 100],
    );
    assert.ok(snapshot.p50 <= 10);
    assert.ok(snapshot.p95 > 100 && snapshot.p95 <= 500);
  });

  it('quantile() interpolates inside the bucket holding the rank, bounded by the largest value seen', () => {
    const histogram = new MsHistogram([10, 100, 1000]);
    // Out of order on purpose: the largest value must stay the maximum.
    for (const ms of [500, 5, 50]) histogram.observe(ms);
    assert.equal(histogram.quantile(1 / 3), 10);
    assert.equal(histogram.quantile(0.5), 55); // 10 + 90 * (1.5 - 1) / 1
    assert.equal(histogram.quantile(1), 500); // the bucket's top is the maximum, not 1000
    histogram.observe(5_000); // past the last bound: the open bucket
    assert.equal(histogram.quantile(1), 5_000);
    assert.equal(histogram.quantile(0.875), 1_000 + 4_000 * 0.5);
  });

  it("observe() puts a value equal to a bound in that bound's bucket (le is inclusive)", () => {
    const histogram = new MsHistogram([10, 100]);
    histogram.observe(10);
    histogram.observe(-3); // clamped to 0
    const snapshot = histogram.snapshot();
    assert.deepEqual(
      snapshot.buckets.map((b) => b.count),
      [2, 2, 2],
    );
    assert.equal(snapshot.sum, 10);
  });

  it('snapshot() of an empty histogram reports zeros', () => {
    const snapshot = new MsHistogram().snapshot();
    assert.equal(snapshot.count, 0);
    assert.equal(snapshot.p99, 0);
  });
});

describe('AgentPool sizing hint', () => {
  it('calls itself undersized when most turns evict a warm worker and wait as long as a start, not before', async () => {
    const t = makePool({ maxWorkers: 1 }, { startDelayMs: 5 });
    for (let i = 0; i < UNDERSIZED_MIN_TURNS - 1; i++) await turn(t.pool, i % 2 === 0 ? 'a' : 'b');
    assert.equal(t.pool.stats().sizing?.undersized, false, 'too few turns to tell');
    await turn(t.pool, 'c');
    const sizing = t.pool.stats().sizing;
    assert.equal(sizing?.undersized, true, JSON.stringify(t.pool.stats()));
    assert.ok((sizing?.evictionRate ?? 0) >= 0.9);
    await shutdown(t);
  });

  it('does not when its sessions find their workers warm', async () => {
    const t = makePool({ maxWorkers: 2 }, { startDelayMs: 5 });
    for (let i = 0; i < UNDERSIZED_MIN_TURNS + 5; i++) await turn(t.pool, i % 2 === 0 ? 'a' : 'b');
    assert.deepEqual(t.pool.stats().sizing, { undersized: false, evictionRate: 0, competingSessions: 0 });
    await shutdown(t);
  });
});
