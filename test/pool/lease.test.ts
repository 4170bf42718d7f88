import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnAbortedError } from '../../src/pool/index.ts';
import type { FakeEvent } from '../support/fake-workers.ts';
import { makePool, nextEvent, request, shutdown } from './helpers.ts';

describe('TurnLease', () => {
  it('run() gives the worker the session, the user and a live signal', async () => {
    const t = makePool();
    const lease = await t.pool.acquire({ session: { id: 's', isNew: true }, userId: 'ada' });
    const events: FakeEvent[] = [];
    for await (const event of lease.run('hello')) events.push(event);
    assert.deepEqual(events, [{ type: 'text', text: `${lease.workerId}:hello` }, { type: 'done' }]);
    assert.deepEqual(
      t.factory.turns.map((r) => [r.sessionId, r.userId, r.input, r.end]),
      [['s', 'ada', 'hello', 'ok']],
    );
    await shutdown(t);
  });

  it('run() may be called once', async () => {
    const t = makePool();
    const lease = await t.pool.acquire(request('s'));
    for await (const _ of lease.run('one')) {
      // consume
    }
    await assert.rejects(async () => {
      for await (const _ of lease.run('two')) {
        // not reached
      }
    }, /may be called once/);
    await shutdown(t);
  });

  it('release() during run() interrupts the turn and keeps a worker that settles', async () => {
    const t = makePool({}, { holdTurns: true });
    const lease = await t.pool.acquire(request('s'));
    const running = (async () => {
      for await (const _ of lease.run('x')) {
        // held
      }
    })();
    await t.factory.untilHeld(1);
    lease.release();
    await assert.rejects(running, TurnAbortedError);
    assert.equal(t.factory.interrupts, 1);
    assert.equal(t.pool.stats().workers.idle, 1);
    await shutdown(t);
  });

  it('run() reports each outcome in turn_finished', async () => {
    const t = makePool({ turnTimeoutMs: 20 }, { crashTurn: (c) => c.input === 'crash', holdTurns: false });
    const outcomes: string[] = [];
    t.pool.onEvent((e) => {
      if (e.type === 'turn_finished') outcomes.push(e.outcome);
    });
    for (const input of ['fine', 'crash']) {
      const lease = await t.pool.acquire(request('s'));
      try {
        for await (const _ of lease.run(input)) {
          // consume
        }
      } catch {
        // the crash
      }
    }
    assert.deepEqual(outcomes, ['ok', 'crashed']);
    await shutdown(t);
  });

  it('regression: a waiting turn takes a spare that appears while its own worker is still starting', async () => {
    // Found while writing the drain tests: the turn used to wait for its own slow start.
    const t = makePool(
      { maxWorkers: 3, minSpares: 1, acquireTimeoutMs: 2_000 },
      { startDelayMs: (s) => (s.attempt === 1 ? 5 : 60_000) },
    );
    const lease = await t.pool.acquire(request('a'));
    assert.equal(lease.placement, 'spare');
    assert.equal(t.factory.starts[1].session?.id, 'a', 'a start for the session was also made');
    lease.release();
    await shutdown(t);
  });

  it('acquire() emits turn_queued and turn_acquired with the wait', async () => {
    const t = makePool({ maxWorkers: 1 });
    const busy = await t.pool.acquire(request('a'));
    const queued = nextEvent(t.pool, 'turn_queued');
    const waiting = t.pool.acquire(request('b', 'bob'));
    assert.deepEqual(await queued, { type: 'turn_queued', sessionId: 'b', userId: 'bob' });
    const acquired = nextEvent(t.pool, 'turn_acquired', (e) => e.sessionId === 'b');
    busy.release();
    const lease = await waiting;
    const event = await acquired;
    assert.equal(event.placement, 'cold');
    assert.equal(event.waitedMs, lease.waitedMs);
    lease.release();
    await shutdown(t);
  });
});

describe('AgentPool acquire() request checks', () => {
  it('acquire() refuses a request without a session id', async () => {
    const t = makePool();
    await assert.rejects(t.pool.acquire({ session: { id: '', isNew: true }, userId: 'u' }), TypeError);
    await shutdown(t);
  });
});
