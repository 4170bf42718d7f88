/**
 * The server entry (`npm start`): settings → logger → knowledge base →
 * uploads → engine → pools → sessions → HTTP, and a graceful shutdown on
 * SIGTERM/SIGINT (not ready, new turns 503, in-flight turns finish up to
 * SHUTDOWN_GRACE, pools drained, engine closed, exit 0).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentMachine, poolsForMachine, roomForWorker } from './capacity/machine-pools.ts';
import { SqliteHandoffStore } from './channels/handoff-store.ts';
import { SqliteSeenMessageStore } from './channels/seen-messages.ts';
import { type Cluster, openCluster } from './cluster/index.ts';
import { type Config, ConfigError, effectiveEngine, loadConfig } from './config.ts';
import { createClaudeEngine } from './engines/claude/index.ts';
import { createLocalEngine } from './engines/local/index.ts';
import type { AgentWorkerFactory, ConversationStorage } from './engines/types.ts';
import { buildApp } from './http/app.ts';
import { Lifecycle } from './http/lifecycle.ts';
import type { EngineCounters } from './http/metrics.ts';
import { loadOrCreateSecret, type ServerSecrets } from './http/secrets.ts';
import { UploadStore } from './http/uploads/store.ts';
import { openKnowledgeBase } from './kb/index.ts';
import { createLogger, type Logger } from './logger.ts';
import { createPoolRegistry, type PoolDeps } from './pool/index.ts';
import { openSessionStore } from './sessions/index.ts';
import { keepConversations } from './sessions/retention.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Extra time after the grace period before the process gives up on a clean exit. */
const HARD_EXIT_MARGIN_MS = 15_000;

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function loadSecrets(config: Config, logger: Logger, cluster: Cluster | undefined): Promise<ServerSecrets> {
  if (cluster) {
    // Every node must sign and check identity cookies with one key, and accept one admin token.
    const cookieSecret = (await cluster.sharedSecret('cookie-secret', randomBytes(32).toString('base64url'))).value;
    if (config.adminToken) return { adminToken: config.adminToken, cookieSecret };
    const admin = await cluster.sharedSecret('admin-token', randomBytes(24).toString('base64url'));
    if (admin.created) {
      process.stdout.write(
        `\nDocent generated an admin token for every node (kept in Redis, docent:secret:admin-token):\n\n  ${admin.value}\n\n`,
      );
    } else {
      logger.info('admin token shared by the nodes, read from Redis (set ADMIN_TOKEN to choose it)');
    }
    return { adminToken: admin.value, cookieSecret };
  }
  const cookie = await loadOrCreateSecret(config.dataDir, 'cookie-secret');
  if (config.adminToken) return { adminToken: config.adminToken, cookieSecret: cookie.value };
  const admin = await loadOrCreateSecret(config.dataDir, 'admin-token', 24);
  if (admin.created) {
    // Printed once, on stdout and not through the logger (which redacts tokens).
    process.stdout.write(
      `\nDocent generated an admin token (kept in ${path.join(config.dataDir, 'admin-token')}):\n\n  ${admin.value}\n\n`,
    );
  } else {
    logger.info({ file: path.join(config.dataDir, 'admin-token') }, 'admin token read from the data directory');
  }
  return { adminToken: admin.value, cookieSecret: cookie.value };
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const lifecycle = new Lifecycle('starting');
  const engineName = effectiveEngine(config);

  // Several nodes: records, conversations, the turn order and the KB's writes live in Redis; without REDIS_URL, nothing changes.
  // Opened before the knowledge base: it notes where the KB change stream stands before the folder is read.
  let cluster: Cluster | undefined;
  if (config.redisUrl) {
    cluster = await openCluster({
      url: config.redisUrl,
      nodeId: config.nodeId,
      leaseTtlMs: config.leaseTtlMs,
      sessionTimeoutMs: config.sessionTimeoutS * 1000,
      retentionMs: config.sessionRetentionS * 1000,
      logger,
    });
    const { redis } = cluster;
    lifecycle.addDependency('redis', () => redis.ready());
  }

  const kb = await openKnowledgeBase({
    root: config.kbRoot,
    smallFileThresholdKb: config.smallFileThresholdKb,
    faqMaxEntries: config.faqMaxEntries,
    maxCells: config.convert.maxCells,
    isolation: { timeoutMs: config.convert.timeoutMs, maxMemoryMb: config.convert.maxMemoryMb },
    seedFrom: path.join(REPO_ROOT, 'samples', 'knowledge_base'),
    logger,
    watch: config.kbWatch,
    rescanIntervalMs: config.kbRescanIntervalMs,
    ...(cluster ? { crossProcessLock: cluster.kb } : {}),
  });
  // Several nodes: other nodes' writes reach this node's index through the change stream.
  cluster?.kb.follow(kb);

  const uploads = new UploadStore({ dir: path.join(config.dataDir, 'uploads') });
  await uploads.init();
  await uploads.sweep();
  uploads.startSweeper();
  const resolveUpload = uploads.resolve;

  let factories: { employee: AgentWorkerFactory; admin: AgentWorkerFactory };
  let closeEngine: () => Promise<void> = async () => {};
  let engineCounters: EngineCounters | undefined;
  let poolSettings = config.pools;
  let poolDeps: PoolDeps = { logger };
  let storage: ConversationStorage;
  if (engineName === 'claude') {
    const claude = createClaudeEngine({
      config,
      kb,
      resolveUpload,
      logger,
      dataDir: config.dataDir,
      ...(cluster ? { shared: cluster.conversations } : {}),
    });
    await claude.reapOrphans();
    factories = { employee: claude.factory('employee'), admin: claude.factory('admin') };
    storage = claude;
    closeEngine = async () => claude.close();
    // Each CLI holds a few hundred MB: an unset pool size follows the machine, and no worker starts without room.
    const sized = poolsForMachine(config, claude.workerBytes(), currentMachine());
    poolSettings = sized.pools;
    poolDeps = { logger, roomForWorker: roomForWorker(() => claude.workerBytes()) };
    logger.info(
      { employeeWorkers: sized.pools.employee.maxWorkers, adminWorkers: sized.pools.admin.maxWorkers },
      `employee pool: ${sized.reason}`,
    );
    engineCounters = () => {
      const { workersStarted, processesStarted, workersLive, resumeFallbacks, toolDenials } = claude.stats();
      return { workersStarted, processesStarted, workersLive, resumeFallbacks, toolDenials };
    };
  } else {
    const local = createLocalEngine({ kb, resolveUpload, logger });
    factories = { employee: local.factory('employee'), admin: local.factory('admin') };
    storage = local;
  }
  const pools = createPoolRegistry(factories, poolSettings, poolDeps);
  const sessions =
    cluster?.sessions ??
    openSessionStore({ kind: 'sqlite', dataDir: config.dataDir, timeoutS: config.sessionTimeoutS });
  const { conversations, retention } = keepConversations(config, { sessions, storage, logger });
  const secrets = await loadSecrets(config, logger, cluster);
  // Forwarded questions and the ids of taken messenger messages live beside the session records, in one file.
  const sessionsFile = path.join(config.dataDir, 'sessions.sqlite');
  const handoffs = new SqliteHandoffStore(sessionsFile);
  const seenMessages = new SqliteSeenMessageStore({ file: sessionsFile });

  const app = await buildApp({
    config,
    logger,
    pools,
    kb,
    sessions,
    uploads,
    secrets,
    version: readVersion(),
    lifecycle,
    engineCounters,
    handoffs,
    seenMessages,
    conversations,
    retention,
    ...(cluster ? { gate: cluster.gate, nodeId: cluster.node, clusterCounters: () => cluster.counters() } : {}),
  });
  await app.listen({ host: config.host, port: config.port });
  lifecycle.markReady();
  // After listening, so neither delays the first answer.
  kb.warmConverter();
  retention.start();
  const address = app.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { engine: engineName, kbRoot: config.kbRoot, dataDir: config.dataDir, retentionS: config.sessionRetentionS },
    `Docent listening on http://${host}:${port}`,
  );

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: NodeJS.Signals): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining turns');
      lifecycle.markDraining();
      const hardExit = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownGraceMs + HARD_EXIT_MARGIN_MS);
      hardExit.unref();
      try {
        await retention.stop();
        await pools.drain(config.shutdownGraceMs);
        await app.close();
        await closeEngine();
        await pools.destroy();
        uploads.stopSweeper();
        await sessions.close();
        await handoffs.close();
        await seenMessages.close();
        await cluster?.close();
        await kb.close();
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
    return stopping;
  };
  // One stray promise must not take every user's turn down with it; it is logged loudly instead.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Docent failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
