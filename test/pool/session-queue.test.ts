import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionBusyError } from '../../src/pool/index.ts';
import { flush, makePool, request, shutdown, turn } from './helpers.ts';

describe('AgentPool sessions (guarantees 2 and 3)', () => {
  it('acquire() with policy enqueue makes a second turn of a busy session wait behind the first', async () => {
    const t = makePool({ maxWorkers: 4 });
    const first = await t.pool.acquire(request('s'));
    let secondServed = false;
    const second = t.pool.acquire(request('s')).then((lease) => {
      secondServed = true;
      return lease;
    });
    await flush();
    assert.equal(secondServed, false);
    assert.deepEqual(t.pool.stats().sessionQueues, { sessions: 1, queuedTurns: 1 });
    first.release();
    const lease = await second;
    assert.equal(lease.workerId, first.workerId);
    assert.equal(lease.placement, 'warm');
    lease.release();
    await shutdown(t);
  });

  it('acquire() with policy reject refuses a second turn of a busy session at once', async () => {
    const t = makePool({ sessionPolicy: 'reject' });
    const first = await t.pool.acquire(request('s'));
    await assert.rejects(t.pool.acquire(request('s')), (error: unknown) => {
      assert.ok(error instanceof SessionBusyError);
      assert.equal(error.code, 'POOL_SESSION_BUSY');
      return true;
    });
    assert.equal(t.pool.stats().totals.rejections.sessionBusy, 1);
    first.release();
    (await t.pool.acquire(request('s'))).release();
    await shutdown(t);
  });

  it('run() never lets two turns of one session be in flight, and runs them in arrival order', async () => {
    const t = makePool({ maxWorkers: 3 }, { turnDelayMs: 2, startDelayMs: 1 });
    const inputs = Array.from({ length: 8 }, (_, i) => String(i));
    await Promise.all([
      ...inputs.map((input) => turn(t.pool, 'a', input)),
      ...inputs.map((input) => turn(t.pool, 'b', input)),
    ]);
    assert.equal(t.factory.maxInFlightPerSession, 1);
    assert.deepEqual(
      t.factory.turnsOf('a').map((r) => r.input),
      inputs,
    );
    assert.deepEqual(
      t.factory.turnsOf('b').map((r) => r.input),
      inputs,
    );
    await shutdown(t);
  });

  it('acquire() keeps the session order when a queued turn of the session is abandoned', async () => {
    const t = makePool({ maxWorkers: 2 }, { holdTurns: true });
    const controller = new AbortController();
    const order: string[] = [];
    const run = async (input: string, signal?: AbortSignal) => {
      const lease = await t.pool.acquire(request('s', 'u', signal));
      order.push(input);
      for await (const _ of lease.run(input)) {
        // drain
      }
    };
    const runs = [run('1'), run('2', controller.signal).catch(() => order.push('2-aborted')), run('3')];
    await t.factory.untilHeld(1);
    controller.abort();
    t.factory.finishTurn();
    await t.factory.untilHeld(1);
    t.factory.finishTurn();
    await Promise.all(runs);
    assert.deepEqual(order, ['1', '2-aborted', '3']);
    await shutdown(t);
  });
});
