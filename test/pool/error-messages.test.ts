/**
 * Every error the pool gives a caller says what happened, to which session or
 * user, and under which limit: these messages reach operators' logs and API
 * clients, so each is pinned here together with the turn_rejected event.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentPool, PoolError } from '../../src/pool/index.ts';
import type { AcquireRequest } from '../../src/pool/types.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { flush, makePool, request, shutdown } from './helpers.ts';

async function runToEnd(pool: AgentPool<string, FakeEvent>, req: AcquireRequest, input = 'x'): Promise<unknown> {
  const lease = await pool.acquire(req);
  try {
    for await (const _ of lease.run(input)) {
      // drained
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

function rejectedCodes(events: readonly { type: string; code?: string; sessionId?: string }[]): string[] {
  return events.filter((e) => e.type === 'turn_rejected').map((e) => `${e.sessionId}:${e.code}`);
}

describe('pool error messages', () => {
  it('a malformed request names what it lacks and what it got', async () => {
    const t = makePool();
    await assert.rejects(t.pool.acquire({ session: { id: '', isNew: false }, userId: 'u' }), {
      name: 'TypeError',
      message: 'Expected `request` to have a non-empty `session.id` and a `userId`, got ``, `u`',
    });
    await shutdown(t);
  });

  it('refusals at the door: draining, abandoned before queueing, session busy under the reject policy', async () => {
    const t = makePool({ sessionPolicy: 'reject' }, { holdTurns: true });
    await assert.rejects(t.pool.acquire(request('a', 'u', AbortSignal.abort())), {
      code: 'POOL_TURN_ABORTED',
      message: 'Turn of session a was abandoned before it was queued',
    });
    const lease = await t.pool.acquire(request('a'));
    await assert.rejects(t.pool.acquire(request('a')), {
      code: 'POOL_SESSION_BUSY',
      message: 'Session a already has a turn in flight',
    });
    lease.release();
    const drained = t.pool.drain(1_000);
    await assert.rejects(t.pool.acquire(request('b')), {
      code: 'POOL_DRAINING',
      message: 'Pool test is draining and admits no new turns',
    });
    await drained;
    assert.deepEqual(rejectedCodes(t.events), ['a:POOL_SESSION_BUSY', 'b:POOL_DRAINING']);
  });

  it('a full queue and a user at maxQueuedPerUser: the limit, the queue in words, a Retry-After hint', async () => {
    const t = makePool({ maxWorkers: 1, maxQueue: 2, maxQueuedPerUser: 1 }, { holdTurns: true });
    const busy = await t.pool.acquire(request('a', 'ann'));
    const waitingBen = t.pool.acquire(request('b', 'ben'));
    await assert.rejects(t.pool.acquire(request('c', 'ben')), (error: Error & { retryAfterS?: number }) => {
      assert.equal(error.message, 'Pool test: user ben already has 1 turns waiting (maxQueuedPerUser 1)');
      assert.ok((error.retryAfterS ?? 0) >= 1);
      return true;
    });
    const waitingCid = t.pool.acquire(request('d', 'cid'));
    await assert.rejects(t.pool.acquire(request('e', 'dee')), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'POOL_SATURATED');
      assert.equal(
        error.message,
        'Pool test is saturated: 1/1 workers busy, 0 starting, 2 turns waiting for a worker, 0 queued behind their session (maxQueue 2)',
      );
      return true;
    });
    assert.deepEqual(rejectedCodes(t.events), ['c:POOL_USER_QUEUE_FULL', 'e:POOL_SATURATED']);
    await t.pool.destroy();
    busy.release();
    await Promise.allSettled([waitingBen, waitingCid]);
  });

  it("the Retry-After hint follows the turns' measured length, not the default", async () => {
    const t = makePool({ maxWorkers: 1, maxQueue: 1 }, { turnDelayMs: 40 });
    await runToEnd(t.pool, request('a')); // one turn of ~40 ms measured
    const busy = await t.pool.acquire(request('a'));
    const waiting = t.pool.acquire(request('b'));
    await assert.rejects(t.pool.acquire(request('c')), (error: Error & { retryAfterS?: number }) => {
      // Two rounds of a 40 ms turn: 1 s, the floor (the 5 s default would say 10).
      assert.equal(error.retryAfterS, 1);
      return true;
    });
    busy.release();
    (await waiting).release();
    await shutdown(t);
  });

  it('a waiting turn abandoned, timed out, or caught by a drain', async () => {
    const t = makePool({ maxWorkers: 1, acquireTimeoutMs: 30 }, { holdTurns: true });
    const busy = await t.pool.acquire(request('a'));
    const controller = new AbortController();
    const abandoned = t.pool.acquire(request('b', 'u', controller.signal));
    await flush();
    controller.abort();
    await assert.rejects(abandoned, {
      code: 'POOL_TURN_ABORTED',
      message: 'Turn of session b was abandoned while waiting for a worker',
    });
    await assert.rejects(t.pool.acquire(request('c')), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'POOL_ACQUIRE_TIMEOUT');
      assert.match(
        error.message,
        /^No worker for session c within \d+ ms \(acquireTimeoutMs 30\): 1\/1 workers busy, 0 starting, /,
      );
      return true;
    });
    const caught = t.pool.acquire(request('d'));
    await flush();
    const drained = t.pool.drain(1_000);
    await assert.rejects(caught, {
      code: 'POOL_DRAINING',
      message: 'Pool test is draining; the waiting turn was not started',
    });
    busy.release();
    await drained;
    assert.deepEqual(rejectedCodes(t.events), ['b:POOL_TURN_ABORTED', 'c:POOL_ACQUIRE_TIMEOUT', 'd:POOL_DRAINING']);
  });

  it('starts failing in a row: how many, and the last failure', async () => {
    const t = makePool({ startBackoffBaseMs: 1, startBackoffMaxMs: 2_500 }, { failStart: true });
    await assert.rejects(t.pool.acquire(request('a')), (error: Error & { retryAfterS?: number }) => {
      assert.equal(
        error.message,
        'Pool test could not start a worker for session a: 3 starts failed in a row (last: fake start 3 failed)',
      );
      assert.equal(error.retryAfterS, 3);
      return true;
    });
    assert.deepEqual(rejectedCodes(t.events), ['a:POOL_WORKER_START_FAILED']);
    await shutdown(t);
  });

  it('a turn that ran: timed out, abandoned, stopped by shutdown, crashed', async () => {
    const timeout = makePool({ turnTimeoutMs: 20 }, { holdTurns: true });
    const timedOut = (await runToEnd(timeout.pool, request('a'))) as Error;
    assert.equal(timedOut.message, 'Turn of session a ran past turnTimeoutMs (20 ms); worker w1 was discarded');
    await shutdown(timeout);

    const abandon = makePool({}, { holdTurns: true });
    const controller = new AbortController();
    const abandoned = runToEnd(abandon.pool, request('b', 'u', controller.signal));
    await abandon.factory.untilHeld(1);
    controller.abort();
    assert.equal(
      ((await abandoned) as Error).message,
      'Turn of session b was abandoned by its caller; worker w1 interrupted',
    );
    await shutdown(abandon);

    const stop = makePool({}, { holdTurns: true });
    const stopped = runToEnd(stop.pool, request('c'));
    await stop.factory.untilHeld(1);
    await stop.pool.drain(5);
    assert.equal(((await stopped) as Error).message, 'Turn of session c was stopped: the pool is shutting down');
    // A drain's doing, not the caller's: the code says so, so the API can tell the user the server is restarting.
    assert.equal(((await stopped) as PoolError).code, 'POOL_DRAINING');

    const crash = makePool({}, { crashTurn: true });
    const crashed = (await runToEnd(crash.pool, request('d'))) as Error;
    assert.match(
      crashed.message,
      /^Worker w1 failed during a turn of session d: .+; it was discarded and will be replaced$/,
    );
    await shutdown(crash);
  });

  it('a worker whose start failed in the background says so and that the pool backs off', async () => {
    const t = makePool(
      { startBackoffBaseMs: 1, startBackoffMaxMs: 2 },
      { failStartInBackground: (s) => s.attempt === 1 },
    );
    const error = (await runToEnd(t.pool, request('a'))) as Error;
    assert.match(
      error.message,
      /^Worker w1 could not start for session a: .+; the pool backs off before the next start$/,
    );
    await shutdown(t);
  });
});
