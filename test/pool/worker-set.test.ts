/**
 * WorkerSet's idle workers: least recently used first, one lookup per session,
 * a worker started for a session superseding the idle one it finds, and no
 * record left behind by a closed worker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerSet, WorkerSlot } from '../../src/pool/worker-set.ts';
import { FakeWorkerFactory } from '../support/fake-workers.ts';

function workerSet() {
  const closed: { id: string; reason: string }[] = [];
  const set = new WorkerSet<string, unknown>(60_000, 1_000, {
    dead: () => {},
    due: () => {},
    closed: (slot, reason) => closed.push({ id: slot.worker.id, reason }),
  });
  const factory = new FakeWorkerFactory();
  const slotFor = async (sessionId: string | undefined) => {
    const worker = await factory.start({ session: undefined, signal: new AbortController().signal });
    return new WorkerSlot<string, unknown>(worker, 0, Number.POSITIVE_INFINITY, sessionId);
  };
  return { set, closed, slotFor };
}

const idleOrder = (set: WorkerSet<string, unknown>): string[] => {
  const order: string[] = [];
  for (let slot = set.takeEvictionVictim(() => 0); slot !== undefined; slot = set.takeEvictionVictim(() => 0)) {
    order.push(slot.sessionId!);
  }
  return order;
};

describe('worker set: idle workers', () => {
  it('hands out idle workers by session and evicts the least recently used first', async () => {
    const { set, slotFor } = workerSet();
    const [a, b, c] = [await slotFor('a'), await slotFor('b'), await slotFor('c')];
    for (const slot of [a, b, c]) set.putIdle(slot, 0);
    assert.equal(set.idle, 3);
    assert.equal(set.takeIdle('b'), b);
    assert.equal(set.hasIdle('b'), false, 'taken');
    assert.equal(set.takeIdle('b'), undefined, 'not twice');
    assert.equal(set.idle, 2);
    set.putIdle(b, 1);
    set.putIdle(a, 2); // a again, without being taken: moved to the newest end
    assert.deepEqual(idleOrder(set), ['c', 'b', 'a']);
    assert.equal(set.idle, 0);
    assert.equal(set.size, 0);
  });

  it('the eviction victim is the least recently used of the lowest rank, taken out of idle', async () => {
    const { set, slotFor } = workerSet();
    const slots = [await slotFor('a'), await slotFor('b'), await slotFor('c')];
    for (const slot of slots) set.putIdle(slot, 0);
    const rank = (slot: WorkerSlot<string, unknown>) => (slot.sessionId === 'a' ? 2 : 1);
    assert.equal(set.takeEvictionVictim(rank)?.sessionId, 'b');
    assert.equal(set.hasIdle('b'), false);
    assert.equal(
      set.takeEvictionVictim(() => Number.POSITIVE_INFINITY),
      undefined,
      'none evictable',
    );
    assert.equal(set.idle, 2);
  });

  it('a worker put idle for a session that already has an idle one supersedes it; a busy one is left alone', async () => {
    const { set, closed, slotFor } = workerSet();
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    const [old, started, another] = [await slotFor('a'), await slotFor('a'), await slotFor('a')];
    set.putIdle(old, 0);
    set.putIdle(started, 1);
    await flush();
    assert.deepEqual(closed, [{ id: old.worker.id, reason: 'superseded' }]);
    assert.equal(set.takeIdle('a'), started);

    // `started` is out (leased); `another`, started for `a` meanwhile, becomes its idle worker without
    // touching `started`, and `started`, coming back, supersedes `another`.
    set.putIdle(another, 2);
    await flush();
    assert.equal(closed.length, 1, 'the leased worker is not closed');
    set.putIdle(started, 3);
    await flush();
    assert.deepEqual(closed.at(-1), { id: another.worker.id, reason: 'superseded' });
    assert.equal(set.idle, 1);
    assert.equal(set.takeIdle('a'), started);
  });

  it("closing a leased worker leaves its session's newer idle worker in place", async () => {
    const { set, slotFor } = workerSet();
    const [leased, newer] = [await slotFor('a'), await slotFor('a')];
    set.putIdle(leased, 0);
    set.takeIdle('a');
    set.putIdle(newer, 1); // started for `a` while `leased` was out
    set.close(leased, 'crashed');
    assert.equal(set.takeIdle('a'), newer);
  });

  it('a dead spare closed on the way leaves the other spares', async () => {
    const { set, slotFor } = workerSet();
    const [first, second] = [await slotFor(undefined), await slotFor(undefined)];
    set.addSpare(first);
    set.addSpare(second);
    (second.worker as unknown as { die(): void }).die();
    assert.equal(set.takeLiveSpare(), first);
    assert.equal(set.spares, 0);
  });

  it('closed workers leave no session record behind, however many sessions came and went', async () => {
    const { set, slotFor } = workerSet();
    for (let i = 0; i < 50; i++) {
      const slot = await slotFor(`s${i}`);
      set.putIdle(slot, i);
      if (i % 2 === 0) set.close(set.takeIdle(`s${i}`)!, 'evicted');
      else set.close(set.takeEvictionVictim(() => 0)!, 'evicted');
    }
    assert.equal(set.boundKept, 0);
    const kept = await slotFor('kept');
    set.putIdle(kept, 0);
    set.takeIdle('kept'); // leased: its record stays, so it comes back with one lookup
    assert.equal(set.boundKept, 1);
    set.close(kept, 'crashed');
    assert.equal(set.boundKept, 0);
  });

  it('drain takes spares and idle workers but not busy ones', async () => {
    const { set, slotFor } = workerSet();
    const spare = await slotFor(undefined);
    set.addSpare(spare);
    const [a, b] = [await slotFor('a'), await slotFor('b')];
    set.putIdle(a, 0);
    set.putIdle(b, 0);
    set.takeIdle('b');
    assert.deepEqual(
      set.takeAllIdle().map((slot) => slot.sessionId),
      [undefined, 'a'],
    );
    assert.equal(set.idle, 0);
    assert.equal(set.hasIdle('a'), false);
    assert.equal(set.spares, 0);
    for (const slot of [spare, a, b]) set.close(slot, 'draining');
  });
});
