/**
 * Feishu / Lark custom app over event subscriptions (schema 2.0): the
 * `url_verification` handshake, verification token, request signature and
 * encrypted events (the SDK's AESCipher), replies as Markdown cards through
 * `@larksuiteoapi/node-sdk`, which caches the tenant access token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';
import { toFeishuMarkdown } from '../message-text.ts';
import {
  type ChannelAdapter,
  ChannelAuthError,
  type ChannelRequest,
  ChannelSendError,
  checkSignedTimestamp,
  jsonReply,
  type ParsedCallback,
  type ReplyTarget,
} from '../types.ts';

export interface FeishuSettings {
  readonly appId: string;
  readonly appSecret: string;
  readonly verificationToken: string;
  /** Set when the app encrypts events; then requests are signed too. */
  readonly encryptKey?: string;
  /** Open platform base URL (`https://open.feishu.cn`, or Lark's). */
  readonly apiBase: string;
}

/** Markdown card text kept well below Feishu's ~30 KB card limit. */
const MAX_CARD_CHARS = 8_000;

interface FeishuEvent {
  readonly type?: string;
  readonly challenge?: string;
  readonly token?: string;
  readonly encrypt?: string;
  readonly header?: { readonly event_id?: string; readonly event_type?: string; readonly token?: string };
  readonly event?: {
    readonly sender?: { readonly sender_id?: { readonly open_id?: string }; readonly sender_type?: string };
    readonly message?: {
      readonly message_id?: string;
      readonly chat_id?: string;
      readonly chat_type?: string;
      readonly message_type?: string;
      readonly content?: string;
    };
  };
}

interface FeishuReply {
  readonly code?: number;
  readonly msg?: string;
  readonly data?: { readonly user_list?: ReadonlyArray<{ readonly user_id?: string }> };
}

export class FeishuAdapter implements ChannelAdapter {
  readonly name = 'feishu' as const;
  readonly maxMessageLength = MAX_CARD_CHARS;
  readonly #settings: FeishuSettings;
  readonly #client: lark.Client;
  readonly #now: () => number;

