/**
 * Callbacks as a hostile stranger sends them, straight to the adapters and
 * the router: every one is refused (ChannelAuthError, so 401) or ignored,
 * quickly and without a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeishuAdapter } from '../../src/channels/adapters/feishu.ts';
import { SlackAdapter } from '../../src/channels/adapters/slack.ts';
import { WecomAdapter } from '../../src/channels/adapters/wecom.ts';
import { MemoryHandoffStore } from '../../src/channels/handoff-store.ts';
import { charLength, splitMessage, toSlackMrkdwn, utf8Length } from '../../src/channels/message-text.ts';
import { ChannelRouter } from '../../src/channels/router.ts';
import { ChannelAuthError, type ChannelRequest } from '../../src/channels/types.ts';
import { createLogger } from '../../src/logger.ts';
import {
  FEISHU,
  feishuEvent,
  feishuText,
  type SignedCallback,
  SLACK,
  slackEvent,
  WECOM,
  wecomText,
  wecomUrlCheck,
} from '../support/messenger-fakes.ts';
import { RecordingAdapter } from '../support/recording-adapter.ts';

/** Messages one conversation may have waiting behind its running turn (router.ts). */
const CONVERSATION_QUEUE = 4;

const post = (body: unknown): ChannelRequest => ({
  method: 'POST',
  query: {},
  headers: { 'content-type': 'application/json' },
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('Feishu without an Encrypt Key: the verification token is all that guards the callback', () => {
  const feishu = new FeishuAdapter({
    appId: 'cli_test',
    appSecret: 'secret',
    verificationToken: 'feishu-verify',
    apiBase: 'http://127.0.0.1:9',
  });

  for (const [what, token] of [
    ['a number', 123],
    ['an array', ['feishu-verify']],
    ['an object with a huge length', { length: 300_000_000 }],
    ['null', null],
  ] as const) {
    it(`a token that is ${what} is refused at once (401), in the header or the body`, async () => {
      for (const body of [
        { type: 'url_verification', challenge: 'c', token },
        { schema: '2.0', header: { event_type: 'im.message.receive_v1', token } },
      ]) {
        const started = performance.now();
        await assert.rejects(feishu.parse(post(body)), ChannelAuthError);
        assert.ok(performance.now() - started < 500, `refused in ${performance.now() - started} ms`);
      }
    });
  }
});

/** A router whose turns wait until the test releases them. */
function heldRouter(options: { maxInFlight?: number } = {}) {
  const adapter = new RecordingAdapter();
  const asked: Array<{ userId: string; message: string }> = [];
  const held: Array<() => void> = [];
  const router = new ChannelRouter({
    adapters: [adapter],
    ask: ({ userId, message }) =>
      new Promise((resolve) => {
        asked.push({ userId, message });
        held.push(() => resolve({ kind: 'answer', text: `Answer to ${message.slice(0, 40)}\n\n- a.md:1-2` }));
      }),
    rate: async () => ({ kind: 'nothing' }),
    experts: { findExpert: async () => undefined, feedback: async () => ({ action: 'faq_added', message: '' }) },
    handoffs: new MemoryHandoffStore(),
    logger: createLogger('silent'),
    handoffTimeoutMs: 60_000,
    sendBackoffMs: 1,
    ...options,
  });
  let seq = 0;
  const say = (user: string, text: string) =>
    router.handle('slack', {
      method: 'POST',
      query: {},
      headers: {},
      rawBody: JSON.stringify({ id: `m${++seq}`, user, text }),
    });
  const release = () => {
    for (const go of held.splice(0)) go();
  };
  return { router, adapter, asked, say, release };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('channel router: what one user can send', () => {
  it('a message of 1 MB runs no turn: the user is told the limit, in their language', async () => {
    const { router, adapter, asked, say } = heldRouter();
    await say('u1', 'x'.repeat(1024 * 1024));
    await say('u2', '问'.repeat(30_000));
    await until(() => adapter.sent.length === 2);
    assert.deepEqual(asked, []);
    assert.match(adapter.sent[0]!.text, /too long.*20000 characters/);
    assert.match(adapter.sent[1]!.text, /太长.*20000/);
    await router.close();
  });

  it('control characters are taken out of the question, as the web refuses them', async () => {
    const { router, asked, say, release } = heldRouter();
    await say('u1', 'How many\u0000 days of\u001b[31m leave?\u007f');
    await until(() => asked.length === 1);
    assert.equal(asked[0]!.message, 'How many days of[31m leave?');
    release();
    await router.close();
  });

  it("messages of one user run in order, one at a time; a flood past the user's share is told to wait and does not starve others", async () => {
    const { router, adapter, asked, say, release } = heldRouter({ maxInFlight: 10 });
    for (let i = 1; i <= 10; i++) await say('flooder', `Question ${i}?`);
    await say('other', 'My own question?');
    await until(() => asked.length === 2);
    await settle();
    assert.deepEqual(
      asked.map((a) => a.message),
      ['Question 1?', 'My own question?'],
      'one turn of the flooder at a time, and the other user is not refused',
    );
    const waitNotes = adapter.sent.filter((s) => s.to === 'flooder');
    assert.equal(waitNotes.length, 10 - (CONVERSATION_QUEUE + 1), 'the ones past the share are told to wait');
    assert.match(waitNotes[0]!.text, /earlier questions/);
    const answers = () => adapter.sent.filter((s) => s.text.startsWith('Answer to Question'));
    await until(() => {
      release();
      return answers().length === CONVERSATION_QUEUE + 1;
    });
    assert.deepEqual(
      answers().map((s) => s.text.split('\n')[0]),
      Array.from({ length: CONVERSATION_QUEUE + 1 }, (_, i) => `Answer to Question ${i + 1}?`),
      'answered in the order asked',
    );
    await router.close();
  });
});

describe('replayed callbacks: a signed timestamp older than the router remembers message ids is refused', () => {
  const later = (ms: number) => () => Date.now() + ms;
  const toRequest = (callback: SignedCallback): ChannelRequest => {
    const url = new URL(callback.path, 'http://docent');
    return {
      method: callback.method,
      query: Object.fromEntries(url.searchParams),
      headers: callback.headers,
      rawBody: callback.body ?? '',
    };
  };
  const wecom = (now: () => number) => new WecomAdapter({ ...WECOM, apiBase: 'http://127.0.0.1:9' }, now);
  const feishu = (now: () => number) => new FeishuAdapter({ ...FEISHU, apiBase: 'http://127.0.0.1:9' }, now);

  it('WeCom: the same signed message is taken now and refused (401) two hours later', async () => {
    const callback = toRequest(wecomText('emp1', 'Hello?', 'msg-replay-1'));
    assert.equal((await wecom(Date.now).parse(callback)).kind, 'message');
    assert.equal(
      (await wecom(later(30 * 60_000)).parse(callback)).kind,
      'message',
      'half an hour of clock skew is fine',
    );
    await assert.rejects(wecom(later(2 * 3_600_000)).parse(callback), ChannelAuthError);
    await assert.rejects(wecom(later(-2 * 3_600_000)).parse(callback), ChannelAuthError, 'from the future');
    const check = toRequest(wecomUrlCheck('echo-1'));
    await assert.rejects(wecom(later(2 * 3_600_000)).parse(check), ChannelAuthError);
  });

  it('Feishu (Encrypt Key set): the same signed event is taken now and refused (401) two hours later', async () => {
    const callback = toRequest(feishuEvent(feishuText('ou_1', 'Hello?', 'ev-replay-1')));
    assert.equal((await feishu(Date.now).parse(callback)).kind, 'message');
    await assert.rejects(feishu(later(2 * 3_600_000)).parse(callback), ChannelAuthError);
  });
});

describe('well signed, badly shaped: a callback whose fields are not what the platform sends runs nothing and is no 500', () => {
  const toRequest = (callback: SignedCallback): ChannelRequest => ({
    method: callback.method,
    query: {},
    headers: callback.headers,
    rawBody: callback.body ?? '',
  });
  const slack = new SlackAdapter({ ...SLACK, apiUrl: 'http://127.0.0.1:9/api/' });
  const feishu = new FeishuAdapter({
    appId: 'cli_test',
    appSecret: 'secret',
    verificationToken: FEISHU.verificationToken,
    apiBase: 'http://127.0.0.1:9',
  });

  it('Slack: a body that is null, a number or a string is refused; odd field types are acknowledged and ignored', async () => {
    for (const body of [null, 42, 'text']) {
      await assert.rejects(slack.parse(toRequest(slackEvent(body))), ChannelAuthError, JSON.stringify(body));
    }
    const challenge = await slack.parse(toRequest(slackEvent({ type: 'url_verification', challenge: { a: 1 } })));
    assert.deepEqual(challenge.kind === 'reply' && challenge.reply.body, '');
    for (const event of [
      { type: 'message', channel_type: 'im', user: 'U1', channel: 'D1', text: { x: 1 }, ts: '1' },
      { type: 'message', channel_type: 'im', user: ['U1'], channel: 'D1', text: 'hi', ts: '1' },
      { type: 'message', channel_type: 'im', user: 'U1', channel: { id: 'D1' }, text: 'hi', ts: '1' },
      { type: 'message', channel_type: 'im', user: 'U1', channel: 'D1', text: 'hi', ts: 1, thread_ts: {} },
    ]) {
      const parsed = await slack.parse(toRequest(slackEvent({ type: 'event_callback', event_id: ['E'], event })));
      assert.equal(parsed.kind, 'reply', JSON.stringify(event));
    }
  });

  it('Feishu: ids that are not strings are acknowledged and ignored, not made into conversations', async () => {
    const base = feishuText('ou_1', 'Hello?', 'ev-shape-1');
    for (const change of [
      (e: typeof base) => ({
        ...e,
        event: { ...e.event, sender: { ...e.event.sender, sender_id: { open_id: { a: 1 } } } },
      }),
      (e: typeof base) => ({ ...e, event: { ...e.event, message: { ...e.event.message, chat_id: { c: 1 } } } }),
      (e: typeof base) => ({ ...e, event: { ...e.event, message: { ...e.event.message, message_id: ['m'] } } }),
    ]) {
      const parsed = await feishu.parse(toRequest(feishuEvent(change(base), { plain: true })));
      assert.equal(parsed.kind, 'reply', JSON.stringify(change(base)));
    }
    assert.equal((await feishu.parse(toRequest(feishuEvent(base, { plain: true })))).kind, 'message');
  });
});

describe('splitting a long answer takes time in proportion to its length', () => {
  for (const [platform, max, measure] of [
    ['Feishu', 8_000, charLength],
    ['Slack', 3_900, charLength],
    ['WeCom', 4_096, utf8Length],
  ] as const) {
    it(`${platform}: 200,000 characters without a space or break split within the limit, quickly`, () => {
      for (const text of ['问'.repeat(200_000), 'word '.repeat(40_000), 'line\n'.repeat(40_000)]) {
        const started = performance.now();
        const pieces = splitMessage(text, max, measure);
        const took = performance.now() - started;
        assert.ok(took < 1_000, `${platform}: ${Math.round(took)} ms`);
        assert.ok(pieces.every((p) => measure(p) <= max));
        assert.equal(pieces.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
      }
    });
  }
});

describe('rendering an answer for a messenger takes time in proportion to its length', () => {
  it('Slack: a line of 100,000 "[" or of unclosed links renders quickly, links still become <url|text>', () => {
    for (const text of ['['.repeat(100_000), '[a](http:'.repeat(20_000), `${'['.repeat(50_000)}[x](https://e.com/a)`]) {
      const started = performance.now();
      toSlackMrkdwn(text);
      const took = performance.now() - started;
      assert.ok(took < 1_000, `${Math.round(took)} ms`);
    }
    assert.equal(toSlackMrkdwn('See [the policy](https://e.com/p).'), 'See <https://e.com/p|the policy>.');
  });
});

describe("the bot's own messages echoed back run no turn (no answer loop)", () => {
  const toRequest = (callback: SignedCallback): ChannelRequest => ({
    method: callback.method,
    query: {},
    headers: callback.headers,
    rawBody: callback.body ?? '',
  });

  it('Slack: a message with bot_id or a subtype (bot_message, message_changed) is acknowledged and ignored', async () => {
    const slack = new SlackAdapter({ ...SLACK, apiUrl: 'http://127.0.0.1:9/api/' });
    const dm = { type: 'message', channel_type: 'im', user: 'U1', channel: 'D1', text: 'Answer: ...', ts: '1.1' };
    for (const event of [
      { ...dm, bot_id: 'B1' },
      { ...dm, subtype: 'bot_message' },
      { ...dm, subtype: 'message_changed' },
      { ...dm, type: 'app_mention', channel_type: 'channel', bot_id: 'B1' },
    ]) {
      const parsed = await slack.parse(toRequest(slackEvent({ type: 'event_callback', event_id: 'Ev1', event })));
      assert.equal(parsed.kind, 'reply', JSON.stringify(event));
    }
  });

  it('Feishu: a message whose sender is the app is acknowledged and ignored', async () => {
    const feishu = new FeishuAdapter({ ...FEISHU, apiBase: 'http://127.0.0.1:9' });
    const own = feishuText('ou_bot', 'Answer: ...', 'ev-own-1');
    const parsed = await feishu.parse(
      toRequest(feishuEvent({ ...own, event: { ...own.event, sender: { ...own.event.sender, sender_type: 'app' } } })),
    );
    assert.equal(parsed.kind, 'reply');
  });
});

describe('Feishu URL verification with an Encrypt Key', () => {
  const feishu = new FeishuAdapter({ ...FEISHU, apiBase: 'http://127.0.0.1:9' });
  const unsigned = (callback: SignedCallback): ChannelRequest => ({
    method: 'POST',
    query: {},
    // Feishu signs events, not the URL check it sends when the URL is saved.
    headers: { 'content-type': 'application/json' },
    rawBody: callback.body ?? '',
  });

  it('answers the challenge Feishu sends unsigned (encrypted, with the verification token)', async () => {
    const check = feishuEvent({ type: 'url_verification', challenge: 'fs-chal-2', token: FEISHU.verificationToken });
    const parsed = await feishu.parse(unsigned(check));
    assert.equal(parsed.kind, 'reply');
    assert.deepEqual(JSON.parse(parsed.reply.body), { challenge: 'fs-chal-2' });
  });

  it('still refuses an unsigned event, an unsigned challenge with a wrong token, and a plain unsigned challenge', async () => {
    await assert.rejects(
      feishu.parse(unsigned(feishuEvent(feishuText('ou_1', 'Hi?', 'ev-unsigned-1')))),
      ChannelAuthError,
    );
    await assert.rejects(
      feishu.parse(unsigned(feishuEvent({ type: 'url_verification', challenge: 'c', token: 'guess' }))),
      ChannelAuthError,
    );
    await assert.rejects(
      feishu.parse(
        unsigned(
          feishuEvent({ type: 'url_verification', challenge: 'c', token: FEISHU.verificationToken }, { plain: true }),
        ),
      ),
      ChannelAuthError,
    );
  });
});
