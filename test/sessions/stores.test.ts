import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { MemorySessionStore } from '../../src/sessions/memory-store.ts';
import { guardedRedisStore, RedisSessionStore } from '../../src/sessions/redis-store.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import type { SessionStore } from '../../src/sessions/types.ts';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../support/redis-server.ts';

const TIMEOUT_MS = 60_000;
const dirs: string[] = [];
let redisServer: TestRedis | undefined;
const redisClients: Redis[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const client of redisClients) client.disconnect();
  await redisServer?.close();
});

interface Clock {
  now: number;
}

const makers: Array<[string, (clock: Clock) => Promise<SessionStore>]> = [
  ['MemorySessionStore', async (clock) => new MemorySessionStore({ timeoutMs: TIMEOUT_MS, now: () => clock.now })],
  [
    'SqliteSessionStore',
    async (clock) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-sessions-'));
      dirs.push(dir);
      return new SqliteSessionStore({ file: path.join(dir, 's.sqlite'), timeoutMs: TIMEOUT_MS, now: () => clock.now });
    },
  ],
];
// The multi-node store runs the same suite against a real redis-server, when one is installed.
if (redisServerAvailable()) {
  makers.push([
    'RedisSessionStore',
    async (clock) => {
      redisServer ??= await startTestRedis();
      const redis = new Redis(redisServer.url);
      redisClients.push(redis);
      await redis.flushall();
      // As main.ts opens it with REDIS_URL: Redis failures become StoreUnavailableError.
      return guardedRedisStore(new RedisSessionStore({ redis, timeoutMs: TIMEOUT_MS, now: () => clock.now }));
    },
  ]);
} else {
  test('RedisSessionStore', { skip: 'redis-server is not installed (apt-get install redis-server)' }, () => {});
}

