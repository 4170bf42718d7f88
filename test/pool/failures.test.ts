import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackgroundStartError, TurnTimeoutError, WorkerCrashedError, WorkerStartError } from '../../src/pool/index.ts';
import { StartTimeoutError } from '../../src/pool/worker-starts.ts';
import { flush, makePool, nextEvent, request, shutdown, turn } from './helpers.ts';

describe('AgentPool failures (guarantee 7)', () => {
  it('run() discards a worker that crashes mid-turn and throws WorkerCrashedError with the cause', async () => {
    const t = makePool({}, { crashTurn: (ctx) => ctx.input === 'boom' });
    const lease = await t.pool.acquire(request('a'));
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of lease.run('boom')) seen.push(event.type);
      })(),
      (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError);
        assert.match(String((error.cause as Error).message), /crashed mid-turn/);
        return true;
      },
    );
    assert.deepEqual(seen, ['text']);
    assert.equal(t.factory.workers[0].closed, true);
    const stats = t.pool.stats();
    assert.equal(stats.totals.crashes, 1);
    assert.equal(stats.totals.replacements, 1);
    const next = await turn(t.pool, 'a');
    assert.notEqual(next.workerId, lease.workerId);
    assert.equal(next.placement, 'cold');
    await shutdown(t);
  });

  it('a session whose worker was discarded gets another only once that worker has exited', async () => {
    const exitedAtStart: boolean[] = [];
    const t = makePool(
      { maxWorkers: 3 },
      {
        closeDelayMs: 40,
        crashTurn: (ctx) => ctx.input === 'boom',
        // Whether the first worker had exited when each later start began.
        startDelayMs: (start) => {
          if (start.attempt > 1) exitedAtStart.push(t.factory.workers[0].exited);
          return 0;
        },
      },
    );
    const lease = await t.pool.acquire(request('a'));
    await assert.rejects(async () => {
      for await (const _ of lease.run('boom')) {
        // the crash ends it
      }
    }, WorkerCrashedError);
    lease.release();
    assert.equal(t.factory.workers[0].exited, false, 'the crashed worker is still exiting');
    const next = await t.pool.acquire(request('a'));
    assert.equal(t.factory.workers[0].exited, true, 'the lease waited for the exit');
    assert.deepEqual(exitedAtStart, [true], 'the replacement started after the exit');
    next.release();
    await shutdown(t);
  });

  it('a session whose worker was discarded does not take a spare before that worker has exited', async () => {
    const t = makePool({ maxWorkers: 3, minSpares: 1 }, { closeDelayMs: 40, crashTurn: (ctx) => ctx.input === 'boom' });
    await nextEvent(t.pool, 'worker_started');
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'spare');
    await nextEvent(t.pool, 'worker_started'); // the spare taken is replaced
    await assert.rejects(async () => {
      for await (const _ of lease.run('boom')) {
        // the crash ends it
      }
    }, WorkerCrashedError);
    lease.release();
    assert.equal(t.pool.stats().workers.spare, 1);
    const crashed = t.factory.workers.find((worker) => worker.id === lease.workerId);
    assert.equal(crashed?.exited, false, 'the crashed worker is still exiting');
    const next = await t.pool.acquire(request('a'));
    assert.equal(crashed?.exited, true, 'the spare was taken only after the exit');
    next.release();
    await shutdown(t);
  });

  it('a close that outlasts closeTimeoutMs stops counting and frees its session for another worker', async () => {
    const t = makePool(
      { maxWorkers: 1, closeTimeoutMs: 30 },
      { closeDelayMs: 400, crashTurn: (ctx) => ctx.input === 'boom' },
    );
    const lease = await t.pool.acquire(request('a'));
    await assert.rejects(async () => {
      for await (const _ of lease.run('boom')) {
        // the crash ends it
      }
    }, WorkerCrashedError);
    const closed = nextEvent(t.pool, 'worker_closed');
    lease.release();
    assert.equal(t.pool.stats().workers.closing, 1);
    const next = await t.pool.acquire(request('a'));
    assert.equal((await closed).workerId, lease.workerId);
    assert.equal(t.factory.workers[0].exited, false, 'the pool gave up waiting before the close ended');
    assert.equal(t.pool.stats().workers.closing, 0);
    assert.equal(next.placement, 'cold');
    next.release();
    await shutdown(t);
  });

  it('after each failed start in a row the back-off doubles up to startBackoffMaxMs, drawn with full jitter', async () => {
    // random() = 0.5 halves each ceiling: 8, 16, 32, 40, 40 ms become 4, 8, 16, 20, 20.
    const t = makePool(
      { maxWorkers: 1, minSpares: 1, startBackoffBaseMs: 8, startBackoffMaxMs: 40 },
      { failStart: true },
      () => 0.5,
    );
    const failures: Array<{ attempt: number; retryInMs: number; at: number }> = [];
    const started = performance.now();
    // The back-off timer does not hold the process open; the test must.
    const keepAlive = setInterval(() => {}, 1_000);
    await new Promise<void>((resolve) => {
      const off = t.pool.onEvent((event) => {
        if (event.type !== 'worker_start_failed') return;
        failures.push({ attempt: event.attempt, retryInMs: event.retryInMs, at: performance.now() - started });
        if (failures.length === 5) {
          off();
          clearInterval(keepAlive);
          resolve();
        }
      });
    });
    assert.deepEqual(
      failures.map((f) => f.retryInMs),
      [4, 8, 16, 20, 20],
    );
    assert.deepEqual(
      failures.map((f) => f.attempt),
      [1, 2, 3, 4, 5],
    );
    // No start began before its back-off was over.
    for (let i = 1; i < failures.length; i++) {
      assert.ok(failures[i].at - failures[i - 1].at >= failures[i - 1].retryInMs - 1, JSON.stringify(failures));
    }
    await shutdown(t);
  });

  it('run() throws TurnTimeoutError past turnTimeoutMs and discards the worker', async () => {
    const t = makePool({ turnTimeoutMs: 20 }, { holdTurns: true });
    const lease = await t.pool.acquire(request('a'));
    await assert.rejects(async () => {
      for await (const _ of lease.run('slow')) {
        // held forever
      }
    }, TurnTimeoutError);
    assert.equal(t.factory.workers[0].closed, true);
    assert.equal(t.pool.stats().totals.turnTimeouts, 1);
    await shutdown(t);
  });

  it('release() retires a worker over its memory cap', async () => {
    const t = makePool({ maxWorkerMemoryBytes: 1000 }, { memoryBytes: 5000 });
    const recycled = nextEvent(t.pool, 'worker_recycled');
    await turn(t.pool, 'a');
    assert.equal((await recycled).reason, 'memory');
    assert.equal(t.pool.stats().totals.recycles.memory, 1);
    assert.equal(t.factory.workers[0].closed, true);
    await shutdown(t);
  });

  it('release() discards a worker that died while leased', async () => {
    const t = makePool();
    await turn(t.pool, 'a');
    const lease = await t.pool.acquire(request('a'));
    t.factory.workers[0].die();
    lease.release();
    assert.equal(t.factory.workers[0].closed, true);
    assert.equal(t.pool.stats().totals.replacements, 1);
    const next = await turn(t.pool, 'a');
    assert.notEqual(next.workerId, 'w1');
    await shutdown(t);
  });

  it('keeps minSpares spares started in the background', async () => {
    const t = makePool({ maxWorkers: 3, minSpares: 1 }, { startDelayMs: 1 });
    await nextEvent(t.pool, 'worker_started');
    const restocked = nextEvent(t.pool, 'worker_started');
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'spare');
    await restocked;
    assert.equal(t.pool.stats().workers.spare, 1);
    lease.release();
    await shutdown(t);
  });

  it('acquire() fails with WorkerStartError after repeated start failures instead of hanging', async () => {
    const t = makePool({ startBackoffBaseMs: 2, startBackoffMaxMs: 8 }, { failStart: true });
    await assert.rejects(t.pool.acquire(request('a')), (error: unknown) => {
      assert.ok(error instanceof WorkerStartError);
      assert.equal(error.code, 'POOL_WORKER_START_FAILED');
      assert.match((error.cause as Error).message, /fake start 3 failed/);
      return true;
    });
    assert.equal(t.factory.startCalls, 3);
    const attempts = t.events.filter((e) => e.type === 'worker_start_failed').map((e) => e.attempt);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(t.pool.stats().waiting, 0);
    await shutdown(t);
  });

  it('acquire() is served once a start succeeds after failures', async () => {
    const t = makePool({ startBackoffBaseMs: 1, startBackoffMaxMs: 4 }, { failStart: (s) => s.attempt <= 2 });
    const result = await turn(t.pool, 'a');
    assert.equal(result.placement, 'cold');
    assert.equal(t.pool.stats().totals.startFailures, 2);
    await shutdown(t);
  });

  it('run() on a worker whose start failed in the background throws WorkerStartError and counts a failed start, and starts back off', async () => {
    const t = makePool(
      { startBackoffBaseMs: 60_000, startBackoffMaxMs: 60_000 },
      { failStartInBackground: (s) => s.attempt === 1 },
    );
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'cold');
    await assert.rejects(
      (async () => {
        for await (const _ of lease.run('hello')) assert.fail('no event from a worker that never started');
      })(),
      (error: unknown) => {
        assert.ok(error instanceof WorkerStartError);
        assert.ok(error.cause instanceof BackgroundStartError);
        assert.match(error.message, /could not start/);
        return true;
      },
    );
    assert.equal(t.pool.stats().totals.startFailures, 1);
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_start_failed').map((e) => e.attempt),
      [1],
    );
    // Backing off: the next turn waits instead of starting another worker at once.
    const waiting = t.pool.acquire(request('a'));
    await flush();
    assert.equal(t.factory.startCalls, 1);
    assert.equal(t.pool.stats().waiting, 1);
    await t.pool.destroy();
    await assert.rejects(waiting);
  });

  it('acquire() tells waiting turns once starts keep failing in the background: a start() that resolved is no success yet', async () => {
    const t = makePool({ maxWorkers: 1, startBackoffBaseMs: 2, startBackoffMaxMs: 8 }, { failStartInBackground: true });
    for (let i = 1; i <= 2; i++) {
      const lease = await t.pool.acquire(request('a'));
      await assert.rejects(
        (async () => {
          for await (const _ of lease.run('hello')) assert.fail('no event');
        })(),
        WorkerStartError,
      );
    }
    const third = await t.pool.acquire(request('a'));
    const waiting = t.pool.acquire(request('b'));
    await assert.rejects(
      (async () => {
        for await (const _ of third.run('hello')) assert.fail('no event');
      })(),
      WorkerStartError,
    );
    // Three failures in a row (the counter was not reset by the starts that resolved): waiting turns are told.
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof WorkerStartError);
      assert.match(String(error.message), /start/);
      return true;
    });
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_start_failed').map((e) => e.attempt),
      [1, 2, 3],
    );
    await shutdown(t);
  });

  it('warm turns ending between failed starts do not reset the failures in a row: waiting turns are still told', async () => {
    const t = makePool({ startBackoffBaseMs: 2, startBackoffMaxMs: 8 }, { failStart: (s) => s.attempt >= 2 });
    await turn(t.pool, 'a'); // the one start that succeeds: a's worker, warm from now on
    const waiting = t.pool.acquire(request('b'));
    let told: unknown;
    waiting.catch((error: unknown) => {
      told = error;
    });
    // After each failed start for b, one warm turn of a ends (a lease that is not a cold start).
    for (let failures = 0; failures < 3 && told === undefined; failures++) {
      await nextEvent(t.pool, 'worker_start_failed');
      assert.equal((await turn(t.pool, 'a')).placement, 'warm');
    }
    await assert.rejects(waiting, WorkerStartError);
    assert.deepEqual(
      t.events.filter((e) => e.type === 'worker_start_failed').map((e) => e.attempt),
      [1, 2, 3],
    );
    await shutdown(t);
  });

  it('bounds a start by startTimeoutMs and aborts its signal', async () => {
    const t = makePool({ startTimeoutMs: 15, startBackoffBaseMs: 1000, startBackoffMaxMs: 1000 }, { hangStart: true });
    const failed = nextEvent(t.pool, 'worker_start_failed');
    const waiting = t.pool.acquire(request('a'));
    const event = await failed;
    assert.ok(event.error instanceof StartTimeoutError);
    assert.equal(t.factory.startFailures, 1, 'the factory saw its signal abort');
    await t.pool.destroy();
    await assert.rejects(waiting);
    assert.equal(t.factory.alive, 0);
  });
});

describe('AgentPool dead idle workers', () => {
  it('acquire() replaces an idle worker that died instead of leasing it', async () => {
    const t = makePool();
    await turn(t.pool, 'a');
    t.factory.workers[0].die();
    const next = await turn(t.pool, 'a');
    assert.equal(next.placement, 'cold');
    assert.notEqual(next.workerId, 'w1');
    assert.equal(t.pool.stats().totals.replacements, 1);
    assert.equal(t.pool.stats().totals.crashes, 0);
    await shutdown(t);
  });
});
