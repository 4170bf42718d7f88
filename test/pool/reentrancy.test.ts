/**
 * The pool's listeners run inside its dispatch loop: one that acquires
 * (or releases) from an event re-enters it. The loop runs again instead of
 * nesting, so every turn is still placed once, in order, within maxWorkers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TurnLease } from '../../src/pool/types.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { makePool, request, shutdown } from './helpers.ts';

describe('AgentPool re-entered from its own events', () => {
  it('a listener acquiring on every placement: each turn is placed once, in order, within maxWorkers', async () => {
    const t = makePool({ maxWorkers: 2 }, { startDelayMs: 1 });
    const placed: string[] = [];
    const leases: Promise<TurnLease<string, FakeEvent>>[] = [];
    let extra = 0;
    t.pool.onEvent((event) => {
      if (event.type !== 'turn_acquired') return;
      placed.push(event.sessionId);
      // Two more turns from inside the loop, for sessions nobody has placed yet.
      if (extra < 4) {
        extra++;
        leases.push(t.pool.acquire(request(`late${extra}`)));
      }
    });
    for (const id of ['a', 'b', 'c', 'd']) leases.push(t.pool.acquire(request(id)));
    // Release each lease as it comes, oldest first, so every queued turn gets a worker in time.
    for (let i = 0; i < leases.length; i++) (await leases[i]!).release();
    assert.equal(placed.length, 8, `placed ${placed.join(',')}`);
    assert.equal(new Set(placed).size, 8, 'no turn placed twice');
    assert.deepEqual(
      placed.filter((id) => !id.startsWith('late')),
      ['a', 'b', 'c', 'd'],
    );
    assert.ok(t.factory.maxAlive <= 2, `maxAlive ${t.factory.maxAlive}`);
    assert.equal(t.pool.stats().waiting, 0);
    await shutdown(t);
  });
});
