/** Builds a test app on fakes (or given pieces) in a temp data dir, and reads SSE bodies. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config.ts';
import { type ConversationStorage, NO_CONVERSATION_FILES } from '../../src/engines/types.ts';
import { buildApp } from '../../src/http/app.ts';
import type { PoolRegistryLike } from '../../src/http/deps.ts';
import { Lifecycle } from '../../src/http/lifecycle.ts';
import { UploadStore } from '../../src/http/uploads/store.ts';
import type { KnowledgeBase } from '../../src/kb/types.ts';
import { createLogger } from '../../src/logger.ts';
import type { Conversations } from '../../src/sessions/conversations.ts';
import { MemorySessionStore } from '../../src/sessions/memory-store.ts';
import { keepConversations, type RetentionSweeper } from '../../src/sessions/retention.ts';
import type { SessionStore } from '../../src/sessions/types.ts';
import { FakeKnowledgeBase, type FakePoolOptions, FakePoolRegistry } from './http-fakes.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` } as const;

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly config?: Partial<Config>;
  readonly pools?: PoolRegistryLike;
  readonly poolOptions?: { employee?: FakePoolOptions; admin?: FakePoolOptions };
  readonly kb?: KnowledgeBase;
  readonly sessions?: SessionStore;
  readonly heartbeatMs?: number;
  readonly lifecycle?: Lifecycle;
  readonly webDir?: string;
  readonly engineCounters?: () => Readonly<Record<string, number>>;
  /** Defaults to ADMIN_TOKEN. */
  readonly adminToken?: string;
  /** What the engine keeps of conversations. @default nothing */
  readonly storage?: ConversationStorage;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly pools: PoolRegistryLike;
  readonly fakePools: FakePoolRegistry | undefined;
  readonly kb: KnowledgeBase;
  readonly sessions: SessionStore;
  readonly conversations: Conversations;
  /** Not started: tests call sweep() themselves. */
  readonly retention: RetentionSweeper;
  readonly uploads: UploadStore;
  readonly dataDir: string;
  readonly lifecycle: Lifecycle;
  close(): Promise<void>;
}

export async function makeTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docent-http-'));
  const base = loadConfig({
    DATA_DIR: dataDir,
    KB_ROOT_PATH: path.join(dataDir, 'kb'),
    DOCENT_ENGINE: 'local',
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    NEW_IDENTITIES_PER_ADDRESS: '1000000',
    ...options.env,
  });
  const config: Config = { ...base, ...options.config };
  const fakePools = options.pools ? undefined : new FakePoolRegistry(options.poolOptions);
  const pools = options.pools ?? fakePools!;
  const kb = options.kb ?? new FakeKnowledgeBase();
  const sessions = options.sessions ?? new MemorySessionStore({ timeoutMs: config.sessionTimeoutS * 1000 });
  const uploads = new UploadStore({ dir: path.join(dataDir, 'uploads') });
  await uploads.init();
  const lifecycle = options.lifecycle ?? new Lifecycle('ready');
  const logger = createLogger('silent');
  const storage = options.storage ?? NO_CONVERSATION_FILES;
  const { conversations, retention } = keepConversations(config, { sessions, storage, logger });
  const app = await buildApp({
    config,
    logger,
    pools,
    kb,
    sessions,
    uploads,
    secrets: { adminToken: options.adminToken ?? ADMIN_TOKEN, cookieSecret: 'test-cookie-secret-0123456789abcdef' },
    version: '0.0.0-test',
    lifecycle,
    heartbeatMs: options.heartbeatMs,
    webDir: options.webDir ?? path.join(dataDir, 'no-web'),
    engineCounters: options.engineCounters,
    conversations,
    retention,
  });
  await app.ready();
  return {
    app,
    config,
    pools,
    fakePools,
    kb,
    sessions,
    conversations,
    retention,
    uploads,
    dataDir,
    lifecycle,
    async close() {
      await retention.stop();
      await app.close();
      await sessions.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ParsedSse {
  readonly events: Array<Record<string, unknown> & { type: string }>;
  readonly heartbeats: number;
}

/** Splits an SSE body into its `data:` events (parsed) and `:` heartbeat comments. */
export function parseSse(body: string): ParsedSse {
  const events: ParsedSse['events'] = [];
  let heartbeats = 0;
  for (const block of body.split('\n\n')) {
    if (block === '') continue;
    if (block === ':') {
      heartbeats += 1;
      continue;
    }
    if (!block.startsWith('data: ')) throw new Error(`Unexpected SSE block: ${JSON.stringify(block)}`);
    events.push(JSON.parse(block.slice('data: '.length)));
  }
  return { events, heartbeats };
}

/** The `name=value` pair of the identity cookie from a Set-Cookie header, for sending back. */
export function cookieFrom(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join('; ') : (setCookie ?? '');
  const match = /docent_uid=[^;]+/.exec(header);
  if (!match) throw new Error(`No identity cookie in ${JSON.stringify(setCookie)}`);
  return match[0];
}

/** Listens on an ephemeral loopback port; returns the base URL. */
export async function listenLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}
