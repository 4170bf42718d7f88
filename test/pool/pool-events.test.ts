/**
 * The pool's events as a listener sees them: which, in what order, with what
 * fields. performance.now stands still here, so every duration and wait is 0
 * and the whole story can be compared at once.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { AgentPool } from '../../src/pool/agent-pool.ts';
import type { PoolEvent } from '../../src/pool/types.ts';
import type { StartOptions } from '../../src/pool/worker.ts';
import { type FakeEvent, FakeWorkerFactory } from '../support/fake-workers.ts';
import { flush, heldTurn, makePool, nextEvent, request, TEST_OPTIONS, turn } from './helpers.ts';

describe('pool events, field by field', () => {
  beforeEach(() => mock.method(performance, 'now', () => 1_000));
  afterEach(() => mock.restoreAll());

  it('a cold start, an eviction for another session, and a drain', async () => {
    const t = makePool({ maxWorkers: 1 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    await t.pool.drain(100);
    assert.deepEqual(t.events, [
      { type: 'turn_queued', sessionId: 'a', userId: 'user-of-a' },
      { type: 'worker_starting', workerId: 'test-start-1', sessionId: 'a' },
      { type: 'worker_started', workerId: 'w1', durationMs: 0 },
      { type: 'turn_acquired', sessionId: 'a', workerId: 'w1', placement: 'cold', waitedMs: 0 },
      { type: 'turn_finished', sessionId: 'a', workerId: 'w1', outcome: 'ok', durationMs: 0 },
      { type: 'turn_queued', sessionId: 'b', userId: 'user-of-b' },
      { type: 'worker_evicted', workerId: 'w1', sessionId: 'a' },
      { type: 'worker_closed', workerId: 'w1', reason: 'evicted' },
      { type: 'worker_starting', workerId: 'test-start-2', sessionId: 'b' },
      { type: 'worker_started', workerId: 'w2', durationMs: 0 },
      { type: 'turn_acquired', sessionId: 'b', workerId: 'w2', placement: 'cold', waitedMs: 0 },
      { type: 'turn_finished', sessionId: 'b', workerId: 'w2', outcome: 'ok', durationMs: 0 },
      { type: 'drain_started' },
      { type: 'worker_closed', workerId: 'w2', reason: 'draining' },
      { type: 'drained' },
    ]);
    assert.equal(t.pool.stats().totals.evictions, 1);
  });

  it('a spare taken at once and restocked: the restock starts for no session', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 });
    assert.deepEqual(t.pool.stats().workers.starting, 1, 'the constructor starts the spare');
    await nextEvent(t.pool, 'worker_started');
    const restocked = nextEvent(t.pool, 'worker_started');
    await turn(t.pool, 'a');
    await restocked;
    await t.pool.drain(100);
    assert.deepEqual(t.events, [
      { type: 'worker_started', workerId: 'w1', durationMs: 0 },
      { type: 'turn_acquired', sessionId: 'a', workerId: 'w1', placement: 'spare', waitedMs: 0 },
      { type: 'worker_starting', workerId: 'test-start-2' },
      { type: 'worker_started', workerId: 'w2', durationMs: 0 },
      { type: 'turn_finished', sessionId: 'a', workerId: 'w1', outcome: 'ok', durationMs: 0 },
      { type: 'drain_started' },
      { type: 'worker_closed', workerId: 'w2', reason: 'draining' },
      { type: 'worker_closed', workerId: 'w1', reason: 'draining' },
      { type: 'drained' },
    ]);
    assert.equal(t.pool.stats().totals.starts, 2);
  });

  it('a worker at its turn limit: recycled, closed with that reason, and counted', async () => {
    const t = makePool({ maxWorkers: 1, maxTurnsPerWorker: 1 });
    await turn(t.pool, 'a');
    await flush();
    assert.deepEqual(t.events.slice(-3), [
      { type: 'turn_finished', sessionId: 'a', workerId: 'w1', outcome: 'ok', durationMs: 0 },
      { type: 'worker_recycled', workerId: 'w1', reason: 'max_turns' },
      { type: 'worker_closed', workerId: 'w1', reason: 'max_turns' },
    ]);
    assert.deepEqual(t.pool.stats().totals.recycles, { idle_ttl: 0, max_turns: 1, max_lifetime: 0, memory: 0 });
    await t.pool.destroy();
  });
});

describe('pool events and counts during a drain', () => {
  it('a turn that ends inside the grace: its worker closes for the drain, and nothing counts as replaced', async () => {
    const t = makePool({}, { holdTurns: true });
    const { lease, running } = await heldTurn(t, 'a');
    const drained = t.pool.drain(1_000);
    lease.release();
    await assert.rejects(running, { name: 'TurnAbortedError' });
    await drained;
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_closed'),
      [{ type: 'worker_closed', workerId: 'w1', reason: 'draining' }],
    );
    assert.equal(t.pool.stats().totals.replacements, 0);
  });

  it('a turn past the grace: revoked, its worker discarded, and still nothing counts as replaced', async () => {
    const t = makePool({}, { holdTurns: true });
    const { running } = await heldTurn(t, 'a');
    await t.pool.drain(5);
    await running.catch(() => {});
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_closed'),
      [{ type: 'worker_closed', workerId: 'w1', reason: 'revoked' }],
    );
    assert.equal(t.pool.stats().totals.replacements, 0);
  });

  it('a worker whose start ignores the drain and arrives late is closed for the drain', async () => {
    /** Starts that do not listen to their abort signal. */
    class DeafFactory extends FakeWorkerFactory<string, FakeEvent> {
      override start(options: StartOptions) {
        return super.start({ ...options, signal: new AbortController().signal });
      }
    }
    const factory = new DeafFactory({ startDelayMs: 20 });
    const pool = new AgentPool(factory, TEST_OPTIONS);
    const events: PoolEvent[] = [];
    pool.onEvent((e) => events.push(e));
    const refused = assert.rejects(pool.acquire(request('a')), { code: 'POOL_DRAINING' });
    await flush();
    await pool.drain(1_000);
    await refused;
    assert.deepEqual(
      events.filter((e) => e.type === 'worker_closed'),
      [{ type: 'worker_closed', workerId: 'w1', reason: 'draining' }],
    );
    assert.equal(factory.liveWorkers().length, 0);
  });
});

