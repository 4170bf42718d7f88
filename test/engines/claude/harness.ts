/**
 * Shared set-up for the Claude engine tests: a model stub, a temporary data
 * dir and knowledge base, a fake KnowledgeBase, and an engine wired to them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../../src/config.ts';
import { type ClaudeEngine, type ClaudeWorker, createClaudeEngine } from '../../../src/engines/claude/index.ts';
import type { AgentEvent, Role, TurnInput } from '../../../src/engines/types.ts';
import type { KnowledgeBase, SearchHit } from '../../../src/kb/types.ts';
import { createLogger } from '../../../src/logger.ts';
import type { PoolWorker, SessionBinding } from '../../../src/pool/worker.ts';
import { type ModelStub, startModelStub } from '../../support/model-stub.ts';

export interface FakeKb extends KnowledgeBase {
  readonly calls: Array<{ method: string; args: unknown[] }>;
}

export function createFakeKb(root: string): FakeKb {
  const calls: FakeKb['calls'] = [];
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });
  const hit: SearchHit = { path: 'guide.md', heading: 'Leave', startLine: 1, endLine: 3, score: 1, snippet: 'leave' };
  return {
    root,
    calls,
    search: async (query) => {
      record('search', query);
      return [hit];
    },
    read: async (p) => {
      record('read', p);
      return { path: p, content: 'text', startLine: 1, endLine: 1, totalLines: 1 };
    },
    tree: async () => ({ name: '', path: '', type: 'dir', size: 0, children: [] }),
    stats: async () => ({ files: 1, folders: 0, bytes: 10, byExtension: {}, faqEntries: 0, badCases: 0 }),
    faq: async () => [],
    badCases: async () => [],
    matchFaq: async (q) => {
      record('matchFaq', q);
      return undefined;
    },
    feedback: async () => ({ action: 'none', message: 'ok' }),
    logBadCase: async () => {},
    findExpert: async () => undefined,
    ingest: async () => [],
    planDelete: async (p) => ({ token: 't', paths: [p] }),
    confirmDelete: async () => ({ deleted: [] }),
    move: async () => ({ moved: [] }),
    rebuildIndex: async () => {},
    addSynonyms: async (input) => {
      record('addSynonyms', input);
      return { file: '.docent/synonyms.md', term: input.term, added: [...input.sameAs] };
    },
    close: async () => {},
  };
}

export interface Harness {
  readonly stub: ModelStub;
  readonly engine: ClaudeEngine;
  readonly kb: FakeKb;
  readonly config: Config;
  readonly dataDir: string;
  readonly tmp: string;
  /** Starts another engine on the same data dir (a second Docent run). */
  newEngine(overrides?: Record<string, string>): ClaudeEngine;
  cleanup(): Promise<void>;
}

export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const stub = await startModelStub();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'docent-claude-test-'));
  const kbRoot = path.join(tmp, 'kb');
  const dataDir = path.join(tmp, 'data');
  mkdirSync(kbRoot, { recursive: true });
  writeFileSync(path.join(kbRoot, 'guide.md'), '# Leave\nTwenty days a year.\n');
  const makeConfig = (overrides: Record<string, string> = {}) =>
    loadConfig({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: stub.url,
      DATA_DIR: dataDir,
      KB_ROOT_PATH: kbRoot,
      LOG_LEVEL: 'silent',
      ...env,
      ...overrides,
    });
  const config = makeConfig();
  const kb = createFakeKb(kbRoot);
  const logger = createLogger('silent');
  const engines: ClaudeEngine[] = [];
  const newEngine = (overrides?: Record<string, string>) => {
    const made = createClaudeEngine({
      config: overrides ? makeConfig(overrides) : config,
      kb,
      resolveUpload: async () => undefined,
      logger,
    });
    engines.push(made);
    return made;
  };
  const engine = newEngine();
  return {
    stub,
    engine,
    kb,
    config,
    dataDir,
    tmp,
    newEngine,
    cleanup: async () => {
      await Promise.allSettled(engines.map((e) => e.close()));
      await stub.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export type AgentWorker = PoolWorker<TurnInput, AgentEvent>;

export function pidOf(worker: AgentWorker): number {
  const pid = (worker as ClaudeWorker).pid;
  if (pid === undefined) throw new Error('worker has no process');
  return pid;
}

export async function startWorker(engine: ClaudeEngine, role: Role, session?: SessionBinding): Promise<AgentWorker> {
  return engine.factory(role).start({ session, signal: new AbortController().signal });
}

/** Runs one turn to its end and collects its events. */
export async function runTurn(
  worker: AgentWorker,
  session: SessionBinding,
  message: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of worker.runTurn({ session, userId: 'u1', input: { message }, signal })) events.push(event);
  return events;
}

export function textOf(events: readonly AgentEvent[]): string {
  return events
    .filter((e): e is Extract<AgentEvent, { type: 'text' }> => e.type === 'text')
    .map((e) => e.text)
    .join('');
}

/** True while a process with this PID exists (and is not a zombie). */
export function processExists(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** PIDs whose parent is `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A process's command line, its arguments joined by spaces ('' when it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
