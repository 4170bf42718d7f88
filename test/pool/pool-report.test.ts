/**
 * What the pool says about itself (PoolReport, PoolCounters, EventHub) as a
 * caller sees it: stats(), the Retry-After hint of a refused turn, the log
 * line of a listener that throws. The turn lengths behind the hint are read
 * from performance.now, which these tests drive by hand.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import type { Logger } from '../../src/logger.ts';
import { AgentPool } from '../../src/pool/agent-pool.ts';
import { MsHistogram, RecentSamples } from '../../src/pool/pool-counters.ts';
import { type FakeEvent, FakeWorkerFactory } from '../support/fake-workers.ts';
import { heldTurn, makePool, nextEvent, request, shutdown, TEST_OPTIONS, turn } from './helpers.ts';

describe('the Retry-After hint of a refused turn', () => {
  afterEach(() => mock.restoreAll());

  /** A pool whose performance.now reads `clock.ms`; turns of session `s` last what `run(ms)` says. */
  function clockedPool(maxWorkers: number) {
    const clock = { ms: 1_000 };
    mock.method(performance, 'now', () => clock.ms);
    const t = makePool({ maxWorkers, maxQueue: 1 }, { holdTurns: true });
    const run = async (sessionId: string, ms: number): Promise<void> => {
      const { running } = await heldTurn(t, sessionId);
      clock.ms += ms;
      t.factory.finishTurn();
      await running;
    };
    return { t, clock, run };
  }

  /** Fills the pool: every worker busy with a held turn and one turn waiting; the next is refused. */
  async function refusedHint(t: ReturnType<typeof clockedPool>['t'], maxWorkers: number): Promise<number | undefined> {
    const held = [];
    for (let i = 0; i < maxWorkers; i++) held.push(await heldTurn(t, `busy-${i}`, undefined, i + 1));
    const waiting = t.pool.acquire(request('waiting'));
    let hint: number | undefined;
    await assert.rejects(
      t.pool.acquire(request('refused')),
      (error: Error & { code?: string; retryAfterS?: number }) => {
        assert.equal(error.code, 'POOL_SATURATED');
        hint = error.retryAfterS;
        return true;
      },
    );
    for (const { lease } of held) lease.release();
    (await waiting).release();
    for (const { running } of held) await running.catch(() => {});
    return hint;
  }

  it('is the moving average of turn lengths (the first taken as is, then 9:1) times the rounds ahead', async () => {
    const { t, run } = clockedPool(2);
    await run('a', 10_000); // average 10 s
    await run('a', 20_000); // 0.9 * 10 s + 0.1 * 20 s = 11 s
    // One turn waiting for 2 workers: 1.5 rounds of 11 s = 16.5 s, rounded up.
    assert.equal(await refusedHint(t, 2), 17);
    await shutdown(t);
  });

  it('is the 5 s default before any turn ran to its end', async () => {
    const { t } = clockedPool(2);
    assert.equal(await refusedHint(t, 2), 8); // 1.5 rounds of 5 s = 7.5 s, rounded up
    await shutdown(t);
  });

  it('is at most 300 s, however long the turns', async () => {
    const { t, run } = clockedPool(2);
    await run('a', 400_000);
    assert.equal(await refusedHint(t, 2), 300);
    await shutdown(t);
  });

  it('counts no aborted, timed-out or crashed turn into the average', async () => {
    const { t, clock } = clockedPool(1);
    const controller = new AbortController();
    const { running } = await heldTurn(t, 'a', controller.signal);
    clock.ms += 200_000;
    controller.abort();
    await running.catch(() => {});
    // Still the default: 2 rounds (one waiting for one worker) of 5 s.
    assert.equal(await refusedHint(t, 1), 10);
    await shutdown(t);
  });
});

