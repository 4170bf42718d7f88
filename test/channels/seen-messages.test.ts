/**
 * The ids of taken messages in the sessions database: a router started over
 * the same file (a restart) drops a message the one before it took, takes it
 * again once the id is older than the hour, and the table stays bounded.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'libsql';
import { MemoryHandoffStore } from '../../src/channels/handoff-store.ts';
import { ChannelRouter } from '../../src/channels/router.ts';
import {
  SEEN_MESSAGES_MAX,
  SEEN_MESSAGES_TTL_MS,
  type SeenMessageStore,
  SqliteSeenMessageStore,
} from '../../src/channels/seen-messages.ts';
import { createLogger } from '../../src/logger.ts';
import { RecordingAdapter } from '../support/recording-adapter.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** One server's router over `seen`, with its own clock and a record of the turns it ran. */
function routerOver(seen: SeenMessageStore, now: () => number) {
  const asked: string[] = [];
  const router = new ChannelRouter({
    adapters: [new RecordingAdapter()],
    ask: async ({ message }) => {
      asked.push(message);
      return { kind: 'answer', text: `Answer to ${message}\n\n- a.md:1-2` };
    },
    rate: async () => ({ kind: 'nothing' }),
    experts: { findExpert: async () => undefined, feedback: async () => ({ action: 'faq_added', message: '' }) },
    handoffs: new MemoryHandoffStore(),
    seenMessages: seen,
    logger: createLogger('silent'),
    handoffTimeoutMs: 60_000,
    sendBackoffMs: 1,
    now,
  });
  const say = async (id: string, text: string) => {
    await router.handle('slack', {
      method: 'POST',
      query: {},
      headers: {},
      rawBody: JSON.stringify({ id, user: 'u1', text }),
    });
    await settle();
  };
  return { router, asked, say, duplicates: () => router.health()[0]!.duplicates };
}

describe('seen message ids across a restart', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-seen-'));
    file = path.join(dir, 'sessions.sqlite');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a new router over the same database drops the message the first one took, and takes it after the hour', async () => {
    let clock = 1_700_000_000_000;
    const firstStore = new SqliteSeenMessageStore({ file });
    const first = routerOver(firstStore, () => clock);
    await first.say('m1', 'How many leave days?');
    await first.say('m1', 'How many leave days?');
    assert.deepEqual(first.asked, ['How many leave days?'], 'a retry runs no second turn');
    await first.router.close();
    await firstStore.close();

    clock += SEEN_MESSAGES_TTL_MS - 60_000;
    const secondStore = new SqliteSeenMessageStore({ file });
    const second = routerOver(secondStore, () => clock);
    await second.say('m1', 'How many leave days?');
    assert.deepEqual(second.asked, [], 'the replay after the restart runs no turn');
    assert.equal(second.duplicates(), 1);
    await second.say('m2', 'And sick days?');
    assert.deepEqual(second.asked, ['And sick days?'], 'a new message still runs');
    await second.router.close();
    await secondStore.close();

    clock += 2 * 60_000;
    const thirdStore = new SqliteSeenMessageStore({ file });
    const third = routerOver(thirdStore, () => clock);
    await third.say('m1', 'How many leave days?');
    assert.deepEqual(third.asked, ['How many leave days?'], 'an id older than the hour is taken again');
    await third.say('m2', 'And sick days?');
    assert.deepEqual(third.asked, ['How many leave days?'], 'm2 is younger than the hour: still dropped');
    await third.router.close();
    await thirdStore.close();
  });

  it('a store that fails lets the message through (the memory cache still drops retries)', async () => {
    const failing: SeenMessageStore = {
      claim: async () => {
        throw new Error('disk full');
      },
      close: async () => {},
    };
    const { router, asked, say } = routerOver(failing, Date.now);
    await say('f1', 'Hello?');
    await say('f1', 'Hello?');
    assert.deepEqual(asked, ['Hello?']);
    await router.close();
  });
});

describe('SqliteSeenMessageStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-seen-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const rows = (file: string): number => {
    const db = new Database(file);
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM channel_seen_messages').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('remembers the hour and the same most ids as before (10,000)', () => {
    assert.equal(SEEN_MESSAGES_TTL_MS, 3_600_000);
    assert.equal(SEEN_MESSAGES_MAX, 10_000);
  });

  it('keeps at most `max` ids, forgetting the oldest first, across reopenings', async () => {
    const file = path.join(dir, 'bounded.sqlite');
    const at = 1_700_000_000_000;
    let store = new SqliteSeenMessageStore({ file, max: 50 });
    for (let i = 0; i < 40; i++) assert.equal(await store.claim(`k${i}`, at + i), true);
    await store.close();
    store = new SqliteSeenMessageStore({ file, max: 50 });
    for (let i = 40; i < 120; i++) assert.equal(await store.claim(`k${i}`, at + i), true);
    assert.equal(rows(file), 50);
    assert.equal(await store.claim('k119', at + 200), false, 'the newest are kept');
    assert.equal(await store.claim('k70', at + 200), false, 'the 50th newest is kept');
    assert.equal(rows(file), 50);
    assert.equal(await store.claim('k0', at + 200), true, 'the oldest were forgotten');
    assert.equal(rows(file), 50);
    await store.close();
  });

  it('two stores writing one file (two processes) keep it within `max` after every id', async () => {
    const file = path.join(dir, 'two-writers.sqlite');
    const at = 1_700_000_000_000;
    const a = new SqliteSeenMessageStore({ file, max: 30 });
    const b = new SqliteSeenMessageStore({ file, max: 30 });
    for (let i = 0; i < 100; i++) {
      assert.equal(await (i % 3 ? a : b).claim(`k${i}`, at + i), true);
      assert.ok(rows(file) <= 30, `${rows(file)} rows after ${i + 1} ids`);
    }
    assert.equal(rows(file), 30);
    assert.equal(await a.claim('k99', at + 200), false, 'what b took, a has seen');
    await a.close();
    await b.close();
  });

  it('expired ids are swept as new ones come, so a quiet hour empties the table', async () => {
    const file = path.join(dir, 'swept.sqlite');
    const ttlMs = 1_000;
    const store = new SqliteSeenMessageStore({ file, ttlMs, max: 1_000 });
    for (let i = 0; i < 100; i++) await store.claim(`old${i}`, 10_000 + i);
    assert.equal(rows(file), 100);
    assert.equal(await store.claim('old5', 10_000 + ttlMs), false, 'within the ttl: seen');
    assert.equal(await store.claim('new', 10_100 + ttlMs), true);
    assert.equal(rows(file), 1, 'every id older than the ttl is gone');
    assert.equal(await store.claim('old5', 10_100 + ttlMs), true, 'and is new again');
    await store.close();
  });
});
