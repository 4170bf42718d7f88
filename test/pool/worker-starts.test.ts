/**
 * Worker starts as the factory sees them and as the pool reports them: the
 * options a spare's start gets, a start that throws at once, a start that
 * times out (one failure, its error), a worker that arrives after its start
 * gave up (closed, never used), the signal a drain aborts with, and when the
 * count of failures in a row starts over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentPool } from '../../src/pool/index.ts';
import type { PoolEvent } from '../../src/pool/types.ts';
import type { PoolWorker, StartOptions, WorkerFactory } from '../../src/pool/worker.ts';
import { StartTimeoutError } from '../../src/pool/worker-starts.ts';
import { makePool, nextEvent, request, shutdown, TEST_OPTIONS, turn } from './helpers.ts';

class PlainWorker implements PoolWorker<string, string> {
  readonly id: string;
  closed = false;
  readonly readyAfterMs?: () => number | undefined;
  constructor(id: string, readyAfterMs?: number) {
    this.id = id;
    if (readyAfterMs !== undefined) this.readyAfterMs = () => readyAfterMs;
  }
  async *runTurn(): AsyncGenerator<string, void, undefined> {
    yield 'ok';
  }
  interrupt(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  isAlive(): boolean {
    return !this.closed;
  }
  memoryBytes(): number | undefined {
    return undefined;
  }
}

/** A factory scripted per start: what each `start()` call does. */
class ScriptedFactory implements WorkerFactory<string, string> {
  readonly calls: StartOptions[] = [];
  readonly workers: PlainWorker[] = [];
  readonly #script: (attempt: number, options: StartOptions) => Promise<PlainWorker> | PlainWorker;
  constructor(script: (attempt: number, options: StartOptions) => Promise<PlainWorker> | PlainWorker) {
    this.#script = script;
  }
  start(options: StartOptions): Promise<PlainWorker> {
    this.calls.push(options);
    const result = this.#script(this.calls.length, options);
    return Promise.resolve(result).then((worker) => {
      this.workers.push(worker);
      return worker;
    });
  }
}

/** The next event of the type from a pool on a scripted factory (nextEvent is typed for the fake's). */
function eventOf<T extends PoolEvent['type']>(
  pool: { onEvent(listener: (event: PoolEvent) => void): () => void },
  type: T,
): Promise<Extract<PoolEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    // Referenced, unlike the pool's back-off timers: the wait holds the process open.
    const guard = setTimeout(() => reject(new Error(`no ${type} event`)), 10_000);
    const off = pool.onEvent((event) => {
      if (event.type !== type) return;
      off();
      clearTimeout(guard);
      resolve(event as Extract<PoolEvent, { type: T }>);
    });
  });
}

function failures(events: PoolEvent[]): Array<Extract<PoolEvent, { type: 'worker_start_failed' }>> {
  return events.filter(
    (e): e is Extract<PoolEvent, { type: 'worker_start_failed' }> => e.type === 'worker_start_failed',
  );
}

