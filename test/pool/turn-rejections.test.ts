/**
 * What a refused turn leaves behind besides its error: the malformed
 * requests the door turns away, the rejection counters in stats(), the wait
 * an acquire timeout reports, and the codes and causes callers branch on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcquireRequest } from '../../src/pool/types.ts';
import { makePool, request, shutdown } from './helpers.ts';

const MALFORMED = /^Expected `request` to have a non-empty `session\.id` and a `userId`, got /;

describe('turn rejections', () => {
  it('turns away a request without a session, with a non-string session id, or without a user', async () => {
    const t = makePool();
    await assert.rejects(t.pool.acquire({ userId: 'u' } as unknown as AcquireRequest), {
      name: 'TypeError',
      message: 'Expected `request` to have a non-empty `session.id` and a `userId`, got `undefined`, `u`',
    });
    await assert.rejects(
      t.pool.acquire({ session: { id: 7, isNew: false }, userId: 'u' } as unknown as AcquireRequest),
      {
        name: 'TypeError',
        message: MALFORMED,
      },
    );
    await assert.rejects(t.pool.acquire({ session: { id: 's', isNew: false } } as unknown as AcquireRequest), {
      name: 'TypeError',
      message: 'Expected `request` to have a non-empty `session.id` and a `userId`, got `s`, `undefined`',
    });
    assert.equal(t.factory.liveWorkers().length, 0, 'no worker started for a malformed request');
    assert.equal(t.pool.stats().totals.turns, 0);
    await shutdown(t);
  });

  it('counts each draining refusal once, upward', async () => {
    const t = makePool();
    const drained = t.pool.drain(1_000);
    await assert.rejects(t.pool.acquire(request('a')), { code: 'POOL_DRAINING' });
    await assert.rejects(t.pool.acquire(request('b')), { code: 'POOL_DRAINING' });
    await drained;
    assert.deepEqual(t.pool.stats().totals.rejections, { saturated: 0, sessionBusy: 0, draining: 2 });
  });

  it('counts a user at maxQueuedPerUser as saturated', async () => {
    const t = makePool({ maxWorkers: 1, maxQueuedPerUser: 1 }, { holdTurns: true });
    const busy = await t.pool.acquire(request('a', 'ann'));
    const waiting = t.pool.acquire(request('b', 'ben'));
    await assert.rejects(t.pool.acquire(request('c', 'ben')), { code: 'POOL_USER_QUEUE_FULL' });
    assert.deepEqual(t.pool.stats().totals.rejections, { saturated: 1, sessionBusy: 0, draining: 0 });
    busy.release();
    (await waiting).release();
    await shutdown(t);
  });

  it('an acquire timeout reports about the time the turn waited', async () => {
    const t = makePool({ maxWorkers: 1, acquireTimeoutMs: 40 }, { holdTurns: true });
    const busy = await t.pool.acquire(request('a'));
    const started = performance.now();
    await assert.rejects(t.pool.acquire(request('b')), (error: Error) => {
      const elapsed = performance.now() - started;
      const waited = Number(/within (\d+) ms/.exec(error.message)?.[1]);
      assert.ok(waited >= 35 && waited <= elapsed + 1, `waited ${waited} ms of ${elapsed} ms`);
      return true;
    });
    busy.release();
    await shutdown(t);
  });

  it('a timed-out turn fails with POOL_TURN_TIMEOUT; an error with no cause carries no cause', async () => {
    const t = makePool({ turnTimeoutMs: 20 }, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    await assert.rejects(
      (async () => {
        for await (const _ of lease.run('x')) {
          // held until the turn times out
        }
      })(),
      (error: Error) => {
        assert.equal((error as Error & { code?: string }).code, 'POOL_TURN_TIMEOUT');
        return true;
      },
    );
    const drained = t.pool.drain(1_000);
    await assert.rejects(t.pool.acquire(request('b')), (error: Error) => {
      assert.equal(Object.hasOwn(error, 'cause'), false);
      return true;
    });
    await drained;
  });
});
