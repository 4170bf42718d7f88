/**
 * The Claude engine: workers that run the real Claude Agent SDK, one CLI
 * process per worker, bound to one session and kept warm between turns.
 *
 *   const engine = createClaudeEngine({ config, kb, resolveUpload, logger });
 *   await engine.reapOrphans();                 // leftovers of a crashed run
 *   const pool = new AgentPool(engine.factory('employee'), ...);
 *   ...
 *   await engine.close();                       // after the pools drained
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AgentProfile, agentProfile } from '../../agents/index.ts';
import type { Config } from '../../config.ts';
import type { KnowledgeBase } from '../../kb/types.ts';
import type { Logger } from '../../logger.ts';
import type { StartOptions } from '../../pool/worker.ts';
import type { AgentWorkerFactory, ConversationStorage, Role, UploadResolver } from '../types.ts';
import { localIndex, type SharedConversationIndex } from './conversation-index.ts';
import { sweepOrphans } from './orphan-sweep.ts';
import { ownerAlive, ProcessTracker, residentBytes, SELF } from './process-tracker.ts';
import { sweepResumeDirs } from './resume-dirs.ts';
import { TranscriptStore } from './transcripts.ts';
import { ClaudeWorker } from './worker.ts';

export { API_RETRIES, childEnv } from './child-env.ts';
export { ProcessTracker, residentBytes } from './process-tracker.ts';
export { type QueryOptionsInput, queryOptions } from './query-options.ts';
export { TranscriptStore } from './transcripts.ts';
export { TurnTranslator } from './turn-translator.ts';
export { ClaudeWorker } from './worker.ts';

const OWNER_FILE = 'owner.json';

function readOwner(dir: string): { pid: number; startTicks: string } | undefined {
  try {
    const owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as {
      pid?: unknown;
      startTicks?: unknown;
    };
    return typeof owner.pid === 'number' && typeof owner.startTicks === 'string'
      ? { pid: owner.pid, startTicks: owner.startTicks }
      : undefined;
  } catch {
    return undefined;
  }
}

/** How long close() waits for the CLI processes to be gone. */
const CLOSE_WAIT_MS = 5_000;

/**
 * What a cold start is expected to cost a turn, for the pool's eviction
 * shield until it has measured a few (WorkerFactory.expectedStartMs; workers
 * report the real figure through readyAfterMs). start() resolves before the
 * CLI is ready, so the pool's own start timings underestimate it. A cold
 * resume to first text is most of a second on a 2-core machine against tens
 * of milliseconds on a warm worker (`npm run bench:claude` measures both;
 * docs/claude-engine.md); faster machines boot the CLI in less.
 */
export const CLAUDE_COLD_START_MS = 1_000;
/** What one CLI process is taken to hold until some are measured (bench:claude prints peak_rss_mb). */
export const CLAUDE_WORKER_BYTES_ESTIMATE = 256 * 1024 * 1024;

export interface ClaudeEngineOptions {
  readonly config: Config;
  readonly kb: KnowledgeBase;
  readonly resolveUpload: UploadResolver;
  readonly logger: Logger;
  /** Where worker config dirs, shared transcripts and PID records go. @default config.dataDir */
  readonly dataDir?: string;
  /**
   * Several nodes (REDIS_URL): conversations live here, and every worker
   * mirrors its transcript through the SDK's `sessionStore`. @default on disk, this node only
   */
  readonly shared?: SharedConversationIndex;
}

export interface ClaudeEngineStats {
  readonly workersStarted: number;
  /** CLI processes spawned (a spare handed a session to resume starts a second one). */
  readonly processesStarted: number;
  readonly workersLive: number;
  readonly resumeFallbacks: number;
  readonly toolDenials: number;
  /** PIDs of the live CLI processes. */
  readonly pids: readonly number[];
  /** Each live worker: its id, its CLI process, the session it serves. */
  readonly workers: ReadonlyArray<{ readonly id: string; readonly pid?: number; readonly sessionId?: string }>;
}

/** Transcripts and state files (ConversationStorage) are under `<dataDir>/claude`, owned by this engine alone. */
export interface ClaudeEngine extends ConversationStorage {
  /** The worker factory for a role's pool. */
  factory(role: Role): AgentWorkerFactory;
  /** Kills CLI processes recorded by an earlier run of Docent that are still alive; returns how many. */
  reapOrphans(): Promise<number>;
  stats(): ClaudeEngineStats;
  /** The median resident memory of the live CLI processes, or the estimate before any runs. */
  workerBytes(): number;
  /** Closes every worker and kills every CLI process still running. Idempotent. */
  close(): Promise<void>;
}

