/**
 * WeCom (企业微信) self-built application: callback URL verification and
 * encrypted messages through the official `@wecom/crypto`, replies through the
 * message/send API with a cached access token.
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { AccessTokenCache } from '../access-token.ts';
import { toWecomMarkdown, utf8Length } from '../message-text.ts';
import {
  type ChannelAdapter,
  ChannelAuthError,
  type ChannelRequest,
  ChannelSendError,
  checkSignedTimestamp,
  type ParsedCallback,
  type ReplyTarget,
  textReply,
} from '../types.ts';

export interface WecomSettings {
  readonly corpId: string;
  readonly agentId: string;
  readonly secret: string;
  /** The callback Token set in the WeCom admin console. */
  readonly token: string;
  readonly encodingAesKey: string;
  readonly apiBase: string;
}

/** WeCom's markdown messages hold at most 4096 bytes. */
const MAX_MARKDOWN_BYTES = 4096;
/** Token errors after which one refresh and retry is worth it. */
const TOKEN_ERRORS = new Set([40014, 42001, 40001]);
const REQUEST_TIMEOUT_MS = 10_000;

interface WecomApiReply {
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly access_token?: string;
  readonly expires_in?: number;
  readonly userid?: string;
}

const xml = new XMLParser({ processEntities: false, parseTagValue: false });

export class WecomAdapter implements ChannelAdapter {
  readonly name = 'wecom' as const;
  readonly maxMessageLength = MAX_MARKDOWN_BYTES;
  readonly measure = utf8Length;
  readonly #settings: WecomSettings;
  readonly tokens: AccessTokenCache;
  readonly #now: () => number;

  constructor(settings: WecomSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.tokens = new AccessTokenCache({ fetch: () => this.#fetchToken() });
  }

  async parse(request: ChannelRequest): Promise<ParsedCallback> {
    const { msg_signature: signature, timestamp, nonce, echostr } = request.query;
    if (!signature || !timestamp || !nonce) throw new ChannelAuthError('missing msg_signature, timestamp or nonce');
    // The signature covers the timestamp: an old one is a replay.
    checkSignedTimestamp(timestamp, this.#now());
    if (request.method === 'GET') {
      if (!echostr) throw new ChannelAuthError('missing echostr');
      this.#verify(signature, timestamp, nonce, echostr);
      return { kind: 'reply', reply: textReply(this.#open(echostr).message) };
    }
    const envelope = readXml(request.rawBody);
    const encrypted = envelope.Encrypt;
    if (!encrypted) throw new ChannelAuthError('no Encrypt element');
    this.#verify(signature, timestamp, nonce, encrypted);
    const inner = readXml(this.#open(encrypted).message);
    // WeCom waits up to 5 s for the callback: answer empty at once, reply through the API.
    const ack = textReply('');
    if (inner.MsgType !== 'text' || !inner.FromUserName || !inner.Content) return { kind: 'reply', reply: ack };
    const messageId = inner.MsgId || `${inner.FromUserName}:${inner.CreateTime}`;
    return {
      kind: 'message',
      reply: ack,
      message: { messageId, userId: inner.FromUserName, chatId: inner.FromUserName, text: inner.Content },
    };
  }

  render(markdown: string): string {
    return toWecomMarkdown(markdown);
  }

  async send(target: ReplyTarget, text: string): Promise<void> {
    const body = {
      touser: target.userId,
      msgtype: 'markdown',
      agentid: Number(this.#settings.agentId),
      markdown: { content: text },
    };
    await this.#call('/cgi-bin/message/send', body);
  }

  async lookupUser(contact: string): Promise<string | undefined> {
    if (!contact.includes('@')) return contact || undefined;
    const reply = await this.#call('/cgi-bin/user/get_userid_by_email', { email: contact, email_type: 1 }).catch(
      () => undefined,
    );
    return reply?.userid;
  }

  #verify(signature: string, timestamp: string, nonce: string, encrypted: string): void {
    const expected = Buffer.from(getSignature(this.#settings.token, timestamp, nonce, encrypted));
    const given = Buffer.from(String(signature));
    // Constant time, as Slack's and Feishu's checks: the comparison must not tell how much of a guess was right.
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ChannelAuthError('signature does not match');
    }
  }

  #open(encrypted: string): { message: string; id: string } {
    let opened: { message: string; id: string };
    try {
      opened = decrypt(this.#settings.encodingAesKey, encrypted);
    } catch {
      throw new ChannelAuthError('cannot decrypt the message');
    }
    if (opened.id !== this.#settings.corpId) throw new ChannelAuthError('message is for another corp id');
    return opened;
  }

  async #fetchToken(): Promise<{ token: string; expiresInS: number }> {
    const url = new URL('/cgi-bin/gettoken', this.#settings.apiBase);
    url.searchParams.set('corpid', this.#settings.corpId);
    url.searchParams.set('corpsecret', this.#settings.secret);
    const reply = await requestJson(url, undefined);
    if (reply.errcode || !reply.access_token) {
      throw new ChannelSendError(`gettoken failed: ${reply.errcode} ${reply.errmsg ?? ''}`.trim(), true);
    }
    return { token: reply.access_token, expiresInS: reply.expires_in ?? 7200 };
  }

  /** Calls an API with the access token; a token error refreshes it and tries once more. */
  async #call(apiPath: string, body: unknown): Promise<WecomApiReply> {
    for (let attempt = 0; ; attempt++) {
      const url = new URL(apiPath, this.#settings.apiBase);
      const token = await this.tokens.get();
      url.searchParams.set('access_token', token);
      const reply = await requestJson(url, body);
      if (!reply.errcode) return reply;
      if (TOKEN_ERRORS.has(reply.errcode) && attempt === 0) {
        this.tokens.invalidate(token);
        continue;
      }
      // -1 is "system busy", 45009 the API rate limit: both pass with time.
      const retryable = reply.errcode === -1 || reply.errcode === 45009;
      throw new ChannelSendError(`${apiPath} failed: ${reply.errcode} ${reply.errmsg ?? ''}`.trim(), retryable);
    }
  }
}

function readXml(text: string): Record<string, string | undefined> {
  let parsed: unknown;
  try {
    parsed = xml.parse(text);
  } catch {
    throw new ChannelAuthError('body is not XML');
  }
  const root = (parsed as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new ChannelAuthError('body has no <xml> root');
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(root)) {
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

async function requestJson(url: URL, body: unknown): Promise<WecomApiReply> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ChannelSendError(`WeCom unreachable: ${(error as Error).message}`, true);
  }
  if (!response.ok)
    throw new ChannelSendError(
      `WeCom answered HTTP ${response.status}`,
      response.status >= 500 || response.status === 429,
    );
  return (await response.json()) as WecomApiReply;
}
