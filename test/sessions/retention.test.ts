/**
 * Conversations.delete and RetentionSweeper over an in-memory store and a
 * recording fake of the engine's storage: what is deleted when, in what
 * bounds, and what is reported.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConversationStorage, OrphanSweepRequest, StoredFiles } from '../../src/engines/types.ts';
import { createLogger } from '../../src/logger.ts';
import { Conversations } from '../../src/sessions/conversations.ts';
import { MemorySessionStore } from '../../src/sessions/memory-store.ts';
import { ORPHAN_MIN_AGE_MS, RetentionSweeper, SWEEP_BATCH } from '../../src/sessions/retention.ts';

const MINUTE_MS = 60_000;
const TIMEOUT_MS = 10 * MINUTE_MS;
const RETENTION_MS = 30 * MINUTE_MS;

/** Every session forgotten, each worth one file of 100 bytes; orphan sweeps recorded. */
class RecordingStorage implements ConversationStorage {
  readonly forgotten: string[] = [];
  readonly orphanSweeps: OrphanSweepRequest[] = [];
  orphans = 0;
  async forgetSession(sessionId: string): Promise<StoredFiles> {
    this.forgotten.push(sessionId);
    return { files: 1, bytes: 100 };
  }
  async sweepOrphans(request: OrphanSweepRequest): Promise<StoredFiles> {
    this.orphanSweeps.push(request);
    const files = Math.min(this.orphans, request.limit);
    this.orphans -= files;
    return { files, bytes: files * 10 };
  }
  async usage(): Promise<StoredFiles> {
    return { files: 1000 - this.forgotten.length, bytes: 100_000 };
  }
}

function setup() {
  const clock = { now: 1_000_000_000 };
  const sessions = new MemorySessionStore({ timeoutMs: TIMEOUT_MS, now: () => clock.now });
  const storage = new RecordingStorage();
  const logger = createLogger('silent');
  const conversations = new Conversations({ sessions, storage, logger });
  const retention = new RetentionSweeper({
    sessions,
    conversations,
    storage,
    logger,
    retentionMs: RETENTION_MS,
    intervalMs: MINUTE_MS,
    now: () => clock.now,
  });
  return { clock, sessions, storage, conversations, retention };
}

