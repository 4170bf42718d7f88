import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTurnLimit, retireAt, retirementAfterTurn, WorkerSlot } from '../../src/pool/worker-set.ts';
import { FakeWorkerFactory } from '../support/fake-workers.ts';

const LIMITS = { maxWorkerMemoryBytes: 1_000, maxTurnsPerWorker: 3 };

async function slotWith(memoryBytes: number | undefined, turns = 0, retireAtMs = 1_000) {
  const factory = new FakeWorkerFactory({ memoryBytes });
  const worker = await factory.start({ session: undefined, signal: new AbortController().signal });
  const slot = new WorkerSlot(worker, 0, retireAtMs, 's');
  slot.turns = turns;
  return { slot, worker: factory.workers[0] };
}

describe('worker retirement after a lease', () => {
  it('keeps a live worker under every limit', async () => {
    const { slot } = await slotWith(999, 2);
    assert.equal(retirementAfterTurn(slot, 999, LIMITS), undefined);
  });

  it('reports a worker found dead as dead, before any limit', async () => {
    const { slot, worker } = await slotWith(5_000, 3);
    worker.die();
    assert.equal(retirementAfterTurn(slot, 2_000, LIMITS), 'dead');
  });

  it('retires on memory only above the limit, not at it', async () => {
    assert.equal(retirementAfterTurn((await slotWith(1_000)).slot, 0, LIMITS), undefined);
    assert.equal(retirementAfterTurn((await slotWith(1_001)).slot, 0, LIMITS), 'memory');
  });

  it('retires at maxTurnsPerWorker turns and at the lifetime deadline itself', async () => {
    assert.equal(retirementAfterTurn((await slotWith(undefined, 3)).slot, 0, LIMITS), 'max_turns');
    assert.equal(retirementAfterTurn((await slotWith(undefined, 0, 500)).slot, 499, LIMITS), undefined);
    assert.equal(retirementAfterTurn((await slotWith(undefined, 0, 500)).slot, 500, LIMITS), 'max_lifetime');
  });

  it('names only the limits a turn can reach as turn limits', () => {
    for (const reason of ['memory', 'max_turns', 'max_lifetime']) assert.equal(isTurnLimit(reason), true, reason);
    for (const reason of ['idle_ttl', 'dead', 'draining', 'crashed', ''])
      assert.equal(isTurnLimit(reason), false, reason);
  });

  it('draws the lifetime deadline within maxLifetimeMs plus 0-10%, clamping random()', () => {
    assert.equal(
      retireAt(100, 1_000, () => 0),
      1_100,
    );
    assert.equal(
      retireAt(100, 1_000, () => 0.5),
      1_150,
    );
    assert.equal(
      retireAt(100, 1_000, () => 7),
      1_200,
    );
    assert.equal(
      retireAt(100, 1_000, () => -1),
      1_100,
    );
  });
});
