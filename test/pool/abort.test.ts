import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { TurnAbortedError } from '../../src/pool/index.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { makePool, nextEvent, request, shutdown } from './helpers.ts';

describe('AgentPool aborts (guarantee 5)', () => {
  it('acquire() rejects at once and holds nothing when a waiting turn is abandoned', async () => {
    const t = makePool({ maxWorkers: 1 });
    const busy = await t.pool.acquire(request('a'));
    const controller = new AbortController();
    const waiting = t.pool.acquire(request('b', 'u', controller.signal));
    assert.equal(t.pool.stats().waiting, 1);
    controller.abort();
    await assert.rejects(
      waiting,
      (error: unknown) => error instanceof TurnAbortedError && error.code === 'POOL_TURN_ABORTED',
    );
    assert.equal(t.pool.stats().waiting, 0);
    assert.equal(t.pool.stats().sessionQueues.sessions, 1, 'only the busy session');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    busy.release();
    assert.equal(t.pool.stats().workers.idle, 1);
    assert.equal(t.pool.stats().workers.busy, 0);
    await shutdown(t);
  });

  it('acquire() rejects a turn whose signal is already aborted', async () => {
    const t = makePool();
    await assert.rejects(t.pool.acquire(request('a', 'u', AbortSignal.abort())), TurnAbortedError);
    assert.equal(t.pool.stats().workers.total, 0);
    await shutdown(t);
  });

  it('acquire() removes its abort listener once served', async () => {
    const t = makePool();
    const controller = new AbortController();
    const lease = await t.pool.acquire(request('a', 'u', controller.signal));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const events: FakeEvent[] = [];
    for await (const event of lease.run('x')) events.push(event);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await shutdown(t);
  });

  it('run() interrupts a running turn on abort and returns the worker when the interrupt settles', async () => {
    const t = makePool({}, { holdTurns: true });
    const controller = new AbortController();
    const lease = await t.pool.acquire(request('a', 'u', controller.signal));
    const running = (async () => {
      for await (const _ of lease.run('x')) {
        // no events expected
      }
    })();
    await t.factory.untilHeld(1);
    controller.abort();
    await assert.rejects(running, TurnAbortedError);
    assert.equal(t.factory.interrupts, 1);
    assert.equal(t.pool.stats().workers.idle, 1);
    const again = await t.pool.acquire(request('a'));
    assert.equal(again.workerId, lease.workerId);
    assert.equal(again.placement, 'warm');
    again.release();
    await shutdown(t);
  });

  it('run() closes a worker whose interrupt does not settle within abortGraceMs', async () => {
    const t = makePool({ abortGraceMs: 10 }, { holdTurns: true, hangOnInterrupt: true });
    const controller = new AbortController();
    const lease = await t.pool.acquire(request('a', 'u', controller.signal));
    const closed = nextEvent(t.pool, 'worker_closed');
    const running = (async () => {
      for await (const _ of lease.run('x')) {
        // no events expected
      }
    })();
    await t.factory.untilHeld(1);
    controller.abort();
    await assert.rejects(running, TurnAbortedError);
    assert.equal((await closed).workerId, lease.workerId);
    assert.equal(t.factory.workers[0].closed, true);
    assert.equal(t.pool.stats().totals.replacements, 1);
    await shutdown(t);
  });

  it('run() releases the worker when the consumer stops iterating early', async () => {
    const t = makePool({}, { turnDelayMs: 0 });
    const lease = await t.pool.acquire(request('a'));
    for await (const event of lease.run('x')) {
      assert.equal(event.type, 'text');
      break;
    }
    assert.equal(t.pool.stats().workers.busy, 0);
    assert.equal(t.pool.stats().workers.idle, 1);
    lease.release();
    const again = await t.pool.acquire(request('a'));
    assert.equal(again.workerId, lease.workerId);
    again.release();
    await shutdown(t);
  });

  it('release() is idempotent', async () => {
    const t = makePool();
    const lease = await t.pool.acquire(request('a'));
    lease.release();
    lease.release();
    assert.equal(t.pool.stats().workers.idle, 1);
    assert.equal(t.pool.stats().workers.busy, 0);
    await assert.rejects(async () => {
      for await (const _ of lease.run('late')) {
        // not reached
      }
    }, TurnAbortedError);
    await shutdown(t);
  });
});

describe('AgentPool abort counting', () => {
  it('stats.totals.aborts grows by exactly one per abandoned turn, whichever way it was abandoned', async () => {
    const t = makePool({ maxWorkers: 1 }, { holdTurns: true });
    const aborts = () => t.pool.stats().totals.aborts;

    // Already aborted at the door.
    await assert.rejects(t.pool.acquire(request('a', 'u', AbortSignal.abort())), TurnAbortedError);
    assert.equal(aborts(), 1);

    // Abandoned while waiting for the only worker.
    const busy = await t.pool.acquire(request('b'));
    const waitingCaller = new AbortController();
    const waiting = t.pool.acquire(request('c', 'u2', waitingCaller.signal));
    waitingCaller.abort();
    await assert.rejects(waiting, TurnAbortedError);
    assert.equal(aborts(), 2);
    busy.release();

    // Abandoned mid-turn through its signal (a client disconnect).
    const runningCaller = new AbortController();
    const running = await t.pool.acquire(request('d', 'u3', runningCaller.signal));
    const run = (async () => {
      for await (const _ of running.run('x')) {
        // held
      }
    })();
    await t.factory.untilHeld(1);
    runningCaller.abort();
    await assert.rejects(run, TurnAbortedError);
    running.release();
    assert.equal(aborts(), 3);

    // The consumer stops iterating (break) and releases.
    const released = await t.pool.acquire(request('e', 'u4'));
    const iterator = released.run('y')[Symbol.asyncIterator]();
    const first = iterator.next();
    await t.factory.untilHeld(1);
    released.release();
    await first.catch(() => undefined);
    await iterator.return?.(undefined);
    released.release();
    assert.equal(aborts(), 4);
    assert.equal(t.pool.stats().totals.turns, 3, 'the turn refused at the door and the abandoned wait never ran');
    await shutdown(t);
  });
});