describe('Conversations', () => {
  it('delete() removes the record and, with no turn in flight, the engine’s files before it resolves', async () => {
    const { sessions, storage, conversations } = setup();
    await sessions.create({ id: 's', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    assert.deepEqual(await conversations.delete('s'), { record: true, removed: { files: 1, bytes: 100 } });
    assert.deepEqual(storage.forgotten, ['s']);
    assert.equal(await sessions.get('s'), undefined);
  });

  it('delete() with turns in flight removes the record at once and the files when the last turn is released', async () => {
    const { sessions, storage, conversations } = setup();
    await sessions.create({ id: 's', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    const endFirst = conversations.beginTurn('s');
    const endQueued = conversations.beginTurn('s');
    assert.deepEqual(await conversations.delete('s'), { record: true });
    assert.equal(await sessions.get('s'), undefined, 'gone for its user at once');
    assert.deepEqual(storage.forgotten, [], 'the running turn keeps its files');
    endFirst();
    endFirst();
    await Promise.resolve();
    assert.deepEqual(storage.forgotten, [], 'a queued turn still runs; calling end twice counts once');
    endQueued();
    await Promise.resolve();
    assert.deepEqual(storage.forgotten, ['s']);
    assert.equal(conversations.hasTurnInFlight('s'), false);
  });

  it('delete() logs and reports no files when the engine fails to remove them; the record is gone anyway', async () => {
    const { sessions, storage, conversations } = setup();
    storage.forgetSession = async () => {
      throw new Error('EACCES');
    };
    await sessions.create({ id: 's', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    assert.deepEqual(await conversations.delete('s'), { record: true });
    assert.equal(await sessions.get('s'), undefined);
  });
});

describe('RetentionSweeper', () => {
  it('sweep() archives idle records and deletes those past retention with their files, and only those', async () => {
    const { clock, sessions, storage, retention } = setup();
    await sessions.create({ id: 'old', role: 'employee', ownerId: 'u', kind: 'persistent' });
    await sessions.create({ id: 'archived', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    await sessions.archive('archived');
    clock.now += RETENTION_MS - MINUTE_MS;
    await sessions.create({ id: 'idle', role: 'employee', ownerId: 'u', kind: 'persistent' });
    clock.now += TIMEOUT_MS;
    await sessions.create({ id: 'live', role: 'employee', ownerId: 'u', kind: 'persistent' });
    clock.now += 2 * MINUTE_MS;

    const report = await retention.sweep();
    assert.deepEqual(storage.forgotten.sort(), ['archived', 'old']);
    assert.equal(report.conversationsDeleted, 2);
    assert.deepEqual(report.files, { files: 2, bytes: 200 });
    assert.equal(report.archived, 2, "'old' and 'idle' passed the timeout");
    assert.deepEqual(await sessions.existing(['old', 'archived', 'idle', 'live']), new Set(['idle', 'live']));
    assert.equal(report.more, false);
    const [orphans] = storage.orphanSweeps;
    assert.equal(orphans?.limit, SWEEP_BATCH);
    assert.equal(orphans?.untouchedBefore, clock.now - ORPHAN_MIN_AGE_MS);
    assert.equal(orphans?.expiredBefore, clock.now - RETENTION_MS);
    assert.deepEqual(await orphans?.known(['idle', 'old']), new Set(['idle']));
  });

  it(`sweep() deletes at most ${SWEEP_BATCH} conversations and ${SWEEP_BATCH} orphan files, and says more is left`, async () => {
    const { clock, sessions, storage, retention } = setup();
    for (let i = 0; i < SWEEP_BATCH + 20; i++) {
      await sessions.create({ id: `s${i}`, role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    }
    storage.orphans = SWEEP_BATCH + 5;
    clock.now += RETENTION_MS + 1;
    const first = await retention.sweep();
    assert.equal(first.conversationsDeleted, SWEEP_BATCH);
    assert.equal(first.orphans.files, SWEEP_BATCH);
    assert.equal(first.more, true);
    const second = await retention.sweep();
    assert.equal(second.conversationsDeleted, 20);
    assert.equal(second.orphans.files, 5);
    assert.equal(second.more, false);
    assert.equal(storage.forgotten.length, SWEEP_BATCH + 20);
  });

  it('sweep() of a conversation with a turn in flight deletes its record and leaves the files to the end of the turn', async () => {
    const { clock, sessions, storage, conversations, retention } = setup();
    await sessions.create({ id: 'busy', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    const endTurn = conversations.beginTurn('busy');
    clock.now += RETENTION_MS + 1;
    const report = await retention.sweep();
    assert.equal(report.conversationsDeleted, 1);
    assert.deepEqual(report.files, { files: 0, bytes: 0 });
    assert.deepEqual(storage.forgotten, []);
    endTurn();
    await Promise.resolve();
    assert.deepEqual(storage.forgotten, ['busy']);
  });

  it('snapshot() reports disk use, the last sweep and the totals', async () => {
    const { clock, sessions, retention } = setup();
    const before = await retention.snapshot();
    assert.equal(before.lastSweep, null);
    assert.deepEqual({ files: before.disk.files, bytes: before.disk.bytes }, { files: 1000, bytes: 100_000 });
    assert.equal(before.retentionMs, RETENTION_MS);
    await sessions.create({ id: 's', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    clock.now += RETENTION_MS + 1;
    await retention.sweep();
    const after = await retention.snapshot();
    assert.equal(after.lastSweep?.at, clock.now);
    assert.equal(after.lastSweep?.conversationsDeleted, 1);
    assert.equal(after.disk.files, 999, 'measured again after the sweep');
    assert.deepEqual(after.totals, {
      sweeps: 1,
      conversationsDeleted: 1,
      filesDeleted: 1,
      bytesDeleted: 100,
      orphanFilesDeleted: 0,
    });
  });

  it('a failing store ends the sweep with the error reported, and the next sweep runs', async () => {
    const { clock, sessions, retention } = setup();
    const staleIds = sessions.staleIds.bind(sessions);
    sessions.staleIds = async () => {
      throw new Error('database is locked');
    };
    const failed = await retention.sweep();
    assert.equal(failed.error, 'database is locked');
    sessions.staleIds = staleIds;
    await sessions.create({ id: 's', role: 'employee', ownerId: 'u', kind: 'ephemeral' });
    clock.now += RETENTION_MS + 1;
    assert.equal((await retention.sweep()).conversationsDeleted, 1);
  });

  it('start() keeps nothing alive: its timer is unref’d', async () => {
    const { retention } = setup();
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    retention.start();
    assert.equal(timers(), before);
    await retention.stop();
  });

  it('start() sweeps at once and then every interval; stop() ends it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { storage, retention } = setup();
    retention.start();
    retention.start();
    t.mock.timers.tick(0);
    await retention.sweep();
    assert.equal(storage.orphanSweeps.length, 1, 'one sweep for two start() calls');
    t.mock.timers.tick(MINUTE_MS);
    await retention.sweep();
    assert.equal(storage.orphanSweeps.length, 2);
    await retention.stop();
    t.mock.timers.tick(10 * MINUTE_MS);
    await Promise.resolve();
    assert.equal(storage.orphanSweeps.length, 2, 'no sweep after stop()');
  });
});
