/**
 * A local stand-in for the Anthropic Messages API, for tests and benchmarks.
 *
 * It listens on 127.0.0.1 (random port) and answers `POST /v1/messages` with
 * the streaming server-sent events the Claude CLI expects. Each test scripts
 * it: a queue of replies consumed one per request (then the default reply),
 * or a function deciding per request. The default reply names how many user
 * turns the request carried, so a test can prove a resumed session kept its
 * history. Every request is logged, with how far its reply got (text deltas
 * sent, finished), so a test can tell text was passed on while the reply was
 * still streaming: a reply can stream slowly (`chunks`, `chunkDelayMs`) or
 * pause after a delta until the test lets it go on (`pauseAfterChunk`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  readonly index: number;
  readonly path: string;
  /** The parsed JSON body. */
  readonly body: { readonly messages?: readonly StubMessage[]; readonly [key: string]: unknown };
  /** User messages carrying text the user typed (tool results excluded). */
  readonly userTurns: number;
  /** The text of the last user turn (system reminders left out). */
  readonly lastUserText: string;
  /** Every user turn's text, in order. */
  readonly userTexts: readonly string[];
  /** The request headers (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** What the stub answered: an HTTP status, or 200 for a stream. */
  answeredStatus?: number;
  /** Text deltas written so far, and how many the reply has in all. */
  textDeltasSent: number;
  textDeltasTotal: number;
  /** True once the whole reply was written (`message_stop`). */
  finished: boolean;
}

export interface StubMessage {
  readonly role: string;
  readonly content:
    | string
    | ReadonlyArray<{ readonly type: string; readonly text?: string; readonly [k: string]: unknown }>;
}

export interface StubReply {
  /** Text of the answer. Default: `Answer to user turn <n>: <last user text>`. */
  readonly text?: string;
  /** Ask the agent to call a tool instead of (or after) the text. */
  readonly toolUse?: { readonly name: string; readonly input: Record<string, unknown>; readonly id?: string };
  /** Answer with this HTTP status and an API error body instead. */
  readonly status?: 401 | 429 | 500 | 529 | number;
  readonly errorMessage?: string;
  /** Wait this long before the first byte (model "think time"). */
  readonly thinkMs?: number;
  /** Split the text into this many chunks (one text delta each)... */
  readonly chunks?: number;
  /** ...and wait this long between them (slow streaming). */
  readonly chunkDelayMs?: number;
  /** Stop after this many text deltas until `until` settles (to prove text is passed on as it streams). */
  readonly pauseAfterChunk?: { readonly after: number; readonly until: Promise<unknown> };
  /** Hold the answer until this settles (to prove requests overlap). */
  readonly gate?: Promise<unknown>;
  /** Cut the connection right after the text was streamed (a mid-stream failure). */
  readonly dropAfterText?: boolean;
  /** Never finish the stream (until the client goes away or the stub closes). */
  readonly hang?: boolean;
}

export type StubScript = (request: StubRequest) => StubReply | undefined;

export interface ModelStub {
  /** `http://127.0.0.1:<port>`, for ANTHROPIC_BASE_URL. */
  readonly url: string;
  /** Every Messages API request so far, oldest first. */
  readonly requests: readonly StubRequest[];
  /** Replies used for the next requests, one each, before the default. */
  enqueue(...replies: StubReply[]): void;
  /** Decides the reply of every request (queued replies still come first). */
  setScript(script: StubScript | undefined): void;
  /** The reply used when nothing else applies (merged over the built-in default). */
  setDefault(reply: StubReply): void;
  /** Resolves when `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

const SYSTEM_REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;

function textOf(message: StubMessage): string | undefined {
  if (typeof message.content === 'string') return message.content.replace(SYSTEM_REMINDER, '').trim();
  if (message.content.some((block) => block.type === 'tool_result')) return undefined;
  const texts = message.content
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => (block.text as string).replace(SYSTEM_REMINDER, '').trim())
    .filter(Boolean);
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function describe(
  index: number,
  path: string,
  body: StubRequest['body'],
  headers: StubRequest['headers'],
): StubRequest {
  const userTexts: string[] = [];
  for (const message of body.messages ?? []) {
    if (message.role !== 'user') continue;
    const text = textOf(message);
    if (text !== undefined) userTexts.push(text);
  }
  return {
    index,
    path,
    body,
    headers,
    userTurns: userTexts.length,
    lastUserText: userTexts.at(-1) ?? '',
    userTexts,
    textDeltasSent: 0,
    textDeltasTotal: 0,
    finished: false,
  };
}

function sse(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function split(text: string, parts: number): string[] {
  if (parts <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startModelStub(initialDefault: StubReply = {}): Promise<ModelStub> {
  const requests: StubRequest[] = [];
  const queue: StubReply[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const open = new Set<ServerResponse>();
  let script: StubScript | undefined;
  let defaults: StubReply = initialDefault;

  async function answer(request: StubRequest, res: ServerResponse): Promise<void> {
    const reply: StubReply = { ...defaults, ...(queue.shift() ?? script?.(request) ?? {}) };
    request.answeredStatus = reply.status ?? 200;
    if (reply.gate) await reply.gate;
    if (reply.thinkMs) await sleep(reply.thinkMs);
    if (reply.status && reply.status >= 400) {
      const type = ERROR_TYPES[reply.status] ?? 'api_error';
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_${request.index}` });
      res.end(JSON.stringify({ type: 'error', error: { type, message: reply.errorMessage ?? `stub ${type}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const model = typeof request.body.model === 'string' ? request.body.model : 'claude-stub';
    sse(res, 'message_start', {
      message: {
        id: `msg_${randomUUID().replaceAll('-', '')}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    const text = reply.text ?? `Answer to user turn ${request.userTurns}: ${request.lastUserText}`;
    let index = 0;
    if (text) {
      sse(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
      const pieces = split(text, reply.chunks ?? 1);
      request.textDeltasTotal = pieces.length;
      for (const [i, piece] of pieces.entries()) {
        if (i > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
        if (i > 0 && i === reply.pauseAfterChunk?.after) await reply.pauseAfterChunk.until;
        if (res.destroyed) return;
        sse(res, 'content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
        request.textDeltasSent = i + 1;
      }
      sse(res, 'content_block_stop', { index });
      index += 1;
    }
    if (reply.dropAfterText) {
      res.destroy();
      return;
    }
    if (reply.hang) return; // left open until the client or close() ends it
    if (reply.toolUse) {
      const id = reply.toolUse.id ?? `toolu_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
      sse(res, 'content_block_start', {
        index,
        content_block: { type: 'tool_use', id, name: reply.toolUse.name, input: {} },
      });
      sse(res, 'content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.toolUse.input) },
      });
      sse(res, 'content_block_stop', { index });
    }
    sse(res, 'message_delta', {
      delta: { stop_reason: reply.toolUse ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: Math.max(1, Math.ceil(text.length / 4)) },
    });
    sse(res, 'message_stop', {});
    request.finished = true;
    res.end();
  }

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'HEAD' || req.method === 'GET') {
      res.writeHead(200).end();
      return;
    }
    void readBody(req)
      .then(async (raw) => {
        if (path.endsWith('/count_tokens')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 10 }));
          return;
        }
        if (path !== '/v1/messages') {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        const request = describe(requests.length, path, JSON.parse(raw || '{}'), req.headers);
        requests.push(request);
        for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        await answer(request, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    setScript: (next) => {
      script = next;
    },
    setDefault: (reply) => {
      defaults = reply;
    },
    waitForRequests: (count) =>
      requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
