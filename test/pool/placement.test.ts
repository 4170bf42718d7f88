import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flush, makePool, nextEvent, request, shutdown, turn } from './helpers.ts';

describe('AgentPool placement (guarantee 6)', () => {
  it('acquire() gives a session the idle worker already bound to it (warm hit)', async () => {
    const t = makePool({ maxWorkers: 2 });
    const first = await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    const again = await turn(t.pool, 'a');
    assert.equal(first.placement, 'cold');
    assert.equal(again.placement, 'warm');
    assert.equal(again.workerId, first.workerId);
    assert.equal(t.pool.stats().totals.warmHits, 1);
    await shutdown(t);
  });

  it('acquire() takes a spare (started without a session) before starting a worker', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 });
    await nextEvent(t.pool, 'worker_started');
    assert.equal(t.factory.starts[0].session, undefined);
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'spare');
    assert.equal(lease.workerId, 'w1');
    lease.release();
    // The spare is bound to its first session now.
    const again = await t.pool.acquire(request('a'));
    assert.equal(again.workerId, 'w1');
    assert.equal(again.placement, 'warm');
    again.release();
    await shutdown(t);
  });

  it('acquire() keeps the spare for new sessions when the engine cannot resume on one, while it may start a worker', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 }, { sparesResume: false });
    await nextEvent(t.pool, 'worker_started');
    const resumed = await t.pool.acquire(request('old')); // resumes: not a new session
    assert.equal(resumed.placement, 'cold');
    assert.deepEqual(t.factory.starts[1].session, { id: 'old', isNew: false });
    assert.equal(t.pool.stats().workers.spare, 1, 'the spare is still there');
    const fresh = await t.pool.acquire({ session: { id: 'new-one', isNew: true }, userId: 'u' });
    assert.equal(fresh.placement, 'spare');
    resumed.release();
    fresh.release();
    await shutdown(t);
  });

  it('acquire() never starts a second worker for a turn whose own start is in flight, though a spare it may not take is there', async () => {
    // Resumes start slowly, spares quickly: spares come and go while the resume starts.
    const t = makePool(
      { maxWorkers: 4, minSpares: 1 },
      { sparesResume: false, startDelayMs: (start) => (start.session ? 60 : 0) },
    );
    await nextEvent(t.pool, 'worker_started');
    const resumed = t.pool.acquire(request('old'));
    await flush();
    // A new conversation takes the spare; the pool starts another, whose arrival is a placement pass.
    const fresh = await t.pool.acquire({ session: { id: 'n', isNew: true }, userId: 'u2' });
    await nextEvent(t.pool, 'worker_started');
    fresh.release();
    const lease = await resumed;
    assert.deepEqual(
      t.factory.starts.map((start) => start.session?.id ?? 'spare'),
      ['spare', 'old', 'spare'],
      'one start for the resumed turn',
    );
    assert.equal(lease.placement, 'cold', 'it waited for its own start');
    lease.release();
    await shutdown(t);
  });

  it('acquire() still resumes on a spare the engine cannot resume on when no worker may be started', async () => {
    const t = makePool({ maxWorkers: 1, minSpares: 1 }, { sparesResume: false });
    await nextEvent(t.pool, 'worker_started');
    const lease = await t.pool.acquire(request('old'));
    assert.equal(lease.placement, 'spare');
    assert.equal(t.factory.startCalls, 1);
    lease.release();
    await shutdown(t);
  });

  it('acquire() starts a worker for the session when below maxWorkers', async () => {
    const t = makePool({ maxWorkers: 2 });
    const lease = await t.pool.acquire({ session: { id: 'new-one', isNew: true }, userId: 'u' });
    assert.equal(lease.placement, 'cold');
    assert.deepEqual(t.factory.starts[0].session, { id: 'new-one', isNew: true });
    lease.release();
    await shutdown(t);
  });

  it('acquire() closes the least recently used idle worker to start one for the session at maxWorkers', async () => {
    const t = makePool({ maxWorkers: 2 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    await turn(t.pool, 'a'); // b is now the least recently used
    const evicted = nextEvent(t.pool, 'worker_evicted');
    const c = await turn(t.pool, 'c');
    assert.equal((await evicted).sessionId, 'b');
    assert.equal(c.placement, 'cold');
    assert.equal(t.factory.starts.at(-1)?.session?.id, 'c');
    assert.equal(t.pool.stats().totals.evictions, 1);
    assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    await shutdown(t);
  });

  it('acquire() prefers evicting an idle worker whose session has no turn waiting', async () => {
    const t = makePool({ maxWorkers: 2 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    const busyA = await t.pool.acquire(request('a'));
    const queuedA = t.pool.acquire(request('a'));
    // Idle: b only. A waiting turn of a new session evicts b, not a's worker (busy anyway).
    const c = await t.pool.acquire(request('c'));
    assert.equal(c.placement, 'cold');
    busyA.release();
    const nextA = await queuedA;
    assert.equal(nextA.placement, 'warm');
    nextA.release();
    c.release();
    await shutdown(t);
  });

  it('a worker still closing counts as on its way: a waiting turn does not evict a second one for it', async () => {
    const t = makePool({ maxWorkers: 2 }, { closeDelayMs: 40 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    await turn(t.pool, 'a'); // b is the least recently used
    const c = t.pool.acquire(request('c')); // evicts b, then waits for b's worker to exit
    await flush();
    assert.equal(t.pool.stats().totals.evictions, 1);
    // A pass while b's worker is closing: c waits for that slot and leaves a's idle worker alone.
    const a = await turn(t.pool, 'a');
    assert.equal(a.placement, 'warm');
    const leaseC = await c;
    assert.equal(leaseC.placement, 'cold');
    leaseC.release();
    assert.equal(t.pool.stats().totals.evictions, 1);
    await shutdown(t);
  });

  it('one worker on its way spares one eviction, not two: the second waiting turn evicts', async () => {
    const t = makePool({ maxWorkers: 2 }, { closeDelayMs: 40 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    await turn(t.pool, 'a');
    const c = t.pool.acquire(request('c')); // evicts b
    await flush();
    const d = t.pool.acquire(request('d')); // b's slot is c's: d must evict a
    await flush();
    assert.equal(t.pool.stats().totals.evictions, 2);
    const [leaseC, leaseD] = await Promise.all([c, d]);
    assert.deepEqual([leaseC.placement, leaseD.placement], ['cold', 'cold']);
    leaseC.release();
    leaseD.release();
    await shutdown(t);
  });

  it('a spare still starting counts as on its way: a waiting turn takes it instead of evicting', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 }, { startDelayMs: 40 });
    await nextEvent(t.pool, 'worker_started');
    const replacement = nextEvent(t.pool, 'worker_starting');
    assert.equal((await turn(t.pool, 'a')).placement, 'spare');
    await replacement; // the pool tops its spare up: at maxWorkers with one start in flight
    const c = await t.pool.acquire(request('c'));
    assert.equal(c.placement, 'spare');
    c.release();
    assert.equal(t.pool.stats().totals.evictions, 0);
    assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    await shutdown(t);
  });

  it('a pass in which every waiting turn found a worker tops the spares up at once', async () => {
    const t = makePool({ maxWorkers: 3, minSpares: 1 }, { startDelayMs: 30 });
    // The spare starts first; the new session's turn starts its own worker meanwhile, then takes the spare.
    const lease = await t.pool.acquire({ session: { id: 'a', isNew: true }, userId: 'u' });
    assert.equal(lease.placement, 'spare');
    assert.equal(t.factory.startCalls, 3, "a replacement spare is starting before the turn's own start is back");
    lease.release();
    await shutdown(t);
  });

  it('acquire() waits when every worker is busy', async () => {
    const t = makePool({ maxWorkers: 1 });
    const busy = await t.pool.acquire(request('a'));
    let served = false;
    const waiting = t.pool.acquire(request('b')).then((lease) => {
      served = true;
      return lease;
    });
    await flush();
    assert.equal(served, false);
    assert.equal(t.pool.stats().waiting, 1);
    busy.release();
    const lease = await waiting;
    assert.equal(lease.placement, 'cold');
    lease.release();
    await shutdown(t);
  });
});

describe('AgentPool spares', () => {
  it('acquire() never starts a spare while a turn waits for a worker (spares count toward maxWorkers)', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 });
    await nextEvent(t.pool, 'worker_started');
    const a = await t.pool.acquire(request('a'));
    await nextEvent(t.pool, 'worker_started'); // the spare restocked
    const b = await t.pool.acquire(request('b'));
    assert.equal(b.placement, 'spare');
    const c = t.pool.acquire(request('c'));
    assert.equal(t.pool.stats().waiting, 1);
    a.release();
    const leaseC = await c;
    assert.equal(leaseC.placement, 'cold');
    assert.deepEqual(
      t.factory.starts.map((s) => s.session?.id ?? 'spare'),
      ['spare', 'spare', 'c'],
    );
    assert.ok(t.factory.maxAlive <= 2);
    b.release();
    leaseC.release();
    await shutdown(t);
  });
});

describe('AgentPool fast path', () => {
  it('a turn with nobody ahead takes its idle worker at once, without queueing', async () => {
    const t = makePool();
    await turn(t.pool, 'a'); // queued while a worker starts for it
    await turn(t.pool, 'a'); // a's idle worker, at once
    assert.deepEqual(
      t.events.filter((e) => e.type === 'turn_queued').map((e) => e.type),
      ['turn_queued'],
    );
    assert.equal(t.pool.stats().totals.warmHits, 1);
    await shutdown(t);
  });
});
