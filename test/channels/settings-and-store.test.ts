import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SqliteHandoffStore } from '../../src/channels/handoff-store.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('channel settings', () => {
  it('leaves every channel off when none of its settings is set', () => {
    const config = loadConfig({}, '/srv');
    assert.equal(config.channels.wecom, undefined);
    assert.equal(config.channels.feishu, undefined);
    assert.equal(config.channels.slack, undefined);
    assert.equal(config.channels.handoffTimeoutMs, 24 * 3_600_000);
  });

  it('refuses to start with part of a channel configured, naming what is missing', () => {
    assert.throws(
      () => loadConfig({ WECOM_CORP_ID: 'ww1', WECOM_SECRET: 's' }, '/srv'),
      (error: unknown) =>
        error instanceof ConfigError &&
        /WeCom channel needs WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY/.test(error.message),
    );
    assert.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb' }, '/srv'), /SLACK_SIGNING_SECRET/);
  });

  it('takes the hand-off timeout in seconds and refuses one under a minute', () => {
    assert.equal(loadConfig({ EXPERT_HANDOFF_TIMEOUT: '7200' }, '/srv').channels.handoffTimeoutMs, 7_200_000);
    assert.throws(() => loadConfig({ EXPERT_HANDOFF_TIMEOUT: '5' }, '/srv'), /EXPERT_HANDOFF_TIMEOUT/);
  });

  it('names the missing Feishu setting', () => {
    assert.throws(
      () => loadConfig({ FEISHU_APP_ID: 'cli_1', FEISHU_APP_SECRET: 's' }, '/srv'),
      (error: unknown) =>
        error instanceof ConfigError && /Feishu channel needs FEISHU_VERIFICATION_TOKEN\b/.test(error.message),
    );
  });

  it('checks the WeCom AES key shape', () => {
    assert.throws(
      () =>
        loadConfig(
          {
            WECOM_CORP_ID: 'ww1',
            WECOM_AGENT_ID: '1000002',
            WECOM_SECRET: 's',
            WECOM_TOKEN: 't',
            WECOM_ENCODING_AES_KEY: 'short',
          },
          '/srv',
        ),
      /WECOM_ENCODING_AES_KEY/,
    );
  });
});

describe('hand-off store (SQLite)', () => {
  it('keeps pending hand-offs across a restart and expires each once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-handoffs-'));
    const file = path.join(dir, 'sessions.sqlite');
    try {
      const first = new SqliteHandoffStore(file);
      await first.create({
        id: 'abc123',
        channel: 'wecom',
        asker: { userId: 'emp', chatId: 'emp' },
        question: 'Q?',
        expertName: 'Pat',
        expertUserId: 'pat',
        createdAt: 1000,
        expiresAt: 5000,
      });
      await first.close();
      const second = new SqliteHandoffStore(file);
      assert.deepEqual(
        (await second.pendingFor('wecom', 'pat')).map((h) => h.id),
        ['abc123'],
      );
      assert.equal((await second.expireDue(4999)).length, 0);
      assert.equal((await second.expireDue(5000)).length, 1);
      assert.equal((await second.expireDue(9000)).length, 0);
      assert.equal(await second.answer('abc123', 'late', 9000), false, 'an expired hand-off takes no answer');
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('deletes settled hand-offs asked before the cut-off, a bounded number at a time, and never pending ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-handoffs-'));
    const store = new SqliteHandoffStore(path.join(dir, 'sessions.sqlite'));
    try {
      const handoff = (id: string, createdAt: number) => ({
        id,
        channel: 'wecom' as const,
        asker: { userId: 'emp', chatId: 'emp' },
        question: `question ${id}`,
        expertName: 'Pat',
        expertUserId: 'pat',
        createdAt,
        expiresAt: createdAt + 100,
      });
      for (const [id, at] of [
        ['old1', 10],
        ['old2', 20],
        ['old3', 30],
        ['new', 500],
        ['waiting', 40],
      ] as const) {
        await store.create(handoff(id, at));
      }
      await store.answer('old1', 'an answer', 50);
      await store.answer('new', 'an answer', 550);
      await store.expireDue(135); // old2 and old3; 'waiting' expires later and is answered
      await store.answer('waiting', 'an answer', 60);

      assert.equal(await store.removeSettled(100, 3), 3, 'at most the limit');
      assert.equal(await store.removeSettled(100, 10), 1);
      assert.equal(await store.removeSettled(100, 10), 0);
      assert.deepEqual(
        (await store.lastAnswered('wecom', 'pat', 0))?.id,
        'new',
        'a hand-off asked after the cut-off stays',
      );
      await store.create(handoff('pending', 60));
      assert.equal(await store.removeSettled(100, 10), 0, 'a pending hand-off is never deleted');
      assert.deepEqual(
        (await store.pendingFor('wecom', 'pat')).map((h) => h.id),
        ['pending'],
      );
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
