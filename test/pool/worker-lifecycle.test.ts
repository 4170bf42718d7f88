/**
 * What becomes of a worker after each way a lease ends, and the worker set's
 * timers and closes: the reasons reported, which turns count toward a
 * worker's limits, and what stays untouched (spares, busy workers, sessions
 * of other workers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PoolEvent } from '../../src/pool/types.ts';
import { flush, heldTurn, makePool, nextEvent, request, shutdown, turn } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function closedReasons(events: readonly PoolEvent[]): string[] {
  return events.filter((e) => e.type === 'worker_closed').map((e) => (e.type === 'worker_closed' ? e.reason : ''));
}

describe('what a lease leaves behind', () => {
  it('an acquire+release without a turn does not count toward maxTurnsPerWorker and emits no turn_finished', async () => {
    const t = makePool({ maxTurnsPerWorker: 1 });
    await turn(t.pool, 'a');
    t.events.length = 0;
    (await t.pool.acquire(request('a'))).release();
    const again = await t.pool.acquire(request('a'));
    assert.equal(again.placement, 'warm');
    again.release();
    assert.equal(
      t.events.some((e) => e.type === 'turn_finished'),
      false,
    );
    await shutdown(t);
  });

  it('an aborted turn whose interrupt settles counts toward maxTurnsPerWorker', async () => {
    const t = makePool({ maxTurnsPerWorker: 1 }, { holdTurns: true });
    const controller = new AbortController();
    const { running } = await heldTurn(t, 'a', controller.signal);
    const recycled = nextEvent(t.pool, 'worker_recycled');
    controller.abort();
    await assert.rejects(running);
    assert.equal((await recycled).reason, 'max_turns');
    await shutdown(t);
  });

  it("an abandoned turn's worker sees its signal aborted with the reason", async () => {
    let signal: AbortSignal | undefined;
    const t = makePool(
      {},
      {
        holdTurns: true,
        events: (turnContext) => {
          signal = turnContext.signal;
          return [];
        },
      },
    );
    const controller = new AbortController();
    const { running } = await heldTurn(t, 'a', controller.signal);
    controller.abort();
    await assert.rejects(running);
    assert.ok(signal?.aborted);
    assert.equal((signal.reason as Error).message, 'Turn on worker w1 stopped: aborted');
    await shutdown(t);
  });

  it('a worker whose runTurn() throws at once is a crash; one whose interrupt() throws at once is closed', async () => {
    const t = makePool({}, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    const worker = t.factory.workers.find((w) => w.id === lease.workerId)!;
    worker.runTurn = () => {
      throw new Error('refused synchronously');
    };
    await assert.rejects(
      (async () => {
        for await (const _ of lease.run('x')) assert.fail('no event');
      })(),
      { code: 'POOL_WORKER_CRASHED', message: /refused synchronously/ },
    );
    await t.pool.destroy();

    const u = makePool({}, { holdTurns: true });
    const controller = new AbortController();
    const { running } = await heldTurn(u, 'b', controller.signal);
    u.factory.workers[0].interrupt = () => {
      throw new Error('cannot interrupt');
    };
    const closed = nextEvent(u.pool, 'worker_closed');
    controller.abort();
    await assert.rejects(running, { code: 'POOL_TURN_ABORTED' });
    assert.equal((await closed).reason, 'interrupt_failed');
    await u.pool.destroy();
  });

  it('a consumer still iterating an aborted turn gets no further event', async () => {
    const t = makePool({}, { holdTurns: true });
    const controller = new AbortController();
    const { running, seen } = await heldTurn(t, 'a', controller.signal);
    controller.abort();
    await assert.rejects(running);
    assert.deepEqual(seen, []);
    await shutdown(t);
  });

  it('a signal aborted between acquire and run(): the turn never reaches the worker', async () => {
    const t = makePool();
    const controller = new AbortController();
    const lease = await t.pool.acquire(request('a', 'u', controller.signal));
    controller.abort();
    await assert.rejects(
      (async () => {
        for await (const _ of lease.run('x')) assert.fail('no event after an abort');
      })(),
      { code: 'POOL_TURN_ABORTED' },
    );
    assert.equal(t.factory.turns.length, 0);
    await shutdown(t);
  });

  it('run() after release() says the lease was already released', async () => {
    const t = makePool();
    const lease = await t.pool.acquire(request('a'));
    lease.release();
    await assert.rejects(
      (async () => {
        for await (const _ of lease.run('x')) assert.fail('no event');
      })(),
      { code: 'POOL_TURN_ABORTED', message: 'The lease on worker w1 was already released' },
    );
    await shutdown(t);
  });

  it('a turn past turnTimeoutMs: the worker is asked to stop and closed as turn_timeout', async () => {
    const t = makePool({ turnTimeoutMs: 20 }, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    const closed = nextEvent(t.pool, 'worker_closed');
    await assert.rejects(async () => {
      for await (const _ of lease.run('x')) {
        // held
      }
    });
    assert.equal((await closed).reason, 'turn_timeout');
    assert.equal(t.factory.interrupts, 1);
    await shutdown(t);
  });

  it('a crashed worker is closed as crashed', async () => {
    const t = makePool({}, { crashTurn: true });
    const closed = nextEvent(t.pool, 'worker_closed');
    await assert.rejects(turn(t.pool, 'a'), { message: /fake worker w1 crashed mid-turn/ });
    assert.equal((await closed).reason, 'crashed');
    await shutdown(t);
  });

  it('a drain whose grace ends mid-turn closes the worker as revoked, without waiting for its interrupt', async () => {
    const t = makePool({ abortGraceMs: 60_000 }, { holdTurns: true, hangOnInterrupt: true });
    const { running } = await heldTurn(t, 'a');
    await t.pool.drain(5);
    await assert.rejects(running, { message: 'Turn of session a was stopped: the pool is shutting down' });
    assert.deepEqual(closedReasons(t.events), ['revoked']);
  });

  it('a drain whose grace ends on a lease never run closes its worker as revoked and asks it nothing', async () => {
    const t = makePool();
    const lease = await t.pool.acquire(request('a'));
    await t.pool.drain(5);
    assert.equal(t.pool.stats().workers.busy, 0);
    lease.release(); // no-op: already taken back
    assert.deepEqual(closedReasons(t.events), ['revoked']);
    assert.equal(t.factory.interrupts, 0);
  });

  it('a user below maxTurnsPerUser again after one of her leases came back is still capped by the others', async () => {
    const t = makePool({ maxWorkers: 4, maxTurnsPerUser: 2 });
    const first = await t.pool.acquire(request('a', 'ann'));
    const second = await t.pool.acquire(request('b', 'ann'));
    first.release();
    const third = await t.pool.acquire(request('c', 'ann'));
    let fourthServed = false;
    const fourth = t.pool.acquire(request('d', 'ann')).then((lease) => {
      fourthServed = true;
      return lease;
    });
    await flush();
    await sleep(10);
    assert.equal(fourthServed, false, 'ann holds two leases: the cap');
    second.release();
    (await fourth).release();
    third.release();
    await shutdown(t);
  });

  it('a warm hit nobody shielded is not counted as a protected one', async () => {
    const t = makePool();
    await turn(t.pool, 'a');
    await turn(t.pool, 'a');
    assert.equal(t.pool.stats().totals.warmHits, 1);
    assert.equal(t.pool.stats().totals.protectedWarmHits ?? 0, 0);
    await shutdown(t);
  });

  it('the measured cold start comes from cold leases only', async () => {
    const t = makePool({}, { readyAfterMs: 5 });
    await turn(t.pool, 'a'); // cold: one sample
    const after = t.pool.stats().startCostMs;
    for (let i = 0; i < 5; i++) await turn(t.pool, 'a'); // warm: no sample
    assert.equal(t.pool.stats().startCostMs, after);
    await shutdown(t);
  });
});

describe('worker set timers and closes', () => {
  it('idle TTL retires idle workers only, never spares', async () => {
    const t = makePool({ minSpares: 1, idleTtlMs: 15 });
    await nextEvent(t.pool, 'worker_started');
    await sleep(60);
    assert.equal(t.pool.stats().workers.spare, 1);
    assert.equal(t.pool.stats().totals.recycles.idle_ttl, 0);
    await shutdown(t);
  });

  it('an idle timer that fires after the worker was used again re-arms instead of retiring it', async () => {
    const t = makePool({ idleTtlMs: 200 });
    await turn(t.pool, 'a');
    await sleep(120);
    await turn(t.pool, 'a'); // idle since now: due at +200
    await sleep(140); // the first timer fired meanwhile
    assert.equal(t.pool.stats().totals.recycles.idle_ttl, 0);
    await nextEvent(t.pool, 'worker_recycled');
    await shutdown(t);
  });

  it('a worker whose lifetime ends while it is busy is not retired mid-turn, only at release', async () => {
    const t = makePool({ maxLifetimeMs: 30 }, { holdTurns: true });
    (await t.pool.acquire(request('a'))).release(); // idle: its timer is armed for the lifetime deadline
    const { lease: busy, running } = await heldTurn(t, 'a');
    assert.equal(busy.placement, 'warm');
    await sleep(60); // past the deadline and its timer
    assert.equal(t.pool.stats().totals.recycles.max_lifetime, 0);
    assert.equal(t.factory.workers[0].closed, false);
    const recycled = nextEvent(t.pool, 'worker_recycled');
    t.factory.finishTurn();
    await running;
    assert.equal((await recycled).reason, 'max_lifetime');
    await shutdown(t);
  });

  it('a spare retired by its lifetime is never handed out afterwards', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1, maxLifetimeMs: 20 });
    const started = await nextEvent(t.pool, 'worker_started');
    const recycled = await nextEvent(t.pool, 'worker_recycled');
    assert.equal(recycled.workerId, started.workerId);
    const lease = await t.pool.acquire({ session: { id: 'new', isNew: true }, userId: 'u' });
    assert.notEqual(lease.workerId, started.workerId);
    await flush();
    assert.deepEqual(closedReasons(t.events), ['max_lifetime'], 'closed once, and not found again as dead');
    lease.release();
    await t.pool.destroy();
  });

  it('a dead spare is closed as dead on the way, and the turn gets a live worker', async () => {
    const t = makePool({ maxWorkers: 2, minSpares: 1 });
    await nextEvent(t.pool, 'worker_started');
    t.factory.workers[0].die();
    const closed = nextEvent(t.pool, 'worker_closed');
    const lease = await t.pool.acquire({ session: { id: 'new', isNew: true }, userId: 'u' });
    assert.equal((await closed).reason, 'dead');
    assert.notEqual(lease.workerId, 'w1');
    lease.release();
    await shutdown(t);
  });

  it("a worker closing for one session does not hold back another session's turn", async () => {
    const t = makePool({ maxWorkers: 3 }, { closeDelayMs: 200 });
    await turn(t.pool, 'a');
    await turn(t.pool, 'b');
    let closedB = false;
    t.pool.onEvent((e) => {
      if (e.type === 'worker_closed') closedB = true;
    });
    t.pool.forgetSession('b'); // b's worker closes for 200 ms
    const a = await t.pool.acquire(request('a'));
    assert.equal(a.placement, 'warm');
    assert.equal(closedB, false);
    a.release();
    await shutdown(t);
  });

  it('a close that fails or outlasts closeTimeoutMs is logged with its result, and reported closed once', async () => {
    const warnings: Array<{ result?: string }> = [];
    const logger = {
      warn: (fields: { result?: string }) => warnings.push(fields),
      info: () => {},
      debug: () => {},
      error: () => {},
      child: () => logger,
    };
    const { AgentPool } = await import('../../src/pool/agent-pool.ts');
    const { FakeWorkerFactory } = await import('../support/fake-workers.ts');
    const { TEST_OPTIONS } = await import('./helpers.ts');
    const factory = new FakeWorkerFactory<string, never>({ closeDelayMs: 80 });
    const pool = new AgentPool(
      factory,
      { ...TEST_OPTIONS, maxWorkers: 4, closeTimeoutMs: 20 },
      {
        logger: logger as never,
      },
    );
    const events: PoolEvent[] = [];
    pool.onEvent((e) => events.push(e));
    (await pool.acquire(request('a'))).release();
    (await pool.acquire(request('b'))).release();
    (await pool.acquire(request('c'))).release();
    factory.workers[1].close = () => Promise.reject(new Error('close refused'));
    factory.workers[2].close = () => Promise.resolve();
    (await pool.acquire(request('d'))).release();
    factory.workers[3].close = () => {
      throw new Error('close threw');
    };
    pool.forgetSession('a'); // times out after 20 ms, exits at 80 ms
    pool.forgetSession('b'); // fails at once
    pool.forgetSession('c'); // closes at once
    pool.forgetSession('d'); // throws at once
    await sleep(120);
    assert.deepEqual(warnings.map((w) => w.result).sort(), ['failed', 'failed', 'timed_out']);
    assert.deepEqual(closedReasons(events), [
      'session_deleted',
      'session_deleted',
      'session_deleted',
      'session_deleted',
    ]);
    await pool.destroy();
  });
});
