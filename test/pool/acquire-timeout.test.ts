import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcquireTimeoutError, PoolSaturatedError } from '../../src/pool/index.ts';
import { makePool, request, shutdown } from './helpers.ts';

describe('AgentPool acquire timeout and saturation (guarantee 8)', () => {
  it('acquire() fails with AcquireTimeoutError carrying a retry-after hint and the queue state', async () => {
    const t = makePool({ maxWorkers: 1, acquireTimeoutMs: 20 });
    const busy = await t.pool.acquire(request('a'));
    await assert.rejects(t.pool.acquire(request('b')), (error: unknown) => {
      assert.ok(error instanceof AcquireTimeoutError);
      assert.equal(error.code, 'POOL_ACQUIRE_TIMEOUT');
      assert.ok((error.retryAfterS ?? 0) >= 1);
      assert.match(error.message, /1\/1 workers busy/);
      return true;
    });
    const stats = t.pool.stats();
    assert.equal(stats.totals.timeouts, 1);
    assert.ok(t.events.some((e) => e.type === 'turn_rejected' && e.code === 'POOL_ACQUIRE_TIMEOUT'));
    assert.equal(stats.waiting, 0);
    busy.release();
    await shutdown(t);
  });

  it('acquire() counts the wait behind its own session toward acquireTimeoutMs', async () => {
    const t = makePool({ maxWorkers: 4, acquireTimeoutMs: 20 });
    const busy = await t.pool.acquire(request('a'));
    await assert.rejects(t.pool.acquire(request('a')), AcquireTimeoutError);
    assert.deepEqual(t.pool.stats().sessionQueues, { sessions: 1, queuedTurns: 0 });
    busy.release();
    await shutdown(t);
  });

  it('acquire() timeout carries the last start failure as its cause', async () => {
    const t = makePool(
      { acquireTimeoutMs: 20, startBackoffBaseMs: 10_000, startBackoffMaxMs: 10_000 },
      { failStart: true },
    );
    await assert.rejects(t.pool.acquire(request('a')), (error: unknown) => {
      assert.ok(error instanceof AcquireTimeoutError);
      assert.match((error.cause as Error).message, /fake start 1 failed/);
      return true;
    });
    await shutdown(t);
  });

  it('acquire() fails at once with PoolSaturatedError when maxQueue turns already wait', async () => {
    const t = makePool({ maxWorkers: 1, maxQueue: 1 });
    const busy = await t.pool.acquire(request('a'));
    const waiting = t.pool.acquire(request('b'));
    await assert.rejects(t.pool.acquire(request('c')), (error: unknown) => {
      assert.ok(error instanceof PoolSaturatedError);
      assert.equal(error.code, 'POOL_SATURATED');
      assert.ok((error.retryAfterS ?? 0) >= 1);
      return true;
    });
    assert.equal(t.pool.stats().totals.rejections.saturated, 1);
    busy.release();
    (await waiting).release();
    await shutdown(t);
  });
});
