import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { AgentEvent, TurnInput } from '../../src/engines/types.ts';
import { createPoolRegistry, type PoolRegistry } from '../../src/pool/index.ts';
import { MemorySessionStore } from '../../src/sessions/memory-store.ts';
import type { TurnRecord } from '../../src/sessions/types.ts';
import { createFakeAgentFactory, type FakeWorkerFactory } from '../support/fake-workers.ts';
import type { AgentScript } from '../support/http-fakes.ts';
import { listenLoopback, makeTestApp } from '../support/http-helpers.ts';
import { requestJson, SseClient } from '../support/http-sse-client.ts';

function realPools(env: Record<string, string>): {
  registry: PoolRegistry<TurnInput, AgentEvent>;
  employee: FakeWorkerFactory<TurnInput, AgentEvent>;
  admin: FakeWorkerFactory<TurnInput, AgentEvent>;
} {
  const settings = loadConfig({ POOL_MIN_SPARES: '0', ...env }).pools;
  const employee = createFakeAgentFactory({ holdTurns: env.HOLD === '1' });
  const admin = createFakeAgentFactory();
  return { registry: createPoolRegistry({ employee, admin }, settings), employee, admin };
}

/** A session store that tells when a turn was saved. */
class WatchedSessionStore extends MemorySessionStore {
  readonly saved: Array<{ id: string; turn: TurnRecord }> = [];
  #waiters: Array<() => void> = [];
  override async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    await super.recordTurn(id, turn);
    this.saved.push({ id, turn });
    for (const wake of this.#waiters.splice(0)) wake();
  }
  async untilSaved(count: number): Promise<void> {
    while (this.saved.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

describe('SSE streaming on a real socket', () => {
  test('GET /api/user/query sends a `:` heartbeat after the configured silence, then the rest of the turn', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const script: AgentScript = async function* (turn) {
      yield { type: 'session', sessionId: turn.session.id, isNew: true };
      await gate;
      yield { type: 'text', text: 'late answer' };
      yield { type: 'done', durationMs: 1 };
    };
    const t = await makeTestApp({ heartbeatMs: 20, poolOptions: { employee: { script } } });
    const base = await listenLoopback(t.app);
    try {
      const client = await SseClient.open(`${base}/api/user/query?message=hi`);
      assert.equal(client.statusCode, 200);
      await client.waitFor((c) => c.heartbeats >= 1);
      open();
      await client.ended;
      assert.deepEqual(
        client.events.map((e) => e.type),
        ['session', 'message', 'done'],
      );
      assert.ok(client.body.startsWith('data: {"type":"session"'));
      assert.ok(client.body.includes('\n\n:\n\n'));
    } finally {
      await t.close();
    }
  });

  test('a client disconnecting mid-turn aborts the turn, frees the worker and still saves the session', async () => {
    const pools = realPools({ EMPLOYEE_CLIENT_POOL_SIZE: '1', HOLD: '1' });
    const sessions = new WatchedSessionStore({ timeoutMs: 3_600_000 });
    const t = await makeTestApp({ pools: pools.registry, sessions, env: { AUTH_MODE: 'open' } });
    const base = await listenLoopback(t.app);
    try {
      const first = await SseClient.open(`${base}/api/user/query?message=first&user_id=alice`);
      await pools.employee.untilHeld(1);
      first.destroy();
      await sessions.untilSaved(1);
      const record = await sessions.current('alice', 'employee');
      assert.equal(record?.turns, 1);
      assert.equal(record?.title, 'first');
      assert.equal(pools.registry.get('employee').stats().workers.busy, 0);

      const second = await SseClient.open(`${base}/api/user/query?message=second&user_id=alice`);
      await pools.employee.untilHeld(1);
      pools.employee.finishTurn();
      await second.ended;
      assert.deepEqual(
        second.events.map((e) => e.type),
        ['session', 'message', 'done'],
      );
      assert.equal(second.events[0]!.session_id, record?.id);
      assert.equal(pools.employee.turns[0]!.end, 'aborted');
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('a full pool answers 503 with Retry-After and a JSON error before any stream starts', async () => {
    const pools = realPools({ EMPLOYEE_CLIENT_POOL_SIZE: '1', POOL_MAX_QUEUE: '1', HOLD: '1' });
    const t = await makeTestApp({ pools: pools.registry });
    const base = await listenLoopback(t.app);
    try {
      const first = await SseClient.open(`${base}/api/user/query?message=one`);
      await pools.employee.untilHeld(1);
      const queued = SseClient.open(`${base}/api/user/query?message=two`);
      await new Promise<void>((resolve) => {
        const off = pools.registry.get('employee').onEvent((event) => {
          if (event.type === 'turn_queued') {
            off();
            resolve();
          }
        });
      });
      const refused = await requestJson(`${base}/api/user/query?message=three`);
      assert.equal(refused.statusCode, 503);
      assert.match(String(refused.headers['retry-after']), /^\d+$/);
      assert.match(String(refused.headers['content-type']), /application\/json/);
      const body = refused.json as { error: { code: string; message: string }; detail: string };
      assert.equal(body.error.code, 'POOL_SATURATED');
      assert.ok(body.detail.length > 0);
      pools.employee.finishTurn();
      await first.ended;
      await pools.employee.untilHeld(1);
      pools.employee.finishTurn();
      await (await queued).ended;
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('a turn that waits past CLIENT_POOL_MAX_WAIT gets 503 POOL_ACQUIRE_TIMEOUT with Retry-After', async () => {
    const pools = realPools({ EMPLOYEE_CLIENT_POOL_SIZE: '1', CLIENT_POOL_MAX_WAIT: '0.05', HOLD: '1' });
    const t = await makeTestApp({ pools: pools.registry });
    const base = await listenLoopback(t.app);
    try {
      const first = await SseClient.open(`${base}/api/user/query?message=one`);
      await pools.employee.untilHeld(1);
      const refused = await requestJson(`${base}/api/user/query?message=two`);
      assert.equal(refused.statusCode, 503);
      assert.ok(refused.headers['retry-after']);
      assert.equal((refused.json as { error: { code: string } }).error.code, 'POOL_ACQUIRE_TIMEOUT');
      pools.employee.finishTurn();
      await first.ended;
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('a second turn on a busy session gets 409 with the reject policy', async () => {
    const pools = realPools({ POOL_SESSION_POLICY: 'reject', HOLD: '1' });
    const t = await makeTestApp({ pools: pools.registry, env: { AUTH_MODE: 'open' } });
    const base = await listenLoopback(t.app);
    try {
      const first = await SseClient.open(`${base}/api/user/query?message=one&user_id=bob`);
      await pools.employee.untilHeld(1);
      const refused = await requestJson(`${base}/api/user/query?message=two&user_id=bob`);
      assert.equal(refused.statusCode, 409);
      assert.equal((refused.json as { error: { code: string } }).error.code, 'POOL_SESSION_BUSY');
      pools.employee.finishTurn();
      await first.ended;
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('two tabs on one session get their turns in order, each with its own answer', async () => {
    const pools = realPools({ EMPLOYEE_CLIENT_POOL_SIZE: '2', HOLD: '1' });
    const t = await makeTestApp({ pools: pools.registry, env: { AUTH_MODE: 'open' } });
    const base = await listenLoopback(t.app);
    try {
      const tabA = await SseClient.open(`${base}/api/user/query?message=from-A&user_id=carol`);
      await pools.employee.untilHeld(1);
      const tabB = SseClient.open(`${base}/api/user/query?message=from-B&user_id=carol`);
      // B waits behind A on the session, so only A's turn is held.
      assert.equal(pools.employee.heldTurns, 1);
      pools.employee.finishTurn();
      await tabA.ended;
      await pools.employee.untilHeld(1);
      pools.employee.finishTurn();
      const b = await tabB;
      await b.ended;
      const answerOf = (c: SseClient) => c.events.find((e) => e.type === 'message')?.content as string;
      assert.match(answerOf(tabA), /from-A$/);
      assert.match(answerOf(b), /from-B$/);
      assert.equal(tabA.events[0]!.session_id, b.events[0]!.session_id);
      assert.equal(pools.employee.maxInFlightPerSession, 1);
      assert.deepEqual(
        pools.employee.turns.map((r) => (r.input as TurnInput).message),
        ['from-A', 'from-B'],
      );
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('a second turn queued behind the first turn of a new session resumes it (is_new false)', async () => {
    const pools = realPools({ EMPLOYEE_CLIENT_POOL_SIZE: '2', HOLD: '1' });
    const t = await makeTestApp({ pools: pools.registry, env: { AUTH_MODE: 'open' } });
    const base = await listenLoopback(t.app);
    try {
      // Two tabs of a user with no running conversation yet: both mean the
      // one that tab A's turn creates.
      const tabA = await SseClient.open(`${base}/api/user/query?message=a&user_id=frank`);
      await pools.employee.untilHeld(1);
      const tabB = SseClient.open(`${base}/api/user/query?message=b&user_id=frank`);
      await new Promise<void>((resolve) => {
        const off = pools.registry.get('employee').onEvent((event) => {
          if (event.type === 'turn_queued') {
            off();
            resolve();
          }
        });
      });
      pools.employee.finishTurn();
      await tabA.ended;
      await pools.employee.untilHeld(1);
      pools.employee.finishTurn();
      const b = await tabB;
      await b.ended;
      assert.equal(tabA.events[0]!.is_new, true);
      assert.equal(b.events[0]!.is_new, false);
      assert.equal(b.events[0]!.session_id, tabA.events[0]!.session_id);
      assert.equal((await t.sessions.current('frank', 'employee'))?.turns, 2);
    } finally {
      await t.close();
      await pools.registry.destroy();
    }
  });

  test('while draining, new turns get 503 SERVICE_DRAINING and readiness is false', async () => {
    const t = await makeTestApp();
    try {
      t.lifecycle.markDraining();
      const res = await t.app.inject('/api/user/query?message=hi');
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'SERVICE_DRAINING');
      assert.ok(res.headers['retry-after']);
      const ready = await t.app.inject('/health/ready');
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().status, 'draining');
    } finally {
      await t.close();
    }
  });
});
