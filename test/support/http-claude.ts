/** The HTTP app on the real Claude engine (the CLI against a fresh model stub), shared by the Claude-engine HTTP tests. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createClaudeEngine } from '../../src/engines/claude/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createPoolRegistry } from '../../src/pool/index.ts';
import { FakeKnowledgeBase } from './http-fakes.ts';
import { makeTestApp } from './http-helpers.ts';
import { startModelStub } from './model-stub.ts';

/** The Claude engine against the model stub at `stubUrl`: one worker per pool, no spares. */
export function claudeEnv(stubUrl: string): Record<string, string> {
  return {
    ANTHROPIC_API_KEY: 'sk-test-stub',
    ANTHROPIC_BASE_URL: stubUrl,
    DOCENT_ENGINE: 'claude',
    EMPLOYEE_CLIENT_POOL_SIZE: '1',
    ADMIN_CLIENT_POOL_SIZE: '1',
    POOL_MIN_SPARES: '0',
  };
}

/** claudeEnv unless `extraEnv` says otherwise; the engine keeps its files under `dataDir`. */
export async function claudeStack(extraEnv: Record<string, string> = {}) {
  const stub = await startModelStub();
  const env = { ...claudeEnv(stub.url), ...extraEnv };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-http-claude-'));
  const paths = { DATA_DIR: path.join(dir, 'data'), KB_ROOT_PATH: path.join(dir, 'kb') };
  const config = loadConfig({ ...env, ...paths, LOG_LEVEL: 'silent' });
  await mkdir(config.kbRoot, { recursive: true });
  const kb = new FakeKnowledgeBase(config.kbRoot);
  const engine = createClaudeEngine({
    config,
    kb,
    resolveUpload: async () => undefined,
    logger: createLogger('silent'),
  });
  const pools = createPoolRegistry(
    { employee: engine.factory('employee'), admin: engine.factory('admin') },
    config.pools,
  );
  const app = await makeTestApp({ env: { ...env, ...paths }, kb, pools, storage: engine });
  return {
    stub,
    app,
    pools,
    engine,
    dataDir: config.dataDir,
    async close() {
      await app.close();
      await pools.destroy();
      await engine.close();
      await stub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