describe('AgentPool stats() as the pool works', () => {
  it('counts a start in flight as starting and in the total', async () => {
    const t = makePool({}, { startDelayMs: 20 });
    const acquired = t.pool.acquire(request('a'));
    assert.deepEqual(t.pool.stats().workers, { starting: 1, spare: 0, idle: 0, busy: 0, closing: 0, total: 1 });
    (await acquired).release();
    assert.deepEqual(t.pool.stats().workers, { starting: 0, spare: 0, idle: 1, busy: 0, closing: 0, total: 1 });
    await shutdown(t);
  });

  it('counts a turn served by a spare as a spare hit, neither warm nor cold', async () => {
    const t = makePool({ minSpares: 1 });
    await nextEvent(t.pool, 'worker_started');
    assert.equal((await turn(t.pool, 'a')).placement, 'spare');
    const totals = t.pool.stats().totals;
    assert.equal(totals.spareHits, 1);
    assert.equal(totals.warmHits, 0);
    assert.equal(totals.coldStarts, 0);
    assert.equal(totals.turns, 1);
    await shutdown(t);
  });

  it('gives the eviction rate to three decimals', async () => {
    const t = makePool({ maxWorkers: 1 });
    for (const sessionId of ['a', 'b', 'a']) await turn(t.pool, sessionId);
    const stats = t.pool.stats();
    assert.equal(stats.totals.evictions, 2);
    assert.equal(stats.sizing?.evictionRate, 0.667);
    await shutdown(t);
  });

  it('a new pool reports an eviction rate of 0, not NaN', async () => {
    const t = makePool();
    assert.deepEqual(t.pool.stats().sizing, { undersized: false, evictionRate: 0, competingSessions: 0 });
    await shutdown(t);
  });

  it('is undersized from half the turns evicting, not below', async () => {
    // Two sessions on one worker: a, then b b, a a, ... (20 turns, 10 switches, each an eviction).
    const t = makePool({ maxWorkers: 1 }, { startDelayMs: 5 });
    const order = ['a', ...Array.from({ length: 19 }, (_, i) => (Math.floor(i / 2) % 2 === 0 ? 'b' : 'a'))];
    for (const sessionId of order) await turn(t.pool, sessionId);
    let stats = t.pool.stats();
    assert.equal(stats.totals.turns, 20);
    assert.equal(stats.sizing?.evictionRate, 0.5);
    assert.ok(stats.acquireWaitMs.p95 >= stats.startCostMs, JSON.stringify(stats));
    assert.equal(stats.sizing?.undersized, true);
    await turn(t.pool, 'a'); // a warm hit: 10 of 21
    stats = t.pool.stats();
    assert.ok(stats.acquireWaitMs.p95 >= stats.startCostMs, JSON.stringify(stats));
    assert.equal(stats.sizing?.undersized, false);
    await shutdown(t);
  });

  it('is not undersized while turns wait less than a start would take, however often they evict', async () => {
    // Starts are said to cost a minute; they take 1 ms here, and so do the waits.
    const t = makePool({ maxWorkers: 1 }, { expectedStartMs: 60_000, startDelayMs: 1 });
    for (let i = 0; i < 25; i++) await turn(t.pool, i % 2 === 0 ? 'a' : 'b');
    const stats = t.pool.stats();
    assert.ok((stats.sizing?.evictionRate ?? 0) > 0.9);
    assert.ok(stats.acquireWaitMs.p95 < stats.startCostMs);
    assert.equal(stats.sizing?.undersized, false);
    await shutdown(t);
  });
});

describe('pool event listeners', () => {
  it('a listener that throws is logged once per event with the pool name, and the others still hear it', async () => {
    const logged: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      error: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }),
      warn: () => {},
    } as unknown as Logger;
    const factory = new FakeWorkerFactory<string, FakeEvent>();
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, name: 'docs' }, { logger });
    const bug = new Error('listener bug');
    pool.onEvent((event) => {
      if (event.type === 'turn_finished') throw bug;
    });
    const heard: string[] = [];
    pool.onEvent((event) => heard.push(event.type));
    await turn(pool, 'a');
    assert.deepEqual(logged, [{ fields: { pool: 'docs', err: bug }, message: 'pool event listener threw' }]);
    assert.ok(heard.includes('turn_finished'));
    await pool.destroy();
  });
});

describe('MsHistogram quantile at a bucket edge', () => {
  it("a rank met exactly at the end of a bucket is that bucket's top, not the next bucket's floor", () => {
    const histogram = new MsHistogram([10, 100, 1000]);
    histogram.observe(5);
    histogram.observe(500);
    assert.equal(histogram.quantile(0.5), 10);
    assert.equal(histogram.quantile(1), 500);
  });
});

describe('RecentSamples capacity', () => {
  it('must be a whole number of at least 1', () => {
    assert.throws(() => new RecentSamples(1.5), { name: 'RangeError', message: 'capacity must be a positive integer' });
    assert.throws(() => new RecentSamples(-1), RangeError);
    const one = new RecentSamples(1);
    one.observe(7);
    one.observe(9);
    assert.equal(one.count, 1);
    assert.equal(one.median(), 9);
  });
});

describe('what the pool logs', () => {
  function recordingLogger() {
    const warned: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, message: string) => warned.push({ fields, message }),
      error: () => {},
    } as unknown as Logger;
    return { warned, logger };
  }

  it('a failed start: the pool, the error, the attempt and the back-off', async () => {
    const { warned, logger } = recordingLogger();
    const factory = new FakeWorkerFactory<string, FakeEvent>({ failStart: (s) => s.attempt === 1 });
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, name: 'docs' }, { logger, random: () => 0.5 });
    const failed = nextEvent(pool, 'worker_start_failed');
    const lease = await pool.acquire(request('a'));
    const event = await failed;
    lease.release();
    await pool.destroy(); // a clean close logs nothing
    assert.deepEqual(warned, [
      {
        fields: { pool: 'docs', err: event.error, attempt: 1, retryInMs: event.retryInMs },
        message: 'worker start failed',
      },
    ]);
    assert.match(event.error.message, /fake start 1 failed/);
    assert.equal(pool.stats().totals.startFailures, 1);
  });

  it('a close that fails: the pool, the worker, the result and the error', async () => {
    const { warned, logger } = recordingLogger();
    const factory = new FakeWorkerFactory<string, FakeEvent>();
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, name: 'docs' }, { logger });
    (await pool.acquire(request('a'))).release();
    const refused = new Error('close refused');
    factory.workers[0].close = () => Promise.reject(refused);
    const closed = nextEvent(pool, 'worker_closed');
    pool.forgetSession('a');
    assert.equal((await closed).reason, 'session_deleted');
    assert.deepEqual(warned, [
      { fields: { pool: 'docs', workerId: 'w1', result: 'failed', error: refused }, message: 'worker close failed' },
    ]);
    await pool.destroy();
  });
});
