import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentPool } from '../../src/pool/index.ts';
import { type FakeEvent, FakeWorkerFactory } from '../support/fake-workers.ts';
import { makePool, nextEvent, request, shutdown, TEST_OPTIONS, turn } from './helpers.ts';

describe('AgentPool capacity (guarantee 1)', () => {
  it('acquire() never has more than maxWorkers workers alive, starting ones included', async () => {
    const t = makePool({ maxWorkers: 3, minSpares: 1 }, { startDelayMs: 3, turnDelayMs: 2 });
    const sessions = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const results = await Promise.all(sessions.flatMap((s) => [turn(t.pool, s, '1'), turn(t.pool, s, '2')]));
    assert.equal(results.length, 24);
    assert.ok(t.factory.maxAlive <= 3, `maxAlive ${t.factory.maxAlive}`);
    assert.ok(t.pool.stats().workers.total <= 3);
    await shutdown(t);
    assert.equal(t.factory.alive, 0);
  });

  it('acquire() counts closing workers toward maxWorkers while an evicted worker is closing', async () => {
    const t = makePool({ maxWorkers: 1 }, {});
    await turn(t.pool, 'a');
    const seen: number[] = [];
    t.pool.onEvent(() => seen.push(t.pool.stats().workers.total));
    await turn(t.pool, 'b');
    assert.ok(Math.max(...seen) <= 1);
    assert.equal(t.factory.maxAlive, 1);
    await shutdown(t);
  });
});

/** Up to four workers and one spare, on a machine that has room for another worker when `room()` says so. */
function poolOnAMachine(room: () => boolean) {
  const factory = new FakeWorkerFactory<string, FakeEvent>();
  const pool = new AgentPool(factory, { ...TEST_OPTIONS, maxWorkers: 4, minSpares: 1 }, { roomForWorker: room });
  return { factory, pool };
}

describe('AgentPool and the machine (roomForWorker)', () => {
  it('starts no worker beside others while the machine has no room, evicts an idle one instead, and always keeps one', async () => {
    let room = false;
    const { factory, pool } = poolOnAMachine(() => room);
    // No room, but a pool with no worker starts one: the spare.
    await nextEvent(pool as AgentPool<string, FakeEvent>, 'worker_started');
    const a = await pool.acquire(request('a'));
    a.release();
    assert.equal(factory.startCalls, 1, 'no second spare without room');
    // A new session: no room for a second worker, so the idle one is evicted for it.
    const evicted = nextEvent(pool, 'worker_evicted');
    const b = await pool.acquire(request('b'));
    assert.equal((await evicted).sessionId, 'a');
    assert.equal(pool.stats().workers.total, 1);
    b.release();
    // With room again, the next session gets a worker of its own and b stays warm.
    room = true;
    const c = await pool.acquire(request('c'));
    c.release();
    assert.equal((await pool.acquire(request('b'))).placement, 'warm');
    await pool.destroy();
  });

  it('tops the spares up when a lease comes back and the machine has room again', async () => {
    let room = false;
    const { pool } = poolOnAMachine(() => room);
    await nextEvent(pool as AgentPool<string, FakeEvent>, 'worker_started');
    const a = await pool.acquire(request('a'));
    assert.equal(a.placement, 'spare');
    assert.equal(pool.stats().workers.starting, 0, 'no room for the next spare yet');
    room = true;
    a.release(); // the pool looks again as the lease comes back
    assert.equal(pool.stats().workers.starting, 1);
    await nextEvent(pool, 'worker_started');
    assert.equal(pool.stats().workers.spare, 1);
    await pool.destroy();
  });
});