export function createClaudeEngine(options: ClaudeEngineOptions): ClaudeEngine {
  const { config, logger } = options;
  const claudeDir = path.join(options.dataDir ?? config.dataDir, 'claude');
  const transcripts = new TranscriptStore(claudeDir);
  const index = options.shared ?? localIndex(transcripts);
  const tracker = new ProcessTracker(path.join(claudeDir, 'pids'), logger);
  const live = new Set<ClaudeWorker>();
  const counters = { workersStarted: 0, resumeFallbacks: 0, toolDenials: 0 };
  const instance = randomBytes(3).toString('hex');
  // Marks this run's worker dirs as in use, for other runs sharing the data dir.
  const instanceDir = path.join(claudeDir, 'workers', instance);
  mkdirSync(instanceDir, { recursive: true });
  writeFileSync(path.join(instanceDir, OWNER_FILE), JSON.stringify(SELF));
  let sequence = 0;
  let closing: Promise<void> | undefined;

  const profiles: Record<Role, AgentProfile> = {
    employee: makeProfile('employee'),
    admin: makeProfile('admin'),
  };

  function makeProfile(role: Role): AgentProfile {
    return agentProfile(role, {
      kb: options.kb,
      resolveUpload: options.resolveUpload,
      onDeny: (deniedRole, tool, reason) => {
        counters.toolDenials += 1;
        logger.warn({ role: deniedRole, tool, reason }, 'agent tool call refused');
      },
    });
  }

  /** What live workers hold: their Docent sessions and their CLI sessions (a spare's too). */
  function heldIds(): Set<string> {
    const held = new Set<string>();
    for (const worker of live) {
      if (worker.sessionId !== undefined) held.add(worker.sessionId);
      if (worker.cliSessionId !== undefined) held.add(worker.cliSessionId);
    }
    return held;
  }

  function factory(role: Role): AgentWorkerFactory {
    return {
      expectedStartMs: CLAUDE_COLD_START_MS,
      // A spare runs a new conversation; resuming one needs a process launched with `resume`.
      sparesResume: false,
      start: async (startOptions: StartOptions) => {
        if (closing) throw new Error('The Claude engine is closed');
        sequence += 1;
        const id = `${role}-${instance}-${sequence}`;
        const configDir = transcripts.workerConfigDir(`${instance}/${id}`);
        const worker = await ClaudeWorker.start(
          {
            id,
            profile: profiles[role],
            config,
            index,
            ...(options.shared ? { mirror: options.shared.mirror(id) } : {}),
            configDir,
            tracker,
            logger: logger.child({ workerId: id }),
            startTimeoutMs: config.pools[role].startTimeoutMs,
            onResumeFallback: () => {
              counters.resumeFallbacks += 1;
            },
            onClosed: (closed) => {
              live.delete(closed);
              rmSync(configDir, { recursive: true, force: true });
            },
          },
          startOptions,
        );
        counters.workersStarted += 1;
        live.add(worker);
        return worker;
      },
    };
  }

  return {
    factory,
    reapOrphans: async () => {
      const reaped = tracker.reapOrphans();
      const swept = sweepResumeDirs();
      if (swept > 0) logger.info({ swept }, "removed the SDK's leftover resume config folders");
      // Worker config dirs of runs that are gone are never reused (ids are per run).
      for (const entry of transcripts.workerDirs()) {
        if (entry === instance) continue;
        const owner = readOwner(path.join(claudeDir, 'workers', entry));
        if (!owner || !ownerAlive(owner.pid, owner.startTicks)) {
          rmSync(path.join(claudeDir, 'workers', entry), { recursive: true, force: true });
        }
      }
      return reaped;
    },
    workerBytes: () => {
      const sizes = tracker
        .pids()
        .map((pid) => residentBytes(pid))
        .filter((bytes): bytes is number => bytes !== undefined && bytes > 0)
        .sort((a, b) => a - b);
      return sizes.length === 0 ? CLAUDE_WORKER_BYTES_ESTIMATE : sizes[(sizes.length - 1) >> 1];
    },
    forgetSession: async (sessionId) => {
      await Promise.all([...live].filter((worker) => worker.sessionId === sessionId).map((worker) => worker.quiet()));
      if (options.shared) await options.shared.forget(sessionId);
      return transcripts.forget(sessionId);
    },
    sweepOrphans: (request) => sweepOrphans({ transcripts, live: heldIds }, request),
    usage: () => transcripts.usage(),
    stats: () => ({
      ...counters,
      workersLive: live.size,
      processesStarted: tracker.started,
      pids: tracker.pids(),
      workers: [...live].map((worker) => ({ id: worker.id, pid: worker.pid, sessionId: worker.sessionId })),
    }),
    close: () => {
      closing ??= (async () => {
        await Promise.allSettled([...live].map((worker) => worker.close()));
        tracker.killAll();
        if (!(await tracker.waitForExit(CLOSE_WAIT_MS)))
          logger.warn({ pids: tracker.pids() }, 'CLI processes outlived close');
        tracker.dispose();
      })();
      return closing;
    },
  };
}
