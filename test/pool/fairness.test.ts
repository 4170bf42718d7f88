import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TurnLease } from '../../src/pool/index.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { flush, makePool, nextEvent, request, shutdown } from './helpers.ts';

describe('AgentPool fairness (guarantee 4)', () => {
  it('acquire() serves waiting turns first-come first-served', async () => {
    const t = makePool({ maxWorkers: 1 });
    const first = await t.pool.acquire(request('a'));
    const served: string[] = [];
    const waiting = ['b', 'c', 'd', 'e'].map((s) =>
      t.pool.acquire(request(s)).then((lease) => {
        served.push(s);
        return lease;
      }),
    );
    first.release();
    for (const pending of waiting) (await pending).release();
    assert.deepEqual(served, ['b', 'c', 'd', 'e']);
    await shutdown(t);
  });

  for (const [label, expectedStartMs, expected] of [
    ['once the older turn has waited longer than a start (starts are quick)', undefined, ['b1', 'a2', 'c1']],
    [
      'but a warm hit may go first while a start would cost more than the older turn waited',
      60_000,
      ['a2', 'b1', 'c1'],
    ],
  ] as const) {
    it(`a session freed by its turn takes its place in arrival order among sessions waiting, ${label}`, async () => {
      const t = makePool({ maxWorkers: 1, maxTurnsPerUser: 4 }, { expectedStartMs });
      const order: string[] = [];
      const queue = (session: string, label: string) =>
        t.pool.acquire(request(session, 'u')).then((lease) => {
          order.push(label);
          lease.release();
        });
      const a1 = await t.pool.acquire(request('a', 'u'));
      // b1 came before a2: a2 waits for a1 (same session) and must not jump b1 once a is free.
      const b1 = queue('b', 'b1');
      await flush();
      const a2 = queue('a', 'a2');
      const c1 = queue('c', 'c1');
      await flush();
      a1.release();
      await Promise.all([b1, a2, c1]);
      assert.deepEqual(order, expected);
      await shutdown(t);
    });
  }

  it('acquire() lets other users go ahead of a user at maxTurnsPerUser', async () => {
    const t = makePool({ maxWorkers: 3, maxTurnsPerUser: 2 });
    const held: TurnLease<string, FakeEvent>[] = [];
    held.push(await t.pool.acquire(request('u1', 'alice')));
    held.push(await t.pool.acquire(request('u2', 'alice')));
    let aliceThird: TurnLease<string, FakeEvent> | undefined;
    const third = t.pool.acquire(request('u3', 'alice')).then((lease) => {
      aliceThird = lease;
      return lease;
    });
    const bob = await t.pool.acquire(request('b1', 'bob'));
    await flush();
    assert.equal(aliceThird, undefined, 'alice is at her cap');
    assert.equal(t.pool.stats().waiting, 1);
    assert.equal(t.pool.stats().workers.total, 3);
    held[0].release();
    (await third).release();
    held[1].release();
    bob.release();
    await shutdown(t);
  });

  it("starts in flight for a user's waiting turns count toward maxTurnsPerUser, their own start not twice", async () => {
    // No spares: every resumed session needs its own start, which takes a while.
    const t = makePool({ maxWorkers: 4, maxTurnsPerUser: 2 }, { startDelayMs: 30 });
    const served: string[] = [];
    const ask = (s: string) =>
      t.pool.acquire(request(s, 'alice')).then((lease) => {
        served.push(s);
        return lease;
      });
    const a = ask('a');
    const b = ask('b');
    const c = ask('c');
    await flush();
    // Two starts for a and b hold alice's two places: c starts nothing and waits.
    assert.deepEqual(
      t.factory.starts.map((start) => start.session?.id),
      ['a', 'b'],
    );
    // Each of a and b takes the worker started for it (its own start is not one more place).
    const [leaseA, leaseB] = await Promise.all([a, b]);
    assert.deepEqual(served.sort(), ['a', 'b']);
    assert.equal(t.factory.starts.length, 2, 'c still waits for one of her places');
    leaseA.release();
    (await c).release();
    leaseB.release();
    assert.deepEqual(served.slice(2), ['c']);
    await shutdown(t);
  });

  it('a turn of a user at the cap through starts in flight may still take a spare that turns up first', async () => {
    // The spare (first start) comes quickly; the starts for alice's sessions take long.
    const t = makePool(
      { maxWorkers: 4, minSpares: 1, maxTurnsPerUser: 2 },
      { startDelayMs: (start) => (start.attempt === 1 ? 20 : 300) },
    );
    const leases = [t.pool.acquire(request('a', 'alice')), t.pool.acquire(request('b', 'alice'))];
    const first = await Promise.race(leases);
    // Her own start is one of her two places, not a third: the spare is hers at once.
    assert.equal(first.placement, 'spare');
    first.release();
    for (const pending of leases) {
      const lease = await pending;
      if (lease !== first) lease.release();
    }
    await shutdown(t);
  });

  it('one pass that places several turns of a user counts the starts it made toward her cap', async () => {
    // The first start fails: while the pool backs off, alice's three turns wait; the pass
    // that runs when the back-off is over places them together.
    const t = makePool(
      { maxWorkers: 4, maxTurnsPerUser: 2, startBackoffBaseMs: 30, startBackoffMaxMs: 30 },
      { failStart: (start) => start.attempt === 1, startDelayMs: (start) => (start.attempt === 1 ? 0 : 50) },
      () => 1,
    );
    const first = t.pool.acquire(request('a', 'alice'));
    await nextEvent(t.pool, 'worker_start_failed');
    const others = [t.pool.acquire(request('b', 'alice')), t.pool.acquire(request('c', 'alice'))];
    await nextEvent(t.pool, 'worker_starting');
    await flush();
    // After the failed one: starts for two of her sessions, none for the third.
    assert.equal(t.factory.starts.length, 3);
    const leases = [await first, await others[0]!];
    assert.equal(t.factory.starts.length, 3, 'her third turn waits for one of her two places');
    leases[0]!.release();
    (await others[1]!).release();
    leases[1]!.release();
    await shutdown(t);
  });

  it('one user cannot fill the wait queue: past maxQueuedPerUser their turn is refused, others still queue', async () => {
    const t = makePool({ maxWorkers: 1, maxQueue: 5, maxQueuedPerUser: 3 });
    const running = await t.pool.acquire(request('busy', 'zed'));
    const aliceWaiting = ['a1', 'a2', 'a3'].map((s) => t.pool.acquire(request(s, 'alice')));
    await assert.rejects(t.pool.acquire(request('a4', 'alice')), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'POOL_USER_QUEUE_FULL');
      assert.match(error.message, /alice already has 3 turns waiting/);
      return true;
    });
    // Bob is not refused though alice has turns waiting: the queue itself has room.
    const bob = t.pool.acquire(request('b1', 'bob'));
    assert.equal(t.pool.stats().waiting, 4);
    running.release();
    for (const pending of [...aliceWaiting, bob]) (await pending).release();
    // Once alice's turns have left the queue, she may queue again.
    const again = await t.pool.acquire(request('a5', 'alice'));
    again.release();
    await shutdown(t);
  });

  it('acquire() keeps a capped user waiting even when a worker is free', async () => {
    const t = makePool({ maxWorkers: 4, maxTurnsPerUser: 1 });
    const first = await t.pool.acquire(request('x1', 'carol'));
    let served = false;
    const second = t.pool.acquire(request('x2', 'carol')).then((lease) => {
      served = true;
      return lease;
    });
    await flush();
    await flush();
    assert.equal(served, false);
    first.release();
    (await second).release();
    assert.equal(served, true);
    await shutdown(t);
  });
});
