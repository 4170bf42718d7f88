/**
 * Slack app over the Events API: signed requests (v0 HMAC), the URL
 * verification handshake, direct messages and mentions answered in thread
 * through `@slack/web-api`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { toSlackMrkdwn } from '../message-text.ts';
import {
  type ChannelAdapter,
  ChannelAuthError,
  type ChannelRequest,
  ChannelSendError,
  jsonReply,
  type ParsedCallback,
  type ReplyTarget,
  textReply,
} from '../types.ts';

export interface SlackSettings {
  readonly botToken: string;
  readonly signingSecret: string;
  /** Web API base, `https://slack.com/api/` unless a test points elsewhere. */
  readonly apiUrl: string;
}

/** Slack refuses requests whose timestamp is further off than this (replay protection). */
const MAX_SKEW_S = 5 * 60;
/** Slack truncates message text beyond 40,000 characters; keep well under for readability. */
const MAX_TEXT_CHARS = 3_900;

interface SlackEnvelope {
  readonly type?: string;
  readonly challenge?: string;
  readonly event_id?: string;
  readonly event?: {
    readonly type?: string;
    readonly subtype?: string;
    readonly bot_id?: string;
    readonly user?: string;
    readonly text?: string;
    readonly channel?: string;
    readonly channel_type?: string;
    readonly ts?: string;
    readonly thread_ts?: string;
    readonly client_msg_id?: string;
  };
}

export class SlackAdapter implements ChannelAdapter {
  readonly name = 'slack' as const;
  readonly maxMessageLength = MAX_TEXT_CHARS;
  readonly #settings: SlackSettings;
  readonly #client: WebClient;
  readonly #now: () => number;

  constructor(settings: SlackSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#client = new WebClient(settings.botToken, {
      slackApiUrl: settings.apiUrl,
      // The router retries with its own back-off and reports failures.
      retryConfig: { retries: 0 },
      timeout: 10_000,
    });
  }

  async parse(request: ChannelRequest): Promise<ParsedCallback> {
    if (request.method !== 'POST') throw new ChannelAuthError('Slack sends events by POST');
    this.#verify(request);
    let envelope: SlackEnvelope;
    try {
      envelope = JSON.parse(request.rawBody) as SlackEnvelope;
    } catch {
      throw new ChannelAuthError('body is not JSON');
    }
    if (!envelope || typeof envelope !== 'object') throw new ChannelAuthError('body is not a JSON object');
    if (envelope.type === 'url_verification')
      return { kind: 'reply', reply: textReply(text(envelope.challenge) ?? '') };
    const ack = jsonReply({ ok: true });
    const event = envelope.event && typeof envelope.event === 'object' ? envelope.event : undefined;
    const wanted = event && (event.type === 'app_mention' || (event.type === 'message' && event.channel_type === 'im'));
    // Slack sends these as strings; anything else is not a message from Slack.
    const user = text(event?.user);
    const channel = text(event?.channel);
    const ts = text(event?.ts);
    const said = text(event?.text);
    if (!wanted || event.subtype || event.bot_id || !user || !channel || !ts || !said) {
      return { kind: 'reply', reply: ack };
    }
    return {
      kind: 'message',
      reply: ack,
      message: {
        messageId: text(envelope.event_id) ?? text(event.client_msg_id) ?? `${channel}:${ts}`,
        userId: user,
        chatId: channel,
        threadId: text(event.thread_ts) ?? ts,
        text: said.replace(/<@[A-Z0-9]+>/g, '').trim(),
      },
    };
  }

  render(markdown: string): string {
    return toSlackMrkdwn(markdown);
  }

  async send(target: ReplyTarget, text: string): Promise<void> {
    try {
      await this.#client.chat.postMessage({
        channel: target.chatId,
        text,
        mrkdwn: true,
        ...(target.threadId ? { thread_ts: target.threadId } : {}),
      });
    } catch (error) {
      const data = (error as { data?: { error?: string } }).data;
      const code = data?.error ?? (error as Error).message;
      const permanent = ['channel_not_found', 'not_in_channel', 'invalid_auth', 'account_inactive', 'is_archived'];
      throw new ChannelSendError(`chat.postMessage failed: ${code}`, !permanent.includes(code));
    }
  }

  async lookupUser(contact: string): Promise<string | undefined> {
    if (!contact.includes('@')) return contact || undefined;
    try {
      const found = await this.#client.users.lookupByEmail({ email: contact });
      return found.user?.id;
    } catch {
      return undefined;
    }
  }

  /** Slack's documented scheme: v0=HMAC-SHA256(secret, "v0:" + timestamp + ":" + body). */
  #verify(request: ChannelRequest): void {
    const timestamp = request.headers['x-slack-request-timestamp'];
    const signature = request.headers['x-slack-signature'];
    if (!timestamp || !signature) throw new ChannelAuthError('missing Slack signature headers');
    const skew = Math.abs(this.#now() / 1000 - Number(timestamp));
    if (!Number.isFinite(skew) || skew > MAX_SKEW_S) throw new ChannelAuthError('request timestamp too old');
    const expected = `v0=${createHmac('sha256', this.#settings.signingSecret).update(`v0:${timestamp}:${request.rawBody}`).digest('hex')}`;
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ChannelAuthError('signature does not match');
  }
}

/** A non-empty string field of the sender's JSON, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
