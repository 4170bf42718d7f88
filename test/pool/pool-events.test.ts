/**
 * The pool's events as a listener sees them: which, in what order, with what
 * fields. performance.now stands still here, so every duration and wait is 0
 * and the whole story can be compared at once.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { flush, makePool, nextEvent, turn } from './helpers.ts';

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
