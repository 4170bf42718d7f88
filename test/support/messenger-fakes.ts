/**
 * Local fakes of the WeCom, Feishu and Slack APIs (on loopback) and builders
 * of correctly signed (and encrypted) callbacks, for the channel tests.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt, getSignature } from '@wecom/crypto';

export interface SentMessage {
  readonly platform: 'wecom' | 'feishu' | 'slack';
  /** WeCom touser, Slack channel, Feishu receive_id (or the message replied to). */
  readonly to: string;
  readonly text: string;
  readonly thread?: string;
}

export interface MessengerFake {
  readonly base: string;
  readonly sent: SentMessage[];
  /** Emails the lookup APIs know, to platform user ids. */
  readonly users: Map<string, string>;
  /** Makes the next `n` sends fail with a transient error (WeCom -1, Slack 500, Feishu 500). */
  failNextSends(n: number): void;
  /** WeCom: every token issued so far stops working (as after its expiry). */
  expireTokens(): void;
  tokensIssued(): number;
  /** Resolves when `count` messages have been sent in all. */
  waitForSent(count: number, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(body: string, type: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (type?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  return JSON.parse(body) as Record<string, unknown>;
}

export async function startMessengerFake(): Promise<MessengerFake> {
  const sent: SentMessage[] = [];
  const users = new Map<string, string>();
  const validTokens = new Set<string>();
  let issued = 0;
  let failures = 0;
  const waiters: Array<() => void> = [];
  const record = (message: SentMessage) => {
    sent.push(message);
    for (const wake of waiters.splice(0)) wake();
  };
  const failing = () => {
    if (failures <= 0) return false;
    failures -= 1;
    return true;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = parseBody(await readBody(request), request.headers['content-type']);
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    // WeCom
    if (url.pathname === '/cgi-bin/gettoken') {
      issued += 1;
      const token = `wt-${issued}`;
      validTokens.add(token);
      return json(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (url.pathname.startsWith('/cgi-bin/')) {
      if (!validTokens.has(url.searchParams.get('access_token') ?? '')) {
        return json(200, { errcode: 42001, errmsg: 'access_token expired' });
      }
      if (url.pathname === '/cgi-bin/message/send') {
        if (failing()) return json(200, { errcode: -1, errmsg: 'system busy' });
        const markdown = body.markdown as { content: string };
        record({ platform: 'wecom', to: String(body.touser), text: markdown.content });
        return json(200, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === '/cgi-bin/user/get_userid_by_email') {
        const userid = users.get(String(body.email));
        return json(200, userid ? { errcode: 0, userid } : { errcode: 46004, errmsg: 'user not found' });
      }
    }
    // Slack
    if (url.pathname === '/api/chat.postMessage') {
      if (failing()) return json(500, { ok: false, error: 'internal_error' });
      record({
        platform: 'slack',
        to: String(body.channel),
        text: String(body.text),
        ...(body.thread_ts ? { thread: String(body.thread_ts) } : {}),
      });
      return json(200, { ok: true, ts: `${Date.now() / 1000}` });
    }
    if (url.pathname === '/api/users.lookupByEmail') {
      const id = users.get(String(body.email));
      return json(200, id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' });
    }
    // Feishu
    if (url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      return json(200, { code: 0, msg: 'ok', tenant_access_token: 't-fake', expire: 7200 });
    }
    if (
      url.pathname === '/open-apis/im/v1/messages' ||
      /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/.test(url.pathname)
    ) {
      if (failing()) return json(500, { code: 99991400, msg: 'busy' });
      const card = JSON.parse(String(body.content)) as { elements: Array<{ content: string }> };
      const reply = /\/messages\/([^/]+)\/reply$/.exec(url.pathname)?.[1];
      record({
        platform: 'feishu',
        to: reply ?? String(body.receive_id),
        text: card.elements.map((e) => e.content).join('\n'),
        ...(reply ? { thread: reply } : {}),
      });
      return json(200, { code: 0, msg: 'success', data: { message_id: `om_${sent.length}` } });
    }
    if (url.pathname === '/open-apis/contact/v3/users/batch_get_id') {
      const emails = (body.emails as string[] | undefined) ?? [];
      return json(200, {
        code: 0,
        data: { user_list: emails.map((email) => ({ email, user_id: users.get(email) })) },
      });
    }
    json(404, { error: `fake has no ${url.pathname}` });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    sent,
    users,
    failNextSends: (n) => {
      failures = n;
    },
    expireTokens: () => validTokens.clear(),
    tokensIssued: () => issued,
    waitForSent: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`expected ${count} sent messages, got ${sent.length}: ${JSON.stringify(sent)}`)),
          timeoutMs,
        );
        const check = () => {
          if (sent.length >= count) {
            clearTimeout(deadline);
            resolve([...sent]);
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- callback builders: what each platform would send to Docent ----

export const WECOM = {
  corpId: 'ww-test-corp',
  agentId: '1000002',
  secret: 'wecom-secret',
  token: 'wecomtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

export function wecomEnv(apiBase: string): Record<string, string> {
  return {
    WECOM_CORP_ID: WECOM.corpId,
    WECOM_AGENT_ID: WECOM.agentId,
    WECOM_SECRET: WECOM.secret,
    WECOM_TOKEN: WECOM.token,
    WECOM_ENCODING_AES_KEY: WECOM.encodingAesKey,
    WECOM_API_BASE: apiBase,
  };
}

export interface SignedCallback {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export function wecomUrlCheck(echo: string, token = WECOM.token): SignedCallback {
  const echostr = encrypt(WECOM.encodingAesKey, echo, WECOM.corpId);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(4).toString('hex');
  const signature = getSignature(token, timestamp, nonce, echostr);
  const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce, echostr });
  return { path: `/channels/wecom?${query}`, method: 'GET', headers: {} };
}

/** A text message as WeCom posts it; `token` and `corpId` other than the app's make a forged one. */
export function wecomText(
  from: string,
  text: string,
  msgId: string,
  token = WECOM.token,
  corpId = WECOM.corpId,
): SignedCallback {
  const inner = `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId><AgentID>${WECOM.agentId}</AgentID></xml>`;
  const ciphered = encrypt(WECOM.encodingAesKey, inner, corpId);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(4).toString('hex');
  const signature = getSignature(token, timestamp, nonce, ciphered);
  const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce });
  return {
    path: `/channels/wecom?${query}`,
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphered}]]></Encrypt><AgentID><![CDATA[${WECOM.agentId}]]></AgentID></xml>`,
  };
}

export const SLACK = { botToken: 'xoxb-test', signingSecret: 'slack-signing-secret' };

export function slackEnv(apiBase: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: SLACK.botToken,
    SLACK_SIGNING_SECRET: SLACK.signingSecret,
    SLACK_API_URL: `${apiBase}/api/`,
  };
}

/** An event as Slack posts it; `at` (epoch ms) other than now makes a replayed one. */
export function slackEvent(payload: unknown, secret = SLACK.signingSecret, at = Date.now()): SignedCallback {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(at / 1000));
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    path: '/channels/slack',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  };
}

export function slackDm(user: string, text: string, eventId: string) {
  return {
    type: 'event_callback',
    event_id: eventId,
    event: { type: 'message', channel_type: 'im', user, text, channel: `D${user}`, ts: `${Date.now() / 1000}` },
  };
}

export const FEISHU = {
  appId: 'cli_test',
  appSecret: 'feishu-secret',
  verificationToken: 'feishu-verify',
  encryptKey: 'feishu-encrypt-key',
};

export function feishuEnv(apiBase: string): Record<string, string> {
  return {
    FEISHU_APP_ID: FEISHU.appId,
    FEISHU_APP_SECRET: FEISHU.appSecret,
    FEISHU_VERIFICATION_TOKEN: FEISHU.verificationToken,
    FEISHU_ENCRYPT_KEY: FEISHU.encryptKey,
    FEISHU_API_BASE: apiBase,
  };
}

/** Feishu's event encryption: AES-256-CBC, key sha256(encryptKey), IV prepended, base64. */
function feishuEncrypt(plain: string): string {
  const key = createHash('sha256').update(FEISHU.encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** An event as Feishu posts it to an app with an Encrypt Key; `plain` leaves it unencrypted (still signed). */
export function feishuEvent(
  payload: unknown,
  options: { readonly signWith?: string; readonly plain?: boolean } = {},
): SignedCallback {
  const body = options.plain
    ? JSON.stringify(payload)
    : JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(payload)) });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(4).toString('hex');
  const signature = createHash('sha256')
    .update(timestamp + nonce + (options.signWith ?? FEISHU.encryptKey) + body)
    .digest('hex');
  return {
    path: '/channels/feishu',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    body,
  };
}

export function feishuText(openId: string, text: string, eventId: string, chatId = `oc_${openId}`) {
  return {
    schema: '2.0',
    header: { event_id: eventId, event_type: 'im.message.receive_v1', token: FEISHU.verificationToken },
    event: {
      sender: { sender_id: { open_id: openId }, sender_type: 'user' },
      message: {
        message_id: `om_${eventId}`,
        chat_id: chatId,
        chat_type: 'p2p',
        message_type: 'text',
        content: JSON.stringify({ text }),
      },
    },
  };
}
