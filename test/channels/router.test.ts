import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHandoffStore } from '../../src/channels/handoff-store.ts';
import {
  charLength,
  splitMessage,
  toSlackMrkdwn,
  toWecomMarkdown,
  utf8Length,
} from '../../src/channels/message-text.ts';
import { type AskEmployee, ChannelRouter } from '../../src/channels/router.ts';
import { ChannelSendError, type RateAnswer } from '../../src/channels/types.ts';
import { createLogger } from '../../src/logger.ts';
import { RecordingAdapter } from '../support/recording-adapter.ts';

interface SetupOptions {
  readonly adapter?: RecordingAdapter;
  readonly rate?: RateAnswer;
  readonly maxInFlight?: number;
  readonly sendAttempts?: number;
  readonly sendBackoffMs?: number;
  readonly handoffTimeoutMs?: number;
}

function setup(ask: AskEmployee, options: SetupOptions = {}) {
  let clock = 1_000_000;
  const faq: Array<{ question: string; answer: string }> = [];
  const adapter = options.adapter ?? new RecordingAdapter();
  const ratings: Array<Parameters<RateAnswer>[0]> = [];
  const handoffs = new MemoryHandoffStore();
  const router = new ChannelRouter({
    adapters: [adapter],
    ask,
    rate:
      options.rate ??
      (async (rating) => {
        ratings.push(rating);
        return { kind: 'rated', action: rating.satisfied ? 'faq_added' : 'badcase_logged' };
      }),
    experts: {
      findExpert: async () => ({ domain: 'Facilities', name: 'Pat Expert', contact: 'expert@example.com' }),
      feedback: async (input) => {
        faq.push({ question: input.question, answer: input.answer });
        return { action: 'faq_added', message: 'added' };
      },
    },
    handoffs,
    logger: createLogger('silent'),
    handoffTimeoutMs: options.handoffTimeoutMs ?? 24 * 3_600_000,
    sendBackoffMs: options.sendBackoffMs ?? 1,
    ...(options.sendAttempts ? { sendAttempts: options.sendAttempts } : {}),
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
    now: () => clock,
  });
  let seq = 0;
  const say = async (user: string, text: string) => {
    await router.handle('slack', {
      method: 'POST',
      query: {},
      headers: {},
      rawBody: JSON.stringify({ id: `m${++seq}`, user, text }),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return { router, adapter, say, faq, ratings, handoffs, advance: (ms: number) => (clock += ms) };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An ask that answers only when the test says so. */
function heldAsk() {
  const held: Array<() => void> = [];
  const asked: string[] = [];
  const ask: AskEmployee = ({ message }) =>
    new Promise((resolve) => {
      asked.push(message);
      held.push(() => resolve({ kind: 'answer', text: `Answer to ${message}\n\n**Reference Source**\n- a.md:1-2` }));
    });
  return {
    ask,
    asked,
    release: () => {
      for (const go of held.splice(0)) go();
    },
  };
}

const notFound: AskEmployee = async ({ message }) => ({
  kind: 'answer',
  text: `## Answer\n\nNothing about: ${message}`,
});

describe('channel router', () => {
  it('tells the employee when a forwarded question times out, once', async () => {
    const { router, adapter, say, advance } = setup(notFound);
    await say('emp', 'Can pets come to work?');
    await say('emp', 'yes');
    assert.ok(adapter.sent.some((m) => m.to === 'expert'));
    advance(23 * 3_600_000);
    assert.equal(await router.sweepHandoffs(), 0, 'not due yet');
    advance(2 * 3_600_000);
    assert.equal(await router.sweepHandoffs(), 1);
    assert.match(adapter.sent.at(-1)!.text, /did not answer "Can pets come to work\?" within 24 h/);
    assert.equal(await router.sweepHandoffs(), 0, 'told once');
    const late = adapter.sent.length;
    await say('expert', 'Late answer');
    assert.ok(
      !adapter.sent.slice(late).some((m) => m.to === 'emp'),
      'an expired hand-off relays nothing; the expert is an employee again',
    );
  });

  it('deletes an answered hand-off 30 days after it was asked', async () => {
    const { router, say, advance, handoffs } = setup(notFound);
    await say('emp', 'Can pets come to work?');
    await say('emp', 'yes');
    await say('expert', 'Only guide dogs.');
    assert.equal((await handoffs.lastAnswered('slack', 'expert', 0))?.answer, 'Only guide dogs.');
    advance(29 * 24 * 3_600_000);
    await router.sweepHandoffs();
    assert.ok(await handoffs.lastAnswered('slack', 'expert', 0), 'kept for 30 days');
    advance(2 * 24 * 3_600_000);
    await router.sweepHandoffs();
    assert.equal(await handoffs.lastAnswered('slack', 'expert', 0), undefined);
  });

  it('waits as long as the setting says, and tells the employee in those terms', async () => {
    const { router, adapter, say, advance } = setup(notFound, { handoffTimeoutMs: 30 * 60_000 });
    await say('emp', '宠物可以带到公司吗？');
    await say('emp', '是');
    assert.ok(adapter.sent.some((m) => m.to === 'emp' && /最多等待 30 分钟/.test(m.text)));
    advance(29 * 60_000);
    assert.equal(await router.sweepHandoffs(), 0);
    advance(2 * 60_000);
    assert.equal(await router.sweepHandoffs(), 1);
    assert.match(adapter.sent.at(-1)!.text, /Pat Expert 在 30 分钟内没有回复你的问题“宠物可以带到公司吗？”/);
  });

  it('lets an expert with a pending question ask their own by starting with "?"', async () => {
    const asked: string[] = [];
    const { adapter, say } = setup(async (turn) => {
      asked.push(turn.message);
      return notFound(turn);
    });
    await say('emp', 'Can pets come to work?');
    await say('emp', 'yes');
    await say('expert', '? Where is the printer?');
    assert.deepEqual(asked, ['Can pets come to work?', 'Where is the printer?']);
    assert.ok(!adapter.sent.some((m) => m.to === 'emp' && /printer/.test(m.text)));
  });

  it('relays a reply tagged #id to that hand-off when an expert has several', async () => {
    const { adapter, say } = setup(notFound);
    await say('a', 'First question?');
    await say('a', 'yes');
    await say('b', 'Second question?');
    await say('b', 'yes');
    const request = adapter.sent.filter((m) => m.to === 'expert').at(-1)!;
    const id = /#([0-9a-f]{6})/.exec(request.text)![1];
    assert.match(request.text, /2 questions waiting/);
    await say('expert', `#${id} Answer for b`);
    assert.ok(adapter.sent.some((m) => m.to === 'b' && /Answer for b/.test(m.text)));
    assert.ok(!adapter.sent.some((m) => m.to === 'a' && /Answer for b/.test(m.text)));
  });

  it('needs the "yes" right after the offer: an answered question in between drops it', async () => {
    const { adapter, say } = setup(async (turn) =>
      turn.message.includes('leave')
        ? { kind: 'answer', text: '## Answer\n\n20 days.\n\n**Reference Source**\n- hr/leave.md:3-4' }
        : notFound(turn),
    );
    await say('emp', 'Can pets come to work?');
    await say('emp', 'How much leave do I get?');
    await say('emp', 'yes');
    assert.equal(adapter.sent.filter((m) => m.to === 'expert').length, 0);
  });

  it('tells the asker to retry when the pool is busy, and does not offer an expert', async () => {
    const { adapter, say } = setup(async () => ({ kind: 'busy' }));
    await say('emp', 'Anything?');
    assert.deepEqual(
      adapter.sent.map((m) => m.text),
      ['Docent is busy right now. Please try again in a moment.'],
    );
  });

  it('splits a long answer into messages within the platform limit, in order', async () => {
    const paragraph = (n: number) => `Paragraph ${n}: ${'word '.repeat(30).trim()}`;
    const long = Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n');
    const adapter = new RecordingAdapter(400);
    const { say } = setup(async () => ({ kind: 'answer', text: `${long}\n\n**Reference Source**\n- a.md:1-2` }), {
      adapter,
    });
    await say('emp', 'Long one?');
    assert.ok(adapter.sent.length > 1);
    assert.ok(adapter.sent.every((m) => m.text.length <= 400));
    assert.equal(adapter.sent.map((m) => m.text).join('\n\n'), `${long}\n\n**Reference Source**\n- a.md:1-2`);
  });
});

describe('channel router: platform rules', () => {
  it('acknowledges the callback before the turn runs; the answer follows through the send API', async () => {
    const { ask, asked, release } = heldAsk();
    const { router, adapter } = setup(ask);
    const reply = await router.handle('slack', {
      method: 'POST',
      query: {},
      headers: {},
      rawBody: JSON.stringify({ id: 'slow-1', user: 'emp', text: 'Slow question?' }),
    });
    assert.equal(reply.status, 200, 'answered while the turn is still waiting');
    await until(() => asked.length === 1);
    assert.equal(adapter.sent.length, 0);
    release();
    await until(() => adapter.sent.length === 1);
    assert.equal(adapter.sent[0]!.to, 'emp');
    assert.match(adapter.sent[0]!.text, /Answer to Slow question\?/);
    await router.close();
  });

  it('holds at most maxInFlight messages: the one past it is told to retry and runs no turn', async () => {
    const { ask, asked, release } = heldAsk();
    const { router, adapter, say } = setup(ask, { maxInFlight: 2 });
    await say('a', 'One?');
    await say('b', 'Two?');
    await say('c', 'Three?');
    assert.deepEqual(asked, ['One?', 'Two?']);
    assert.deepEqual(adapter.sent, [{ to: 'c', text: 'Docent is busy right now. Please try again in a moment.' }]);
    release();
    await until(() => adapter.sent.length === 3);
    await say('c', 'Three again?');
    assert.deepEqual(asked, ['One?', 'Two?', 'Three again?'], 'room again once the others finished');
    release();
    await router.close();
  });

  it('retries a failed send with bounded back-off, then reports it; a permanent error is not retried', async () => {
    const answer: AskEmployee = async () => ({ kind: 'answer', text: 'Yes.\n\n**Reference Source**\n- a.md:1-2' });
    const backoff = 40;
    const { router, adapter, say } = setup(answer, { sendAttempts: 4, sendBackoffMs: backoff });
    const busy = () => new ChannelSendError('system busy', true);

    adapter.failWith.push(busy(), busy(), busy());
    await say('emp', 'First?');
    await until(() => adapter.sent.length === 1);
    assert.equal(adapter.attemptsAt.length, 4, 'three failures, then the fourth attempt went through');
    const gaps = adapter.attemptsAt.slice(1).map((at, i) => at - adapter.attemptsAt[i]!);
    // Full jitter: each wait is anywhere up to the doubled back-off, never past it.
    for (const [i, gap] of gaps.entries()) assert.ok(gap <= backoff * 2 ** i + 30, `wait ${i + 1} was ${gap} ms`);
    assert.equal(router.health()[0]!.sendFailures, 0, 'a send that got through is no failure');

    adapter.attemptsAt.length = 0;
    adapter.failWith.push(...Array.from({ length: 10 }, busy));
    await say('emp', 'Second?');
    await until(() => router.health()[0]!.sendFailures === 1);
    assert.equal(adapter.attemptsAt.length, 4, 'gives up after sendAttempts');
    assert.equal(router.health()[0]!.lastSendError?.message, 'system busy');

    adapter.failWith.length = 0;
    adapter.attemptsAt.length = 0;
    adapter.failWith.push(new ChannelSendError('channel_not_found', false));
    await say('emp', 'Third?');
    await until(() => router.health()[0]!.sendFailures === 2);
    assert.equal(adapter.attemptsAt.length, 1, 'a permanent error is not retried');
    assert.equal(router.health()[0]!.lastSendError?.message, 'channel_not_found');
    await router.close();
  });
});

describe('channel router: feedback in chat', () => {
  it('rates the answer of this conversation instead of asking the agent, in the language it was given in', async () => {
    const asked: string[] = [];
    const { adapter, say, ratings } = setup(async ({ message }) => {
      asked.push(message);
      return { kind: 'answer', text: `About ${message}\n\n**Reference Source**\n- hr/leave.md:3-4` };
    });
    await say('emp', '年假有多少天？');
    await say('emp', '满意');
    await say('emp', '不满意 没有说明试用期');
    await say('other', 'helpful');
    assert.deepEqual(asked, ['年假有多少天？'], 'feedback runs no turn');
    assert.deepEqual(ratings, [
      { ownerId: 'slack:emp:emp', satisfied: true },
      { ownerId: 'slack:emp:emp', satisfied: false, reason: '没有说明试用期' },
      { ownerId: 'slack:other:other', satisfied: true },
    ]);
    assert.deepEqual(
      adapter.sent.slice(1).map((m) => m.text),
      [
        '谢谢反馈！该回答已加入常见问题（FAQ）。',
        '谢谢反馈，问题已记录，管理员会跟进。',
        'Thanks! I added this answer to the FAQ.',
      ],
    );
  });

  it('says so when the answer was already rated, and offers no expert for feedback', async () => {
    const { adapter, say } = setup(notFound, { rate: async () => ({ kind: 'already' }) });
    await say('emp', 'helpful');
    assert.deepEqual(
      adapter.sent.map((m) => m.text),
      ['You already rated that answer. Thanks!'],
    );
  });
});

describe('message text', () => {
  it('splits at paragraphs, then lines, then words, never past the limit', () => {
    const text = `${'a'.repeat(50)}\n\n${'b '.repeat(100)}\n\n${'c'.repeat(10)}`;
    const pieces = splitMessage(text, 60);
    assert.ok(pieces.every((p) => charLength(p) <= 60));
    assert.equal(pieces[0], 'a'.repeat(50));
    assert.equal(pieces.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
  });

  it('counts WeCom limits in bytes: Chinese text splits earlier', () => {
    const text = '年假'.repeat(1000);
    const pieces = splitMessage(text, 4096, utf8Length);
    assert.ok(pieces.length >= 2);
    assert.ok(pieces.every((p) => utf8Length(p) <= 4096));
  });

  it('renders Slack mrkdwn: bold, headings, links, escapes', () => {
    assert.equal(
      toSlackMrkdwn('## Answer\n**Yes** see [the policy](https://x.example/p) & <b>'),
      '*Answer*\n*Yes* see <https://x.example/p|the policy> &amp; &lt;b&gt;',
    );
  });

  it('renders WeCom markdown without tables or fences', () => {
    assert.equal(toWecomMarkdown('| a | b |\n|---|---|\n| 1 | 2 |\n```\ncode\n```'), 'a · b\n1 · 2\ncode');
  });
});