for (const [name, make] of makers) {
  describe(name, () => {
    test('create() then get() returns the record with zero turns and no title', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      const created = await store.create({ id: 's1', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      assert.deepEqual(await store.get('s1'), created);
      assert.equal(created.turns, 0);
      assert.equal(created.title, '');
      await store.close();
    });

    test('recordTurn() counts the turn, titles from the first question and keeps both messages in order', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 's1', role: 'employee', ownerId: 'u1', kind: 'persistent' });
      await store.recordTurn('s1', { question: '  How many\nleave days? ', answer: '25', at: 1_000_500 });
      await store.recordTurn('s1', { question: 'And sick days?', answer: '10', at: 1_000_900 });
      const record = await store.get('s1');
      assert.equal(record?.turns, 2);
      assert.equal(record?.title, 'How many leave days?');
      assert.equal(record?.lastActiveAt, 1_000_900);
      assert.deepEqual(
        (await store.messages('s1')).map((m) => [m.role, m.content]),
        [
          ['user', '  How many\nleave days? '],
          ['assistant', '25'],
          ['user', 'And sick days?'],
          ['assistant', '10'],
        ],
      );
      await store.close();
    });

    test('get() hides records idle past the timeout, and expire() archives them', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 's1', role: 'employee', ownerId: 'u1', kind: 'persistent' });
      clock.now += TIMEOUT_MS + 1;
      assert.equal(await store.get('s1'), undefined);
      assert.equal(await store.current('u1', 'employee'), undefined);
      assert.equal(await store.expire(), 1);
      await store.close();
    });

    test('current() returns the owner’s persistent conversation of that role only', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'e', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.create({ id: 'a', role: 'admin', ownerId: 'u1', kind: 'persistent' });
      await store.create({ id: 'p', role: 'employee', ownerId: 'u1', kind: 'persistent' });
      await store.create({ id: 'o', role: 'employee', ownerId: 'u2', kind: 'persistent' });
      assert.equal((await store.current('u1', 'employee'))?.id, 'p');
      assert.equal((await store.current('u1', 'admin'))?.id, 'a');
      await store.close();
    });

    test('archiveCurrent() archives the persistent conversation so the next current() is empty', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'p', role: 'employee', ownerId: 'u1', kind: 'persistent' });
      assert.equal(await store.archiveCurrent('u1', 'employee'), 1);
      assert.equal(await store.current('u1', 'employee'), undefined);
      assert.equal(await store.get('p'), undefined);
      await store.close();
    });

    test('list() returns the owner’s live sessions most recent first', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'old', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      clock.now += 10;
      await store.create({ id: 'new', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.create({ id: 'other', role: 'employee', ownerId: 'u2', kind: 'ephemeral' });
      await store.archive('gone');
      assert.deepEqual(
        (await store.list('u1', 'employee')).map((r) => r.id),
        ['new', 'old'],
      );
      await store.close();
    });

    test('rename() moves the record and its messages to the new id', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'old', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.recordTurn('old', { question: 'q', answer: 'a', at: 1_000_001 });
      await store.rename('old', 'new');
      assert.equal(await store.get('old'), undefined);
      assert.equal((await store.get('new'))?.turns, 1);
      assert.equal((await store.messages('new')).length, 2);
      assert.deepEqual(await store.staleIds(Number.MAX_SAFE_INTEGER, 10), ['new']);
      await store.close();
    });

    test('staleIds() lists records last active before the time, archived ones too, oldest first, at most the limit', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'oldest', role: 'employee', ownerId: 'u1', kind: 'persistent' });
      clock.now += 10;
      await store.create({ id: 'archived', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.archive('archived');
      clock.now += 10;
      await store.create({ id: 'talked', role: 'admin', ownerId: 'admin', kind: 'ephemeral' });
      await store.recordTurn('talked', { question: 'q', answer: 'a', at: 2_000_000 });
      clock.now += 10;
      await store.create({ id: 'young', role: 'employee', ownerId: 'u2', kind: 'ephemeral' });
      assert.deepEqual(await store.staleIds(1_000_025, 10), ['oldest', 'archived']);
      assert.deepEqual(await store.staleIds(1_000_025, 1), ['oldest']);
      assert.deepEqual(await store.staleIds(2_000_001, 10), ['oldest', 'archived', 'young', 'talked']);
      await store.delete('oldest');
      assert.deepEqual(await store.staleIds(1_000_025, 10), ['archived']);
      await store.close();
    });

    test('existing() names the ids that have a record, archived ones included', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 'live', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.create({ id: 'archived', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.archive('archived');
      assert.deepEqual([...(await store.existing(['live', 'archived', 'gone', 'it\'s "odd"']))].sort(), [
        'archived',
        'live',
      ]);
      assert.deepEqual(await store.existing([]), new Set());
      await store.close();
    });

    test('delete() removes the record and its messages', async () => {
      const clock = { now: 1_000_000 };
      const store = await make(clock);
      await store.create({ id: 's', role: 'employee', ownerId: 'u1', kind: 'ephemeral' });
      await store.recordTurn('s', { question: 'q', answer: 'a', at: 1_000_001 });
      assert.equal(await store.delete('s'), true);
      assert.equal(await store.get('s'), undefined);
      assert.deepEqual(await store.messages('s'), []);
      assert.equal(await store.delete('s'), false);
      await store.close();
    });
  });
}

test('SqliteSessionStore keeps records across reopening the file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-sessions-'));
  dirs.push(dir);
  const file = path.join(dir, 's.sqlite');
  const first = new SqliteSessionStore({ file, timeoutMs: TIMEOUT_MS });
  await first.create({ id: 's', role: 'employee', ownerId: 'u1', kind: 'persistent' });
  await first.recordTurn('s', { question: 'q', answer: 'a', at: Date.now() });
  await first.close();
  const second = new SqliteSessionStore({ file, timeoutMs: TIMEOUT_MS });
  assert.equal((await second.get('s'))?.turns, 1);
  await second.close();
});
