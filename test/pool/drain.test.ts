import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoolDrainingError, TurnAbortedError } from '../../src/pool/index.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { heldTurn, makePool, nextEvent, request } from './helpers.ts';

describe('AgentPool drain and destroy (guarantee 9)', () => {
  it('drain() refuses new turns, fails waiting ones, lets in-flight turns finish, then closes every worker', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 }, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    const other = await t.pool.acquire(request('b'));
    const waiting = t.pool.acquire(request('c'));
    const events: FakeEvent[] = [];
    const running = (async () => {
      for await (const event of lease.run('x')) events.push(event);
    })();
    await t.factory.untilHeld(1);
    let drained = false;
    const draining = t.pool.drain(10_000).then(() => {
      drained = true;
    });
    await assert.rejects(waiting, PoolDrainingError);
    await assert.rejects(t.pool.acquire(request('d')), PoolDrainingError);
    assert.equal(t.pool.stats().draining, true);
    assert.equal(drained, false);
    t.factory.finishTurn();
    await running;
    assert.deepEqual(
      events.map((e) => e.type),
      ['text', 'done'],
    );
    assert.equal(drained, false, 'one lease still out');
    other.release();
    await draining;
    assert.equal(t.pool.stats().workers.total, 0);
    assert.equal(t.factory.liveWorkers().length, 0);
    assert.equal(t.factory.alive, 0);
    assert.ok(t.events.some((e) => e.type === 'drained'));
  });

  it('drain() does not stop a running turn before its grace ends', async () => {
    const t = makePool({ maxWorkers: 1 }, { holdTurns: true });
    const { running, seen } = await heldTurn(t, 'a');
    const draining = t.pool.drain(10_000);
    // Well inside the grace: a drain that revoked at once would have done it by now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    t.factory.finishTurn();
    await running;
    await draining;
    assert.deepEqual(
      seen.map((e) => e.type),
      ['text', 'done'],
    );
    assert.equal(t.pool.stats().totals.turnTimeouts, 0);
  });

  it('drain() stops turns still running when the grace ends', async () => {
    const t = makePool({}, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    const running = (async () => {
      for await (const _ of lease.run('x')) {
        // held
      }
    })();
    await t.factory.untilHeld(1);
    await t.pool.drain(10);
    // Stopped by the drain, not by its caller: the pool's draining error.
    await assert.rejects(running, PoolDrainingError);
    assert.equal(t.factory.liveWorkers().length, 0);
  });

  it('drain() resolves at once on an empty pool and returns the same promise when called again', async () => {
    const t = makePool();
    const first = t.pool.drain(100);
    assert.equal(t.pool.drain(5), first);
    await first;
  });

  it('destroy() is idempotent and closes leased, idle and starting workers', async () => {
    const t = makePool({ maxWorkers: 3, minSpares: 1 }, { startDelayMs: (s) => (s.attempt === 1 ? 0 : 10_000) });
    await nextEvent(t.pool, 'worker_started');
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'spare');
    const waiting = t.pool.acquire(request('b'));
    assert.equal(t.pool.stats().workers.starting, 2, 'a spare and a worker for b');
    await Promise.all([t.pool.destroy(), t.pool.destroy()]);
    await assert.rejects(waiting, PoolDrainingError);
    assert.equal(t.pool.stats().workers.total, 0);
    assert.equal(t.factory.alive, 0);
    lease.release();
    await assert.rejects(t.pool.acquire(request('a')), PoolDrainingError);
  });

  it('drain() fails a turn whose worker is still starting and aborts that start', async () => {
    const t = makePool({}, { startDelayMs: 60_000 });
    const waiting = t.pool.acquire(request('a'));
    assert.equal(t.pool.stats().workers.starting, 1);
    await t.pool.drain(1_000);
    await assert.rejects(waiting, PoolDrainingError);
    assert.equal(t.factory.startFailures, 1, 'the start saw its signal abort');
    assert.equal(t.pool.stats().workers.total, 0);
    assert.equal(t.factory.alive, 0);
  });
});

describe('AgentPool destroy() during an interrupt', () => {
  it('destroy() does not wait out abortGraceMs of a turn already being interrupted', async () => {
    const t = makePool({ abortGraceMs: 60_000 }, { holdTurns: true, hangOnInterrupt: true });
    const controller = new AbortController();
    const lease = await t.pool.acquire(request('a', 'u', controller.signal));
    const running = (async () => {
      for await (const _ of lease.run('x')) {
        // held
      }
    })();
    await t.factory.untilHeld(1);
    controller.abort();
    await t.pool.destroy();
    await assert.rejects(running, TurnAbortedError);
    assert.equal(t.factory.alive, 0);
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_closed').map((e) => e.type === 'worker_closed' && e.reason),
      ['revoked'],
    );
  });
});
