import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePool, nextEvent, request, shutdown, turn } from './helpers.ts';

describe('AgentPool recycling (guarantee 10)', () => {
  it('closes an idle bound worker after idleTtlMs', async () => {
    const t = makePool({ idleTtlMs: 15 });
    const recycled = nextEvent(t.pool, 'worker_recycled');
    const closed = nextEvent(t.pool, 'worker_closed');
    await turn(t.pool, 'a');
    assert.equal((await recycled).reason, 'idle_ttl');
    assert.equal((await closed).reason, 'idle_ttl');
    assert.equal(t.factory.workers[0].closed, true);
    assert.equal(t.pool.stats().workers.total, 0);
    assert.equal(t.pool.stats().totals.recycles.idle_ttl, 1);
    await shutdown(t);
  });

  it('never recycles a worker while it is leased; its idle timer re-arms after release', async () => {
    const t = makePool({ idleTtlMs: 15 });
    await turn(t.pool, 'a');
    // Taken again before its idle timer fires (same tick), held past the TTL.
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'warm');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(t.pool.stats().totals.recycles.idle_ttl, 0);
    const recycled = nextEvent(t.pool, 'worker_recycled');
    lease.release();
    assert.equal((await recycled).reason, 'idle_ttl');
    await shutdown(t);
  });

  it('retires a worker after maxTurnsPerWorker turns', async () => {
    const t = makePool({ maxTurnsPerWorker: 2 });
    const first = await turn(t.pool, 'a');
    const recycled = nextEvent(t.pool, 'worker_recycled');
    await turn(t.pool, 'a');
    assert.equal((await recycled).reason, 'max_turns');
    const third = await turn(t.pool, 'a');
    assert.notEqual(third.workerId, first.workerId);
    assert.equal(third.placement, 'cold');
    await shutdown(t);
  });

  it('retires a worker at release after maxLifetimeMs', async () => {
    const t = makePool({ maxLifetimeMs: 10 }, { turnDelayMs: 20 });
    const recycled = nextEvent(t.pool, 'worker_recycled');
    await turn(t.pool, 'a');
    assert.equal((await recycled).reason, 'max_lifetime');
    await shutdown(t);
  });

  it('retires spares after maxLifetimeMs with up to 10% jitter from random()', async () => {
    let calls = 0;
    // The first worker gets the full 10% (66 ms), the second none (60 ms, started a moment later): only
    // the jitter makes the second retire first.
    const t = makePool({ maxWorkers: 2, minSpares: 2, maxLifetimeMs: 60 }, {}, () => (calls++ === 0 ? 0.999 : 0));
    const order: string[] = [];
    t.pool.onEvent((event) => {
      if (event.type === 'worker_recycled') order.push(`${event.workerId}:${event.reason}`);
    });
    await nextEvent(t.pool, 'worker_recycled', (e) => e.workerId === 'w1');
    assert.deepEqual(order.slice(0, 2), ['w2:max_lifetime', 'w1:max_lifetime']);
    await shutdown(t);
  });

  it('forgetSession() closes the idle worker of a deleted session at once, and leaves a busy one to its turn', async () => {
    const t = makePool({ maxWorkers: 2 }, { holdTurns: true });
    const idle = await t.pool.acquire(request('gone'));
    const events = idle.run('x');
    const drained = (async () => {
      for await (const _ of events) {
        // held until finishTurn
      }
    })();
    await t.factory.untilHeld(1);
    t.pool.forgetSession('gone');
    assert.equal(t.pool.stats().workers.busy, 1, 'a worker on a turn of it is left to finish');
    t.factory.finishTurn();
    await drained;
    idle.release();
    assert.equal(t.pool.stats().workers.idle, 1);
    const closed = nextEvent(t.pool, 'worker_closed');
    t.pool.forgetSession('gone');
    assert.equal((await closed).reason, 'session_deleted');
    assert.equal(t.pool.stats().workers.total, 0);
    t.pool.forgetSession('never-seen');
    await shutdown(t);
  });
});
