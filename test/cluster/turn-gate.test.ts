/**
 * The turn gate and the fenced transcript mirror against a real redis-server:
 * what the HTTP layer and the Claude engine rely on with several nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionKey } from '@anthropic-ai/claude-agent-sdk';
import { ConversationLeases, leaseKey, ReleaseNotices } from '../../src/cluster/conversation-lease.ts';
import { openRedis, type RedisConnections } from '../../src/cluster/redis.ts';
import { SharedConversations } from '../../src/cluster/shared-conversations.ts';
import {
  ClusterUnavailableError,
  ConversationBusyError,
  ConversationWaitTimeoutError,
  LeaseTurnGate,
} from '../../src/cluster/turn-gate.ts';
import { createLogger } from '../../src/logger.ts';
import { guardedRedisStore, RedisSessionStore } from '../../src/sessions/redis-store.ts';
import { StoreUnavailableError } from '../../src/sessions/types.ts';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../support/redis-server.ts';

const skip = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install redis-server)';
const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the turn gate and the transcript mirror on Redis', { skip }, () => {
  let server: TestRedis;
  const opened: RedisConnections[] = [];
  const gates: LeaseTurnGate[] = [];

  async function node(name: string, ttlMs = 600) {
    const redis = await openRedis(server.url, { logger, node: name });
    opened.push(redis);
    const leases = new ConversationLeases(redis.command, { node: name, ttlMs });
    const notices = new ReleaseNotices(redis.subscriber);
    await notices.start();
    const gate = new LeaseTurnGate(leases, notices, logger);
    gates.push(gate);
    return {
      redis,
      gate,
      conversations: new SharedConversations({ redis: redis.command, retentionMs: 60_000, logger }),
    };
  }

  before(async () => {
    server = await startTestRedis();
  });
  after(async () => {
    for (const gate of gates) await gate.close().catch(() => {});
    for (const redis of opened) await redis.close();
    await server?.close();
  });

  test('reject: a busy conversation is a ConversationBusyError at once; enqueue: it waits, then runs after the release', async () => {
    const a = await node('a');
    const b = await node('b');
    const first = await a.gate.enter('g1', { policy: 'enqueue', waitMs: 1000, requestId: 'r1' });
    await assert.rejects(
      b.gate.enter('g1', { policy: 'reject', waitMs: 1000, requestId: 'r2' }),
      (error: unknown) => error instanceof ConversationBusyError && error.retryAfterS >= 1,
    );
    const started = performance.now();
    const waiting = b.gate.enter('g1', { policy: 'enqueue', waitMs: 5000, requestId: 'r3' });
    await sleep(100);
    await first.release();
    const second = await waiting;
    assert.ok(performance.now() - started < 1000, 'woken by the release notice');
    assert.equal(second.previousToken, first.token, 'the second turn knows the first came before it');
    assert.ok(BigInt(second.token) > BigInt(first.token), 'tokens only grow');
    await second.release();
  });

  test('enqueue: a wait that runs out is a ConversationWaitTimeoutError', async () => {
    const a = await node('a');
    const held = await a.gate.enter('g2', { policy: 'enqueue', waitMs: 1000, requestId: 'r1' });
    await assert.rejects(
      a.gate.enter('g2', { policy: 'enqueue', waitMs: 300, requestId: 'r2' }),
      ConversationWaitTimeoutError,
    );
    await held.release();
  });

  test('a lease taken over by another node aborts `lost` within a renewal, and the old token cannot append', async () => {
    const a = await node('a', 600);
    const b = await node('b', 600);
    const mirrorA = a.conversations.mirror('wa');
    const mirrorB = b.conversations.mirror('wb');
    const key: SessionKey = { projectKey: 'ignored', sessionId: 'cli-1' };
    const first = await a.gate.enter('g3', { policy: 'enqueue', waitMs: 1000, requestId: 'r1' });
    mirrorA.bindSession('g3');
    mirrorA.setFence(first.token);
    await mirrorA.append(key, [{ type: 'user', uuid: 'u1' }]);
    // As if a stalled past its TTL: the lease lapses, b takes the conversation.
    await a.redis.command.del(leaseKey('g3'));
    const second = await b.gate.enter('g3', { policy: 'enqueue', waitMs: 1000, requestId: 'r2' });
    await new Promise<void>((resolve) => first.lost.addEventListener('abort', () => resolve(), { once: true }));
    await assert.rejects(mirrorA.append(key, [{ type: 'assistant', uuid: 'u2' }]), /STALE_FENCE/);
    await assert.rejects(a.conversations.keepTurn('g3', first.token), /STALE_FENCE/);
    mirrorB.bindSession('g3');
    mirrorB.setFence(second.token);
    await mirrorB.append(key, [{ type: 'user', uuid: 'u3' }]);
    // A retried batch is not written twice.
    await mirrorB.append(key, [{ type: 'user', uuid: 'u3' }]);
    assert.deepEqual(
      (await mirrorB.load(key))?.map((entry) => entry.uuid),
      ['u1', 'u3'],
    );
    await first.release();
    await second.release();
  });

  test('Redis down: the gate and the session store fail within about a second, typed for a 503', async () => {
    const a = await node('a');
    const sessions = guardedRedisStore(new RedisSessionStore({ redis: a.redis.command, timeoutMs: 60_000 }));
    await sessions.create({ id: 'g4', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    await server.stop();
    try {
      for (let i = 0; i < 50 && a.redis.ready(); i++) await sleep(20);
      assert.equal(a.redis.ready(), false, 'the connection knows Redis is gone');
      let started = performance.now();
      await assert.rejects(
        a.gate.enter('g4', { policy: 'enqueue', waitMs: 30_000, requestId: 'r1' }),
        ClusterUnavailableError,
      );
      assert.ok(performance.now() - started < 1200, `gate failed in ${Math.round(performance.now() - started)} ms`);
      started = performance.now();
      await assert.rejects(sessions.get('g4'), StoreUnavailableError);
      assert.ok(performance.now() - started < 1200, `store failed in ${Math.round(performance.now() - started)} ms`);
    } finally {
      await server.start();
    }
    for (let i = 0; i < 50 && !a.redis.ready(); i++) await sleep(100);
    assert.equal((await sessions.get('g4'))?.id, 'g4', 'the record survived the restart (AOF)');
  });
});