describe('starts failing in a row', () => {
  it('fail the turns waiting for a start, not one whose own start is still on its way', async () => {
    const t = makePool(
      { maxWorkers: 3 },
      {
        failStart: (s) => s.session?.id === 'a',
        startDelayMs: (s) => (s.session?.id === 'b' ? 100 : 0),
      },
    );
    const b = t.pool.acquire(request('b')); // its start takes 100 ms
    const a = t.pool.acquire(request('a')); // its starts fail, three in a row
    await assert.rejects(a, { code: 'POOL_WORKER_START_FAILED' });
    const lease = await b;
    assert.equal(lease.placement, 'cold');
    lease.release();
    assert.deepEqual(
      t.events.filter((e) => e.type === 'turn_rejected'),
      [{ type: 'turn_rejected', sessionId: 'a', code: 'POOL_WORKER_START_FAILED' }],
    );
    await t.pool.destroy();
  });
});

describe('starts failing in a row, and a turn held back by its user cap', () => {
  it('a capped turn whose session has an idle worker needs no start: it is not failed with the others', async () => {
    const t = makePool({ maxWorkers: 3, maxTurnsPerUser: 1 }, { failStart: (s) => s.session?.id === 'c' });
    (await t.pool.acquire(request('a', 'u'))).release(); // a's worker idle
    const b = await t.pool.acquire(request('b', 'u')); // u at the cap
    const capped = t.pool.acquire(request('a', 'u'));
    await assert.rejects(t.pool.acquire(request('c', 'v')), { code: 'POOL_WORKER_START_FAILED' });
    b.release();
    const lease = await capped;
    assert.equal(lease.placement, 'warm');
    lease.release();
    await t.pool.destroy();
  });
});