  constructor(settings: FeishuSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#client = new lark.Client({
      appId: settings.appId,
      appSecret: settings.appSecret,
      domain: settings.apiBase,
      loggerLevel: lark.LoggerLevel.error,
    });
  }

  async parse(request: ChannelRequest): Promise<ParsedCallback> {
    if (request.method !== 'POST') throw new ChannelAuthError('Feishu sends events by POST');
    let body = parseJson(request.rawBody);
    // Feishu signs events but not the URL check it sends when the callback URL is saved
    // (the SDK answers that before checking signatures too): unsigned, only that passes.
    const signed = this.#hasSignatureHeaders(request);
    if (this.#settings.encryptKey) {
      if (signed) this.#verifySignature(request);
      if (typeof body.encrypt !== 'string' || !body.encrypt) throw new ChannelAuthError('event is not encrypted');
      try {
        body = parseJson(new lark.AESCipher(this.#settings.encryptKey).decrypt(body.encrypt));
      } catch {
        throw new ChannelAuthError('cannot decrypt the event');
      }
    }
    const token: unknown = body.header?.token ?? body.token;
    if (!safeEqual(token, this.#settings.verificationToken)) {
      throw new ChannelAuthError('verification token does not match');
    }
    if (body.type === 'url_verification') return { kind: 'reply', reply: jsonReply({ challenge: body.challenge }) };
    if (this.#settings.encryptKey && !signed) throw new ChannelAuthError('missing Feishu signature headers');
    const ack = jsonReply({ code: 0 });
    const message = body.event?.message;
    const sender = body.event?.sender;
    if (body.header?.event_type !== 'im.message.receive_v1' || sender?.sender_type !== 'user') {
      return { kind: 'reply', reply: ack };
    }
    // Feishu sends these as strings; anything else is not a message from Feishu.
    const userId = text(sender.sender_id?.open_id);
    const chatId = text(message?.chat_id);
    const messageId = text(message?.message_id);
    const said = message?.message_type === 'text' ? readText(message.content) : undefined;
    if (!userId || !chatId || !messageId || !said) return { kind: 'reply', reply: ack };
    return {
      kind: 'message',
      reply: ack,
      message: {
        messageId: text(body.header.event_id) ?? messageId,
        userId,
        chatId,
        // In a group the answer goes in the message's thread; a direct chat needs none.
        threadId: message?.chat_type === 'group' ? messageId : undefined,
        text: said,
      },
    };
  }

  render(markdown: string): string {
    return toFeishuMarkdown(markdown);
  }

  async send(target: ReplyTarget, text: string): Promise<void> {
    const content = JSON.stringify({
      config: { wide_screen_mode: true },
      elements: [{ tag: 'markdown', content: text }],
    });
    let reply: { readonly code?: number; readonly msg?: string };
    try {
      reply = target.threadId
        ? await this.#client.im.message.reply({
            path: { message_id: target.threadId },
            data: { content, msg_type: 'interactive' },
          })
        : await this.#client.im.message.create({
            // A chat id for the chat a message came from; an open id for a user's direct chat with the app.
            params: { receive_id_type: target.chatId === target.userId ? 'open_id' : 'chat_id' },
            data: { receive_id: target.chatId, content, msg_type: 'interactive' },
          });
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      throw new ChannelSendError(
        `Feishu send failed: ${status ?? (error as Error).message}`,
        !status || status >= 500 || status === 429,
      );
    }
    if (reply.code) throw new ChannelSendError(`Feishu send failed: ${reply.code} ${reply.msg ?? ''}`.trim(), false);
  }

  async lookupUser(contact: string): Promise<string | undefined> {
    if (!contact.includes('@')) return contact || undefined;
    try {
      const reply: FeishuReply = await this.#client.contact.user.batchGetId({
        params: { user_id_type: 'open_id' },
        data: { emails: [contact] },
      });
      return reply.data?.user_list?.[0]?.user_id;
    } catch {
      return undefined;
    }
  }

  #hasSignatureHeaders(request: ChannelRequest): boolean {
    const { headers } = request;
    return Boolean(
      headers['x-lark-request-timestamp'] || headers['x-lark-request-nonce'] || headers['x-lark-signature'],
    );
  }

  /** Feishu signs encrypted events: sha256(timestamp + nonce + encryptKey + body), hex. */
  #verifySignature(request: ChannelRequest): void {
    const timestamp = request.headers['x-lark-request-timestamp'];
    const nonce = request.headers['x-lark-request-nonce'];
    const signature = request.headers['x-lark-signature'];
    if (!timestamp || !nonce || !signature) throw new ChannelAuthError('missing Feishu signature headers');
    const expected = createHash('sha256')
      .update(timestamp + nonce + (this.#settings.encryptKey ?? '') + request.rawBody)
      .digest('hex');
    if (!safeEqual(expected, signature)) throw new ChannelAuthError('signature does not match');
    // The signature covers the timestamp: an old one is a replay.
    checkSignedTimestamp(timestamp, this.#now());
  }
}

function parseJson(text: string): FeishuEvent {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as FeishuEvent;
  } catch {
    // fall through
  }
  throw new ChannelAuthError('body is not a JSON object');
}

function readText(content: string | undefined): string | undefined {
  if (!content) return undefined;
  try {
    const text = (JSON.parse(content) as { text?: unknown }).text;
    // Mentions arrive as @_user_1 placeholders.
    return typeof text === 'string' ? text.replace(/@_user_\d+/g, '').trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Constant-time equality of a value from the request and a secret. The value
 * is the sender's JSON: anything not a string is unequal (Buffer.from would
 * take `{"length": 3e8}` as an array-like and allocate it).
 */
function safeEqual(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || !a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A non-empty string field of the sender's JSON, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
