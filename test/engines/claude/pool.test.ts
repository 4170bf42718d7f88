import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent, TurnInput } from '../../../src/engines/types.ts';
import { AgentPool, TurnAbortedError, TurnTimeoutError, WorkerCrashedError } from '../../../src/pool/index.ts';
import { createHarness, type Harness, processExists, textOf } from './harness.ts';

type Pool = AgentPool<TurnInput, AgentEvent>;

async function turn(pool: Pool, sessionId: string, isNew: boolean, message: string): Promise<AgentEvent[]> {
  const lease = await pool.acquire({ session: { id: sessionId, isNew }, userId: `user-${sessionId}` });
  const events: AgentEvent[] = [];
  try {
    for await (const event of lease.run({ message })) events.push(event);
  } finally {
    lease.release();
  }
  return events;
}

/** Resolves once `ready()` holds, checking now and just after every pool event (the pool emits before it files the worker). */
function until(pool: Pool, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) return resolve();
    const off = pool.onEvent(() => {
      setImmediate(() => {
        if (ready()) {
          off();
          resolve();
        }
      });
    });
  });
}

describe('AgentPool with Claude workers (real CLI against the model stub)', { timeout: 180_000 }, () => {
  let h: Harness;
  let pool: Pool;
  const seenPids = new Set<number>();
  const notePids = () => {
    for (const pid of h.engine.stats().pids) seenPids.add(pid);
  };

  before(async () => {
    h = await createHarness();
    pool = new AgentPool(h.engine.factory('employee'), {
      ...h.config.pools.employee,
      name: 'employee',
      maxWorkers: 2,
      minSpares: 1,
      maxTurnsPerUser: 2,
    });
  });
  after(async () => {
    await pool.destroy();
    await h.cleanup();
  });

  it('acquire: two turns sent at once to one session both complete, in order, and the second sees the first', async () => {
    const session = randomUUID();
    const [first, second] = await Promise.all([
      turn(pool, session, true, 'first question'),
      turn(pool, session, false, 'second question'),
    ]);
    notePids();
    assert.match(textOf(first), /user turn 1: first question/);
    assert.match(textOf(second), /user turn 2: second question/);
    const last = h.stub.requests.at(-1);
    assert.deepEqual(last?.userTexts.slice(-2), ['first question', 'second question']);
  });

  it('acquire: turns of different sessions run in parallel on different workers', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const from = h.stub.requests.length;
    h.stub.setScript(() => ({ gate }));
    const both = Promise.all([turn(pool, randomUUID(), true, 'alpha'), turn(pool, randomUUID(), true, 'beta')]);
    // Both requests reach the model while neither has been answered.
    await h.stub.waitForRequests(from + 2);
    notePids();
    open();
    h.stub.setScript(undefined);
    const [alpha, beta] = await both;
    assert.match(textOf(alpha), /alpha/);
    assert.match(textOf(beta), /beta/);
  });

  it('lease.run: SIGKILL of a worker mid-turn fails the turn fast, the pool recovers, the session resumes with history', async () => {
    const session = randomUUID();
    await turn(pool, session, true, 'remember me');
    const lease = await pool.acquire({ session: { id: session, isNew: false }, userId: 'killer' });
    const pid = h.engine.stats().workers.find((w) => w.id === lease.workerId)?.pid;
    assert.ok(pid);
    seenPids.add(pid);
    h.stub.enqueue({ text: 'dying', hang: true });
    await assert.rejects(async () => {
      for await (const event of lease.run({ message: 'in flight' })) {
        if (event.type === 'text') process.kill(pid, 'SIGKILL');
      }
    }, WorkerCrashedError);
    lease.release();
    // Back to full strength: a replacement started and nothing is starting any more.
    await until(pool, () => {
      const { workers } = pool.stats();
      return workers.total === 2 && workers.starting === 0;
    });
    notePids();
    assert.equal(pool.stats().totals.crashes, 1);

    const after = await turn(pool, session, false, 'still remember?');
    notePids();
    assert.equal(after.at(-1)?.type, 'done');
    assert.ok(h.stub.requests.at(-1)?.userTexts.includes('remember me'), 'history restored after the crash');
  });

  it('lease.run: a 401 from the model API is an error event and the pool keeps its worker', async () => {
    const session = randomUUID();
    await turn(pool, session, true, 'hello');
    const before = pool.stats();
    h.stub.setScript(() => ({ status: 401, errorMessage: 'invalid x-api-key' }));
    const events = await turn(pool, session, false, 'again');
    h.stub.setScript(undefined);
    notePids();
    const last = events.at(-1);
    assert.ok(last?.type === 'error' && last.message.length > 0, JSON.stringify(events));
    const after = pool.stats();
    assert.equal(after.workers.busy, 0);
    assert.equal(after.workers.total, before.workers.total, 'no worker lost or leaked');
    assert.equal(after.totals.crashes, before.totals.crashes);
    const recovered = await turn(pool, session, false, 'and now');
    assert.equal(recovered.at(-1)?.type, 'done');
    assert.equal(pool.stats().totals.warmHits, before.totals.warmHits + 2, 'both turns ran warm on the same worker');
  });

  it('drain: closes every worker and leaves no CLI process behind', async () => {
    notePids();
    assert.ok(seenPids.size >= 2);
    await pool.drain(5_000);
    await h.engine.close();
    assert.deepEqual(h.engine.stats().pids, []);
    for (const pid of seenPids) assert.equal(processExists(pid), false, `CLI process ${pid} is gone`);
  });
});

