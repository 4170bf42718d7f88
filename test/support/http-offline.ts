/**
 * The real stack with the offline engine (sample knowledge base copied to a
 * temp dir, real pools, SQLite sessions), listening on loopback. For load
 * tests; clean-up removes everything it made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLocalWorkerFactory } from '../../src/engines/local/index.ts';
import type { AgentEvent, TurnInput } from '../../src/engines/types.ts';
import { buildApp } from '../../src/http/app.ts';
import { Lifecycle } from '../../src/http/lifecycle.ts';
import { UploadStore } from '../../src/http/uploads/store.ts';
import { openKnowledgeBase } from '../../src/kb/index.ts';
import type { KnowledgeBase } from '../../src/kb/types.ts';
import { createLogger } from '../../src/logger.ts';
import { createPoolRegistry, type PoolRegistry } from '../../src/pool/index.ts';
import { openSessionStore } from '../../src/sessions/index.ts';
import type { SessionStore } from '../../src/sessions/types.ts';
import { ADMIN_TOKEN, listenLoopback } from './http-helpers.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE_KB = path.join(REPO_ROOT, 'samples', 'knowledge_base');

export interface OfflineStack {
  readonly base: string;
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly sessions: SessionStore;
  readonly kb: KnowledgeBase;
  readonly pools: PoolRegistry<TurnInput, AgentEvent>;
  close(): Promise<void>;
}

export async function startOfflineStack(env: Record<string, string> = {}): Promise<OfflineStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-offline-'));
  const config = loadConfig({
    DATA_DIR: path.join(dir, 'data'),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'local',
    ADMIN_TOKEN,
    RATE_LIMIT_PER_MINUTE: '1000000',
    NEW_IDENTITIES_PER_ADDRESS: '1000000',
    ...env,
  });
  const logger = createLogger('silent');
  const kb = await openKnowledgeBase({
    root: config.kbRoot,
    smallFileThresholdKb: config.smallFileThresholdKb,
    faqMaxEntries: config.faqMaxEntries,
    seedFrom: SAMPLE_KB,
    logger,
  });
  const uploads = new UploadStore({ dir: path.join(config.dataDir, 'uploads') });
  await uploads.init();
  const factory = (role: 'employee' | 'admin') =>
    createLocalWorkerFactory({ kb, role, resolveUpload: uploads.resolve, logger });
  const pools = createPoolRegistry({ employee: factory('employee'), admin: factory('admin') }, config.pools);
  const sessions = openSessionStore({ kind: 'sqlite', dataDir: config.dataDir, timeoutS: config.sessionTimeoutS });
  const app = await buildApp({
    config,
    logger,
    pools,
    kb,
    sessions,
    uploads,
    secrets: { adminToken: ADMIN_TOKEN, cookieSecret: 'offline-cookie-secret-0123456789abcdef' },
    version: '0.0.0-test',
    lifecycle: new Lifecycle('ready'),
  });
  const base = await listenLoopback(app);
  return {
    base,
    app,
    config,
    sessions,
    kb,
    pools,
    async close() {
      await app.close();
      await pools.destroy();
      await sessions.close();
      await kb.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
