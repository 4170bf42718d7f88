/**
 * A Slack user on the Claude engine (the real CLI against the local model
 * stub): a cited answer in mrkdwn, feedback on that answer, and an unanswered
 * question answered by the expert, the same as on the offline engine.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { type ClaudeEngine, createClaudeEngine } from '../../src/engines/claude/index.ts';
import type { AgentEvent, TurnInput } from '../../src/engines/types.ts';
import type { Expert } from '../../src/kb/types.ts';
import { createLogger } from '../../src/logger.ts';
import { createPoolRegistry, type PoolRegistry } from '../../src/pool/index.ts';
import { claudeEnv } from '../support/http-claude.ts';
import { FakeKnowledgeBase } from '../support/http-fakes.ts';
import { listenLoopback, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import {
  type MessengerFake,
  type SignedCallback,
  slackDm,
  slackEnv,
  slackEvent,
  startMessengerFake,
} from '../support/messenger-fakes.ts';
import { type ModelStub, startModelStub } from '../support/model-stub.ts';

/** The fake knowledge base with an expert for questions about the office. */
class KbWithExpert extends FakeKnowledgeBase {
  override async findExpert(question: string): Promise<Expert | undefined> {
    return /office/i.test(question)
      ? { domain: 'Facilities', name: 'Wang Fang', contact: 'wang.fang@brightwater.example' }
      : undefined;
  }
}

const CITED = '## Answer\n\nYou get **25 days** a year.\n\n**Reference Source**\n- policies/leave.md:3-4';

describe('Slack channel on the Claude engine', { timeout: 120_000 }, () => {
  let fake: MessengerFake;
  let stub: ModelStub;
  let engine: ClaudeEngine;
  let pools: PoolRegistry<TurnInput, AgentEvent>;
  let test: TestApp;
  let base: string;
  let dir: string;
  let kb: KbWithExpert;
  let seq = 0;
  const eventId = () => `EvC${++seq}`;
  const deliver = (callback: SignedCallback) =>
    fetch(`${base}${callback.path}`, { method: callback.method, headers: callback.headers, body: callback.body });

  before(async () => {
    fake = await startMessengerFake();
    stub = await startModelStub();
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-channel-claude-'));
    const env = {
      ...slackEnv(fake.base),
      ...claudeEnv(stub.url),
      DATA_DIR: path.join(dir, 'data'),
      KB_ROOT_PATH: path.join(dir, 'kb'),
    };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    await mkdir(config.kbRoot, { recursive: true });
    // The engine runs the CLI in the knowledge base's folder: it must exist.
    kb = new KbWithExpert(config.kbRoot);
    engine = createClaudeEngine({ config, kb, resolveUpload: async () => undefined, logger: createLogger('silent') });
    pools = createPoolRegistry({ employee: engine.factory('employee'), admin: engine.factory('admin') }, config.pools);
    test = await makeTestApp({ env, kb, pools });
    base = await listenLoopback(test.app);
  });
  after(async () => {
    await test?.close();
    await pools?.destroy();
    await engine?.close();
    await stub?.close();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers with citations in mrkdwn, and "helpful" rates that answer without another model call', async () => {
    stub.enqueue({ text: CITED });
    let start = fake.sent.length;
    await deliver(slackEvent(slackDm('UC1', 'How much annual leave do I get?', eventId())));
    const [answer] = (await fake.waitForSent(start + 1, 60_000)).slice(start);
    assert.equal(answer?.to, 'DUC1');
    assert.match(answer!.text, /\*25 days\*/);
    assert.match(answer!.text, /policies\/leave\.md:3-4/);
    assert.match(stub.requests.at(-1)?.lastUserText ?? '', /annual leave/);

    const modelCalls = stub.requests.length;
    start = fake.sent.length;
    await deliver(slackEvent(slackDm('UC1', 'helpful', eventId())));
    const [thanks] = (await fake.waitForSent(start + 1)).slice(start);
    assert.match(thanks!.text, /added this answer to the FAQ/);
    assert.equal(stub.requests.length, modelCalls, 'feedback does not go to the model');
    assert.deepEqual(kb.feedbackCalls.at(-1), {
      question: 'How much annual leave do I get?',
      answer: CITED,
      satisfied: true,
    });
  });

  it('forwards an unanswered question to the expert and relays the reply, with the FAQ permission', async () => {
    fake.users.set('wang.fang@brightwater.example', 'UWANG');
    stub.enqueue({ text: '## Answer\n\nI could not find this in the knowledge base.' });
    let start = fake.sent.length;
    await deliver(slackEvent(slackDm('UC2', 'Can I bring my dog to the office?', eventId())));
    const [notFound, offer] = (await fake.waitForSent(start + 2, 60_000)).slice(start);
    assert.equal(notFound?.to, 'DUC2');
    assert.match(offer!.text, /Wang Fang/);

    start = fake.sent.length;
    await deliver(slackEvent(slackDm('UC2', 'yes', eventId())));
    const forwarded = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(forwarded.some((m) => m.to === 'UWANG' && /dog/.test(m.text) && /UC2/.test(m.text)));

    start = fake.sent.length;
    await deliver(slackEvent(slackDm('UWANG', 'Only assistance dogs.', eventId())));
    const relayed = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(relayed.some((m) => m.to === 'DUC2' && /assistance dogs/.test(m.text)));
    assert.ok(relayed.some((m) => m.to === 'DUWANG' && /FAQ/.test(m.text)));

    start = fake.sent.length;
    await deliver(slackEvent(slackDm('UWANG', 'FAQ', eventId())));
    await fake.waitForSent(start + 1);
    const added = kb.feedbackCalls.at(-1);
    assert.equal(added?.question, 'Can I bring my dog to the office?');
    assert.match(added?.answer ?? '', /Only assistance dogs/);
  });
});