describe('AgentPool with Claude workers: turn timeout', { timeout: 180_000 }, () => {
  let h: Harness;
  let pool: Pool;

  before(async () => {
    h = await createHarness();
    pool = new AgentPool(h.engine.factory('employee'), {
      ...h.config.pools.employee,
      name: 'employee',
      maxWorkers: 1,
      minSpares: 0,
      turnTimeoutMs: 1_500,
      abortGraceMs: 500,
    });
  });
  after(async () => {
    await pool.destroy();
    await h.cleanup();
  });

  it('lease.run: a turn past turnTimeoutMs fails with TurnTimeoutError and its CLI process is killed', async () => {
    const session = randomUUID();
    const lease = await pool.acquire({ session: { id: session, isNew: true }, userId: 'slow' });
    h.stub.enqueue({ text: 'thinking', hang: true });
    let pid: number | undefined;
    await assert.rejects(async () => {
      for await (const event of lease.run({ message: 'take your time' })) {
        if (event.type === 'session') pid = h.engine.stats().workers.find((w) => w.id === lease.workerId)?.pid;
      }
    }, TurnTimeoutError);
    lease.release();
    assert.ok(pid);
    await pool.drain(2_000);
    await h.engine.close();
    assert.equal(processExists(pid), false);
  });
});

describe('AgentPool with Claude workers: every counter after one of each event', { timeout: 180_000 }, () => {
  let h: Harness;
  let pool: Pool;

  before(async () => {
    h = await createHarness();
    // No spares: every start is for a turn, so what was started is known.
    pool = new AgentPool(h.engine.factory('employee'), {
      ...h.config.pools.employee,
      name: 'employee',
      maxWorkers: 2,
      minSpares: 0,
    });
  });
  after(async () => {
    await pool.destroy();
    await h.cleanup();
  });

  it('stats: one completed turn, one caller abort, one crash and one resume fallback are each counted once', async () => {
    const session = randomUUID();
    // 1. A turn completes (a cold start: no spares).
    assert.equal((await turn(pool, session, true, 'hello')).at(-1)?.type, 'done');

    // 2. The caller goes away mid-turn (what a client disconnect does), once.
    h.stub.enqueue({ text: 'a long answer', hang: true });
    const caller = new AbortController();
    const aborted = await pool.acquire({ session: { id: session, isNew: false }, userId: 'u', signal: caller.signal });
    await assert.rejects(async () => {
      for await (const event of aborted.run({ message: 'slow' })) if (event.type === 'text') caller.abort();
    }, TurnAbortedError);
    aborted.release();

    // 3. The worker crashes mid-turn.
    h.stub.enqueue({ text: 'dying', hang: true });
    const crashing = await pool.acquire({ session: { id: session, isNew: false }, userId: 'u' });
    const pid = h.engine.stats().workers.find((w) => w.id === crashing.workerId)?.pid;
    assert.ok(pid);
    await assert.rejects(async () => {
      for await (const event of crashing.run({ message: 'in flight' })) {
        if (event.type === 'text') process.kill(pid, 'SIGKILL');
      }
    }, WorkerCrashedError);
    crashing.release();

    // 4. A session whose conversation is gone: the engine starts over, the pool sees a completed turn.
    const fallbacksBefore = h.engine.stats().resumeFallbacks;
    const fallback = await turn(pool, randomUUID(), false, 'remember?');
    assert.ok(fallback[0]?.type === 'session' && fallback[0].resumed === false, JSON.stringify(fallback[0]));
    assert.equal(fallback.at(-1)?.type, 'done');
    assert.equal(h.engine.stats().resumeFallbacks, fallbacksBefore + 1);

    await until(pool, () => pool.stats().workers.closing === 0 && pool.stats().workers.starting === 0);
    const stats = pool.stats();
    assert.deepEqual(stats.totals, {
      turns: 4,
      warmHits: 2,
      protectedWarmHits: 0,
      spareHits: 0,
      coldStarts: 2,
      starts: 2,
      startFailures: 0,
      replacements: 1,
      timeouts: 0,
      rejections: { saturated: 0, sessionBusy: 0, draining: 0 },
      aborts: 1,
      evictions: 0,
      crashes: 1,
      turnTimeouts: 0,
      recycles: { idle_ttl: 0, max_turns: 0, max_lifetime: 0, memory: 0 },
    });
    assert.equal(stats.acquireWaitMs.count, 4);
    assert.equal(stats.startTimeMs.count, 2);
    assert.deepEqual(
      { ...stats.workers },
      { starting: 0, spare: 0, idle: 1, busy: 0, closing: 0, total: 1 },
      'the crashed worker is gone, the other one idles',
    );
  });
});