describe('worker starts', () => {
  it("a spare's start gets no session key; a session's start gets its session", async () => {
    const factory = new ScriptedFactory((n) => new PlainWorker(`p${n}`));
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, minSpares: 1 });
    const lease = await pool.acquire({ session: { id: 'a', isNew: false }, userId: 'u' });
    lease.release();
    await sleep(5);
    assert.ok(
      factory.calls.some((call) => !('session' in call)),
      'a spare start',
    );
    assert.ok(
      factory.calls.some((call) => call.session?.id === 'a'),
      "a's start",
    );
    await pool.destroy();
  });

  it('a start() that throws at once is a failed start, reported with its error', async () => {
    const boom = new Error('cannot spawn');
    const factory = new ScriptedFactory((n) => {
      if (n === 1) throw boom;
      return new PlainWorker(`p${n}`);
    });
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, startBackoffBaseMs: 1, startBackoffMaxMs: 2 });
    const failed = eventOf(pool, 'worker_start_failed');
    const lease = await pool.acquire({ session: { id: 'a', isNew: false }, userId: 'u' });
    const event = await failed;
    assert.equal(event.error, boom);
    assert.equal(event.attempt, 1);
    assert.equal(pool.stats().totals.startFailures, 1);
    lease.release();
    await pool.destroy();
  });

  it('a start past startTimeoutMs fails once, with a StartTimeoutError that says so', async () => {
    const t = makePool({ startTimeoutMs: 15, startBackoffBaseMs: 1000, startBackoffMaxMs: 1000 }, { hangStart: true });
    const waiting = t.pool.acquire(request('a'));
    const event = await nextEvent(t.pool, 'worker_start_failed');
    assert.ok(event.error instanceof StartTimeoutError);
    assert.equal(event.error.message, 'Worker start took longer than startTimeoutMs (15 ms)');
    assert.equal(event.error.name, 'StartTimeoutError');
    assert.equal((event.error as StartTimeoutError).code, 'POOL_START_TIMEOUT');
    await sleep(10); // the factory's own rejection (its signal aborted) comes after
    assert.equal(t.factory.startFailures, 1, 'the factory saw its signal abort');
    assert.equal(failures(t.events).length, 1);
    assert.equal(t.pool.stats().totals.startFailures, 1);
    assert.equal(t.pool.stats().workers.starting, 0);
    await t.pool.destroy();
    await assert.rejects(waiting);
  });

  it('a worker that arrives after its start timed out is closed and never used', async () => {
    const factory = new ScriptedFactory(async (n) => {
      if (n === 1) await sleep(40); // ignores its signal
      return new PlainWorker(`p${n}`);
    });
    const pool = new AgentPool(factory, {
      ...TEST_OPTIONS,
      startTimeoutMs: 10,
      startBackoffBaseMs: 1,
      startBackoffMaxMs: 2,
    });
    const lease = await pool.acquire({ session: { id: 'a', isNew: false }, userId: 'u' });
    assert.equal(lease.workerId, 'p2');
    await sleep(60);
    assert.equal(factory.workers.find((w) => w.id === 'p1')?.closed, true);
    assert.equal(pool.stats().workers.total, 1);
    lease.release();
    await pool.destroy();
  });

  it("a drain aborts a start in flight with the pool's reason, and sets no back-off", async () => {
    let signal: AbortSignal | undefined;
    const factory = new ScriptedFactory(
      (_n, options) =>
        new Promise<PlainWorker>((_resolve, reject) => {
          signal = options.signal;
          options.signal.addEventListener('abort', () => reject(new Error('start aborted')), { once: true });
        }),
    );
    const events: PoolEvent[] = [];
    const pool = new AgentPool(factory, TEST_OPTIONS);
    pool.onEvent((e) => events.push(e));
    const waiting = pool.acquire({ session: { id: 'a', isNew: false }, userId: 'u' });
    await sleep(1);
    await pool.drain(10);
    await assert.rejects(waiting);
    await sleep(1);
    assert.ok(signal !== undefined);
    assert.equal((signal.reason as Error).message, 'The pool is shutting down');
    assert.deepEqual(
      failures(events).map((e) => e.retryInMs),
      [0],
    );
  });
});

describe('failures in a row', () => {
  it('start over after a start that succeeds (a spare)', async () => {
    const t = makePool(
      { minSpares: 1, startBackoffBaseMs: 1, startBackoffMaxMs: 2 },
      { failStart: (s) => s.attempt === 1 || s.attempt === 3 },
    );
    await nextEvent(t.pool, 'worker_started');
    const lease = await t.pool.acquire({ session: { id: 'a', isNew: true }, userId: 'u' });
    assert.equal(lease.placement, 'spare');
    await nextEvent(t.pool, 'worker_started'); // the spare topped up after the second failure
    assert.deepEqual(
      failures(t.events).map((e) => e.attempt),
      [1, 1],
    );
    lease.release();
    await shutdown(t);
  });

  it('start over after a worker that reports readiness at once', async () => {
    const factory = new ScriptedFactory((n) => {
      if (n === 1 || n === 3) throw new Error(`start ${n} failed`);
      return new PlainWorker(`p${n}`, 5);
    });
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, minSpares: 1, startBackoffBaseMs: 1, startBackoffMaxMs: 2 });
    const events: PoolEvent[] = [];
    pool.onEvent((e) => events.push(e));
    await eventOf(pool, 'worker_started');
    const lease = await pool.acquire({ session: { id: 'a', isNew: true }, userId: 'u' });
    assert.equal(lease.placement, 'spare');
    await eventOf(pool, 'worker_started');
    assert.deepEqual(
      failures(events).map((e) => e.attempt),
      [1, 1],
    );
    lease.release();
    await pool.destroy();
  });

  it('start over once a worker started in the background ran its first turn', async () => {
    const t = makePool(
      { startBackoffBaseMs: 1, startBackoffMaxMs: 2 },
      { readyAfterMs: 5, failStart: (s) => s.attempt === 1 || s.attempt === 3 },
    );
    assert.equal((await turn(t.pool, 'a')).placement, 'cold'); // start 1 fails, start 2 serves a
    assert.equal((await turn(t.pool, 'b')).placement, 'cold'); // start 3 fails, start 4 serves b
    assert.deepEqual(
      failures(t.events).map((e) => e.attempt),
      [1, 1],
    );
    await shutdown(t);
  });
});
