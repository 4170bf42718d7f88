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
import type { ChannelAdapter, ChannelRequest, ParsedCallback, ReplyTarget } from '../../src/channels/types.ts';
import { createLogger } from '../../src/logger.ts';

/** An adapter whose callbacks are JSON {id, user, text} and whose sends are recorded. */
class RecordingAdapter implements ChannelAdapter {
  readonly name = 'slack' as const;
  readonly sent: Array<{ to: string; text: string }> = [];
  constructor(readonly maxMessageLength = 4000) {}
  async parse(request: ChannelRequest): Promise<ParsedCallback> {
    const { id, user, text } = JSON.parse(request.rawBody) as { id: string; user: string; text: string };
    return {
      kind: 'message',
      reply: { status: 200, body: '', contentType: 'text/plain' },
      message: { messageId: id, userId: user, chatId: user, text },
    };
  }
  async send(target: ReplyTarget, text: string): Promise<void> {
    this.sent.push({ to: target.userId, text });
  }
  render(markdown: string): string {
    return markdown;
  }
  async lookupUser(contact: string): Promise<string | undefined> {
    return contact === 'expert@example.com' ? 'expert' : undefined;
  }
}

function setup(ask: AskEmployee, adapter = new RecordingAdapter()) {
  let clock = 1_000_000;
  const faq: Array<{ question: string; answer: string }> = [];
  const router = new ChannelRouter({
    adapters: [adapter],
    ask,
    experts: {
      findExpert: async () => ({ domain: 'Facilities', name: 'Pat Expert', contact: 'expert@example.com' }),
      feedback: async (input) => {
        faq.push({ question: input.question, answer: input.answer });
        return { action: 'faq_added', message: 'added' };
      },
    },
    handoffs: new MemoryHandoffStore(),
    logger: createLogger('silent'),
    handoffTimeoutMs: 24 * 3_600_000,
    sendBackoffMs: 1,
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
  return { router, adapter, say, faq, advance: (ms: number) => (clock += ms) };
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
    const { say } = setup(
      async () => ({ kind: 'answer', text: `${long}\n\n**Reference Source**\n- a.md:1-2` }),
      adapter,
    );
    await say('emp', 'Long one?');
    assert.ok(adapter.sent.length > 1);
    assert.ok(adapter.sent.every((m) => m.text.length <= 400));
    assert.equal(adapter.sent.map((m) => m.text).join('\n\n'), `${long}\n\n**Reference Source**\n- a.md:1-2`);
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
