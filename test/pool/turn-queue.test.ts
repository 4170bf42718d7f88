/**
 * TurnQueue and PendingTurn on their own: which waiting turns are ready, in
 * what order, and what a turn that leaves takes with it. Mock timers stand in
 * for the acquire timeout, so no assertion waits on a clock.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import {
  PendingTurn,
  type PendingTurnHooks,
  SESSIONS_KEPT_BEFORE_SWEEP,
  TurnQueue,
} from '../../src/pool/turn-queue.ts';
import { request } from './helpers.ts';

const TIMEOUT_MS = 1_000;

interface Hooks extends PendingTurnHooks {
  readonly aborted: PendingTurn[];
  readonly timedOut: PendingTurn[];
}

function hooks(): Hooks {
  const aborted: PendingTurn[] = [];
  const timedOut: PendingTurn[] = [];
  return { aborted, timedOut, onAbort: (turn) => aborted.push(turn), onTimeout: (turn) => timedOut.push(turn) };
}

describe('TurnQueue leased sessions', () => {
  it('a session whose turn ended is free and not counted, and is swept once enough are kept', () => {
    const queue = new TurnQueue();
    queue.lease('held');
    queue.lease('held'); // idempotent
    for (let i = 1; i < SESSIONS_KEPT_BEFORE_SWEEP; i++) {
      queue.lease(`s${i}`);
      queue.unlease(`s${i}`);
      queue.unlease(`s${i}`); // idempotent
    }
    assert.equal(queue.isLeased('held'), true);
    assert.equal(queue.isLeased('s1'), false);
    assert.equal(queue.isSessionBusy('s1'), false);
    assert.deepEqual(queue.sessionStats(), { sessions: 1, queuedTurns: 0 });
    assert.equal(queue.leasedKept, SESSIONS_KEPT_BEFORE_SWEEP, 'ended ones kept up to the bound');
    queue.lease('newcomer');
    assert.equal(queue.leasedKept, 2, 'swept');
    assert.deepEqual(queue.sessionStats(), { sessions: 2, queuedTurns: 0 });
    queue.unlease('held');
    assert.deepEqual(queue.sessionStats(), { sessions: 1, queuedTurns: 0 });
    queue.lease('held');
    assert.equal(queue.isLeased('held'), true);
  });

  it('a session kept at the bound leased again is no new entry and sweeps nothing', () => {
    const queue = new TurnQueue();
    for (let i = 0; i < SESSIONS_KEPT_BEFORE_SWEEP; i++) {
      queue.lease(`s${i}`);
      queue.unlease(`s${i}`);
    }
    queue.lease('s0');
    assert.equal(queue.leasedKept, SESSIONS_KEPT_BEFORE_SWEEP);
    assert.equal(queue.isLeased('s0'), true);
    assert.deepEqual(queue.sessionStats(), { sessions: 1, queuedTurns: 0 });
  });

  it('does not sweep on every new session when most sessions are leased', () => {
    const queue = new TurnQueue();
    const n = SESSIONS_KEPT_BEFORE_SWEEP * 3;
    for (let i = 0; i < n; i++) queue.lease(`s${i}`);
    assert.equal(queue.leasedKept, n);
    assert.deepEqual(queue.sessionStats(), { sessions: n, queuedTurns: 0 });
    for (let i = 0; i < n; i++) queue.unlease(`s${i}`);
    // The bound grew with the leased sessions: the next sweep is due past 2 x 8192 entries.
    for (let i = 0; i < SESSIONS_KEPT_BEFORE_SWEEP; i++) queue.lease(`t${i}`);
    assert.equal(queue.leasedKept, n + SESSIONS_KEPT_BEFORE_SWEEP);
  });
});

describe('TurnQueue', () => {
  let seq = 0;
  const made: PendingTurn[] = [];
  function pending(sessionId: string, userId = `user-of-${sessionId}`): PendingTurn {
    const turn = new PendingTurn(request(sessionId, userId), ++seq, 0, TIMEOUT_MS, hooks());
    turn.promise.catch(() => {});
    made.push(turn);
    return turn;
  }
  afterEach(() => {
    for (const turn of made.splice(0)) turn.fulfil(undefined);
  });

  it('add() makes only the first turn of a free session ready; size and waitingOf() count every turn', () => {
    const queue = new TurnQueue();
    const [a1, a2, b1] = [pending('a', 'u1'), pending('a', 'u1'), pending('b', 'u2')];
    for (const turn of [a1, a2, b1]) queue.add(turn);
    assert.deepEqual(queue.ready, [a1, b1]);
    assert.equal(queue.size, 3);
    assert.equal(queue.waitingOf('u1'), 2);
    assert.equal(queue.waitingOf('u2'), 1);
    assert.equal(queue.headOf('a'), a1);
    assert.deepEqual(queue.all(), [a1, a2, b1]);
  });

  it('takeReady() then lease(): the session stays busy and its next turn waits until unlease()', () => {
    const queue = new TurnQueue();
    const [a1, a2, b1] = [pending('a'), pending('a'), pending('b')];
    for (const turn of [a1, a2, b1]) queue.add(turn);
    assert.equal(queue.takeReady(0), a1);
    queue.lease('a');
    assert.deepEqual(queue.ready, [b1]);
    assert.equal(queue.isLeased('a'), true);
    assert.equal(queue.isSessionBusy('a'), true);
    assert.equal(queue.headOf('a'), a2);
    assert.deepEqual(queue.sessionStats(), { sessions: 2, queuedTurns: 2 });
    const c1 = pending('c');
    queue.add(c1);
    queue.unlease('a');
    assert.deepEqual(queue.ready, [a2, b1, c1], 'the older turn goes ahead of younger ready ones');
    assert.equal(queue.isLeased('a'), false);
  });

  it('a session with nothing waiting and nothing leased is not busy; one leased holds its new turns back', () => {
    const queue = new TurnQueue();
    const a1 = pending('a');
    queue.add(a1);
    queue.takeReady(0);
    assert.equal(queue.hasWaiting('a'), false);
    assert.equal(queue.isSessionBusy('a'), false);
    assert.equal(queue.waitingOf('user-of-a'), 0);
    assert.deepEqual(queue.sessionStats(), { sessions: 0, queuedTurns: 0 });
    queue.lease('a');
    assert.equal(queue.isSessionBusy('a'), true);
    assert.deepEqual(queue.sessionStats(), { sessions: 1, queuedTurns: 0 });
    const a2 = pending('a');
    queue.add(a2);
    assert.deepEqual(queue.ready, [], 'a turn arriving while its session is leased waits behind it');
    assert.deepEqual(queue.sessionStats(), { sessions: 1, queuedTurns: 1 });
  });

  it('remove() of a free session head makes its next turn ready in arrival order', () => {
    const queue = new TurnQueue();
    const [a1, b1, a2, c1] = [pending('a'), pending('b'), pending('a'), pending('c')];
    for (const turn of [a1, b1, a2, c1]) queue.add(turn);
    queue.remove(a1);
    assert.deepEqual(queue.ready, [b1, a2, c1]);
    assert.equal(queue.size, 3);
    assert.equal(queue.waitingOf('user-of-a'), 1);
  });

  it('remove() of a turn behind its session, or behind a leased one, makes nothing ready', () => {
    const queue = new TurnQueue();
    const [a1, a2, a3, b1] = [pending('a'), pending('a'), pending('a'), pending('b')];
    for (const turn of [a1, a2, a3, b1]) queue.add(turn);
    queue.remove(a2);
    assert.deepEqual(queue.ready, [a1, b1]);
    assert.deepEqual(queue.all(), [a1, a3, b1]);
    queue.takeReady(0);
    queue.lease('a');
    queue.remove(a3);
    assert.deepEqual(queue.ready, [b1]);
    assert.equal(queue.hasWaiting('a'), false);
    assert.deepEqual(queue.sessionStats(), { sessions: 2, queuedTurns: 1 });
  });

  it('remove() of a turn no longer queued changes nothing', () => {
    const queue = new TurnQueue();
    const [a1, a2] = [pending('a', 'u'), pending('a', 'u')];
    queue.add(a1);
    queue.add(a2);
    queue.remove(a1);
    queue.remove(a1);
    assert.equal(queue.size, 1);
    assert.equal(queue.waitingOf('u'), 1);
    assert.deepEqual(queue.ready, [a2]);
    queue.remove(a2);
    queue.remove(a2); // its session has no queue left
    assert.equal(queue.size, 0);
    assert.deepEqual(queue.ready, []);
  });
});

describe('PendingTurn', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('tells its hooks when the acquire timeout elapses, and not before', () => {
    const h = hooks();
    const turn = new PendingTurn(request('a'), 1, 0, TIMEOUT_MS, h);
    mock.timers.tick(TIMEOUT_MS - 1);
    assert.deepEqual(h.timedOut, []);
    mock.timers.tick(1);
    assert.deepEqual(h.timedOut, [turn]);
    turn.fulfil(undefined);
  });

  it('tells its hooks when the caller aborts while it waits', () => {
    const h = hooks();
    const controller = new AbortController();
    const turn = new PendingTurn(request('a', 'u', controller.signal), 1, 0, TIMEOUT_MS, h);
    controller.abort();
    assert.deepEqual(h.aborted, [turn]);
    turn.fulfil(undefined);
  });

  it('fulfil() settles once: no timeout or abort reaches the hooks afterwards, a later fail() is ignored', async () => {
    const h = hooks();
    const controller = new AbortController();
    const turn = new PendingTurn(request('a', 'u', controller.signal), 1, 0, TIMEOUT_MS, h);
    turn.fulfil('worker');
    turn.fail(new Error('too late'));
    controller.abort();
    mock.timers.tick(TIMEOUT_MS);
    assert.equal(await turn.promise, 'worker');
    assert.equal(turn.settled, true);
    assert.deepEqual(h.aborted, []);
    assert.deepEqual(h.timedOut, []);
  });

  it('fail() rejects with the error given and clears the timer', async () => {
    const h = hooks();
    const turn = new PendingTurn(request('a'), 1, 0, TIMEOUT_MS, h);
    const error = new Error('refused');
    turn.fail(error);
    await assert.rejects(turn.promise, error);
    mock.timers.tick(TIMEOUT_MS);
    assert.deepEqual(h.timedOut, []);
  });
});
