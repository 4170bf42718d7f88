/** A messenger adapter for router tests: callbacks are JSON {id, user, text}; sends are recorded, or fail on demand. */
import type { ChannelAdapter, ChannelRequest, ParsedCallback, ReplyTarget } from '../../src/channels/types.ts';

/** An adapter whose callbacks are JSON {id, user, text} and whose sends are recorded. */
export class RecordingAdapter implements ChannelAdapter {
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
  /** Errors the next sends throw, one each. */
  readonly failWith: Error[] = [];
  readonly attemptsAt: number[] = [];
  async send(target: ReplyTarget, text: string): Promise<void> {
    this.attemptsAt.push(performance.now());
    const failure = this.failWith.shift();
    if (failure) throw failure;
    this.sent.push({ to: target.userId, text });
  }
  render(markdown: string): string {
    return markdown;
  }
  async lookupUser(contact: string): Promise<string | undefined> {
    return contact === 'expert@example.com' ? 'expert' : undefined;
  }
}
