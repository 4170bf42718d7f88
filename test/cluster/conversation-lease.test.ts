import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  ConversationLeases,
  fenceKey,
  LeaseUnavailableError,
  ReleaseNotices,
} from '../../src/cluster/conversation-lease.ts';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../support/redis-server.ts';

const skip = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install redis-server)';

describe('conversation leases on Redis', { skip }, () => {
  let server: TestRedis;
  let redis: Redis;
  let sub: Redis;
  let notices: ReleaseNotices;

  before(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    sub = new Redis(server.url);
    // Refused connections while the server is stopped on purpose are expected.
    redis.on('error', () => {});
    sub.on('error', () => {});
    notices = new ReleaseNotices(sub);
    await notices.start();
    // Without an offline queue, a command before the connection is up fails: wait for it.
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  after(async () => {
    redis?.disconnect();
    await notices?.close();
    await server?.close();
  });

  it('gives one holder at a time, and a newer token to each next holder', async () => {
    const n1 = new ConversationLeases(redis, { node: 'n1', ttlMs: 5000 });
    const n2 = new ConversationLeases(redis, { node: 'n2', ttlMs: 5000 });
    const first = await n1.tryAcquire('s1', 'w1');
    assert.ok(first.ok);
    const busy = await n2.tryAcquire('s1', 'w9');
    assert.equal(busy.ok, false);
    if (!busy.ok) {
      assert.equal(busy.holder, 'n1:w1');
      assert.ok(busy.retryInMs > 0 && busy.retryInMs <= 5000);
    }
    assert.equal(await n2.release('s1', 'w9', '1'), false, 'only the holder may release');
    assert.ok(await n1.release('s1', 'w1', first.token));
    const second = await n2.tryAcquire('s1', 'w9');
    assert.ok(second.ok);
    assert.ok(BigInt(second.token) > BigInt(first.token));
    assert.equal(second.previousToken, first.token, 'the next holder learns who held it last');
    await n2.release('s1', 'w9', second.token);
  });

  it('keeps tokens growing even when the clock is behind the last token', async () => {
    const leases = new ConversationLeases(redis, { node: 'n1' });
    const ahead = '9000000000000000';
    await redis.set(fenceKey('s2'), ahead);
    const attempt = await leases.tryAcquire('s2', 'w1');
    assert.ok(attempt.ok);
    assert.equal(attempt.token, '9000000000000001');
    await leases.release('s2', 'w1', attempt.token);
  });

  it('fences out a paused holder: its lease lapsed, another took over, its renewal and writes are refused', async () => {
    const n1 = new ConversationLeases(redis, { node: 'n1', ttlMs: 150 });
    const n2 = new ConversationLeases(redis, { node: 'n2', ttlMs: 5000 });
    const old = await n1.tryAcquire('s3', 'w1');
    assert.ok(old.ok);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const fresh = await n2.tryAcquire('s3', 'w2');
    assert.ok(fresh.ok);
    assert.equal(await n1.renew('s3', 'w1', old.token), false);
    assert.equal(await n1.holdsFence('s3', old.token), false);
    assert.equal(await n2.holdsFence('s3', fresh.token), true);
    assert.equal(await n1.release('s3', 'w1', old.token), false, 'a stale holder cannot free the new lease');
    assert.ok(await n2.renew('s3', 'w2', fresh.token));
    await n2.release('s3', 'w2', fresh.token);
  });

  it('wakes a waiting turn on another node as soon as the lease is released', async () => {
    const n1 = new ConversationLeases(redis, { node: 'n1', ttlMs: 10_000 });
    const n2 = new ConversationLeases(redis, { node: 'n2', ttlMs: 10_000 });
    const held = await n1.tryAcquire('s4', 'w1');
    assert.ok(held.ok);
    let got = false;
    const waiting = n2.acquire('s4', 'w2', { timeoutMs: 5000, released: notices }).then((lease) => {
      got = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(got, false, 'waits while held');
    await n1.release('s4', 'w1', held.token);
    const lease = await waiting;
    assert.ok(BigInt(lease.token) > BigInt(held.token));
    await n2.release('s4', 'w2', lease.token);
  });

  it('gives up waiting after the timeout with a clear error', async () => {
    const n1 = new ConversationLeases(redis, { node: 'n1', ttlMs: 10_000 });
    const held = await n1.tryAcquire('s5', 'w1');
    assert.ok(held.ok);
    await assert.rejects(n1.acquire('s5', 'w2', { timeoutMs: 300, released: notices }), (error: unknown) => {
      return error instanceof LeaseUnavailableError && /busy on n1:w1/.test(error.message);
    });
    await n1.release('s5', 'w1', held.token);
  });

  it('fails fast, not hanging, while Redis is down; works again once it is back, fence intact', async () => {
    const leases = new ConversationLeases(redis, { node: 'n1', commandTimeoutMs: 500 });
    const before = await leases.tryAcquire('s6', 'w1');
    assert.ok(before.ok);
    await leases.release('s6', 'w1', before.token);
    // AOF flushes every second: give it that second before stopping.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.stop();
    const started = Date.now();
    await assert.rejects(leases.tryAcquire('s6', 'w1'), LeaseUnavailableError);
    assert.ok(Date.now() - started < 1500, `failed within ${Date.now() - started} ms`);
    await server.start();
    const deadline = Date.now() + 5000;
    let after: Awaited<ReturnType<ConversationLeases['tryAcquire']>> | undefined;
    while (Date.now() < deadline) {
      try {
        after = await leases.tryAcquire('s6', 'w1');
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.ok(after?.ok, 'acquires again after the restart');
    assert.ok(BigInt(after.token) > BigInt(before.token), 'the fence survived the restart (AOF)');
  });
});
