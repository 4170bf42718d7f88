import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePool, shutdown, turn } from './helpers.ts';

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
