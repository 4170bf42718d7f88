/**
 * The knowledge base of several nodes (src/cluster/kb-sync.ts) against a real
 * redis-server: two knowledge bases on one folder, each with its own index
 * and its own KbSync, no file watcher and no periodic re-check (as on a
 * shared volume whose change notices do not reach the other hosts), so the
 * change stream is the only way one learns of the other's writes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ReleaseNotices } from '../../src/cluster/conversation-lease.ts';
import { KB_EVENTS, KB_LEASE_KEYS, KbSync } from '../../src/cluster/kb-sync.ts';
import { openRedis, type RedisConnections } from '../../src/cluster/redis.ts';
import { formatFaq } from '../../src/kb/faq-store.ts';
import { type FolderKnowledgeBase, openKnowledgeBase } from '../../src/kb/index.ts';
import { KbError } from '../../src/kb/types.ts';
import { createLogger } from '../../src/logger.ts';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../support/redis-server.ts';

const skip = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install redis-server)';
const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KbSync: the knowledge base of several nodes on Redis', { skip }, () => {
  let server: TestRedis;
  let dir: string;
  const opened: Array<{ redis: RedisConnections; sync: KbSync; kb: FolderKnowledgeBase }> = [];

  async function node(name: string, options: { follow?: boolean; ttlMs?: number } = {}) {
    const redis = await openRedis(server.url, { logger, node: name });
    const notices = new ReleaseNotices(redis.subscriber);
    await notices.start();
    const sync = new KbSync({
      command: redis.command,
      reader: redis.reader,
      notices,
      node: name,
      logger,
      ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}),
    });
    await sync.start();
    const kb = await openKnowledgeBase({
      root: path.join(dir, 'kb'),
      smallFileThresholdKb: 30,
      faqMaxEntries: 500,
      watch: false,
      rescanIntervalMs: 24 * 3_600_000,
      crossProcessLock: sync,
    });
    if (options.follow ?? true) sync.follow(kb);
    const entry = { redis, sync, kb };
    opened.push(entry);
    return entry;
  }

  before(async () => {
    server = await startTestRedis();
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-kb-sync-'));
    await writeFile(path.join(dir, 'seed.md'), '# Seed\n\nNothing to see.\n');
  });
  after(async () => {
    for (const { sync, kb, redis } of opened) {
      await sync.close().catch(() => {});
      await kb.close();
      await redis.close();
    }
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function ingestOn(kb: FolderKnowledgeBase, name: string, text: string): Promise<string> {
    const source = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.md`);
    await writeFile(source, text);
    const [result] = await kb.ingest([{ name, sourcePath: source }], { folder: 'shared' });
    assert.equal(result?.status, 'added', JSON.stringify(result));
    return result.path!;
  }

  test('a document ingested on one node is found by the search of the other', async () => {
    const a = await node('a');
    const b = await node('b');
    const lagging = await node('c', { follow: false });
    assert.deepEqual(await b.kb.search('zeppelin'), [], 'not there before');
    const docPath = await ingestOn(a.kb, 'airships.md', '# Airships\n\nThe zeppelin hangar opens at dawn.\n');
    let hits: Awaited<ReturnType<FolderKnowledgeBase['search']>> = [];
    for (let i = 0; i < 100 && hits.length === 0; i++) {
      hits = await b.kb.search('zeppelin');
      if (hits.length === 0) await sleep(20);
    }
    assert.equal(hits[0]?.path, docPath, 'b found what a wrote');
    assert.ok(b.sync.stats().eventsApplied >= 1);
    // The node that does not follow the stream (and has no watcher) does not see it: the stream is what told b.
    assert.deepEqual(await lagging.kb.search('zeppelin'), []);
    const tree = JSON.stringify(await b.kb.tree());
    assert.match(tree, /airships/);
  });

  test('FAQ updates from two nodes at once are serialised: none is lost', async () => {
    const [a, b] = [opened[0]!, opened[1]!];
    const question = 'How do I book the zeppelin hangar?';
    await writeFile(
      path.join(dir, 'kb', 'FAQ.md'),
      formatFaq([{ question, answer: 'Through the facilities desk.', usage: 0 }]),
    );
    const each = 12;
    await Promise.all(
      Array.from({ length: each * 2 }, (_, i) => (i % 2 === 0 ? a : b).kb.matchFaq(question, { countUse: true })),
    );
    const rows = (await readFile(path.join(dir, 'kb', 'FAQ.md'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes('zeppelin'));
    assert.equal(rows.length, 1, rows.join('\n'));
    assert.match(rows[0]!, new RegExp(`\\| ${each * 2} \\|\\s*$`), `every use counted: ${rows[0]}`);
  });

  test('two nodes ingesting files of one name at once keep both', async () => {
    const [a, b] = [opened[0]!, opened[1]!];
    const [pa, pb] = await Promise.all([
      ingestOn(a.kb, 'handbook.md', '# Handbook\n\nWalruses are fed herring on Mondays.\n'),
      ingestOn(b.kb, 'handbook.md', '# Handbook\n\nQuokkas sleep under the photocopier.\n'),
    ]);
    assert.notEqual(pa, pb, 'two names, not one file written twice');
    const readme = await readFile(path.join(dir, 'kb', 'README.md'), 'utf8');
    for (const p of [pa, pb]) assert.ok(readme.includes(path.posix.basename(p)), `README lists ${p}`);
    for (const [kb, word, p] of [
      [a.kb, 'quokkas', pb],
      [b.kb, 'walruses', pa],
    ] as const) {
      let found = false;
      for (let i = 0; i < 100 && !found; i++) {
        found = (await kb.search(word)).some((hit) => hit.path === p);
        if (!found) await sleep(20);
      }
      assert.ok(found, `${word} is searchable on the other node`);
    }
  });

  test('a holder whose lease lapsed (paused) is refused its write, and announces nothing', async () => {
    const slow = await node('slow', { ttlMs: 300 });
    const other = opened[1]!;
    const before = await slow.redis.command.xlen(KB_EVENTS);
    // Hold the BADCASE lock on `slow` past its TTL without renewing: as a paused process would.
    let refused: unknown;
    await slow.sync
      .hold('BADCASE.md', async (held) => {
        held.changed('BADCASE.md');
        // Someone else takes the lock after it lapsed (renewals stopped: simulate by deleting the lease).
        await slow.redis.command.del(KB_LEASE_KEYS.lease('kb:BADCASE.md'));
        await other.kb.logBadCase({ question: 'walrus?', answer: 'herring', feedback: 'taken over', source: 'test' });
        await held.check();
      })
      .catch((error: unknown) => {
        refused = error;
      });
    assert.ok(refused instanceof KbError && refused.code === 'KB_LEASE_LOST', String(refused));
    assert.ok(slow.sync.stats().fenceRefusals >= 1);
    // Only the other node's write was announced.
    const fresh = (await slow.redis.command.xrange(KB_EVENTS, '-', '+')).slice(before);
    assert.deepEqual(
      fresh.map(([, fields]) => fields[fields.indexOf('node') + 1]),
      ['b'],
    );
  });

  test('after a Redis outage a follower re-checks its whole folder once (notices may have been missed)', async () => {
    const b = opened[1]!;
    // Written while Redis is down, by nobody who could announce it.
    await server.stop();
    try {
      await writeFile(path.join(dir, 'kb', 'shared', 'outage.md'), '# Outage\n\nThe narwhal drill happened offline.\n');
      await sleep(1_500);
    } finally {
      await server.start();
    }
    let found = false;
    for (let i = 0; i < 100 && !found; i++) {
      found = (await b.kb.search('narwhal')).some((hit) => hit.path === 'shared/outage.md');
      if (!found) await sleep(50);
    }
    assert.ok(found, 'the follower re-checked the folder once the stream could be read again');
    assert.ok(b.sync.stats().redisErrors >= 1, 'the outage was counted');
  });
});
