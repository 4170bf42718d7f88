/**
 * Fakes for the HTTP tests: a small pool with the real pool's admission
 * rules (slots, per-session order, timeout, saturation, reject policy,
 * draining, abort) driving a scripted agent, and an in-memory knowledge base.
 */
import type { AgentEvent, TurnInput } from '../../src/engines/types.ts';
import {
  type BadCase,
  type DeletePlan,
  type Expert,
  type FaqRow,
  type FeedbackInput,
  type FeedbackResult,
  type FileSlice,
  type IngestOptions,
  type IngestResult,
  type IngestSource,
  KbError,
  type KbStats,
  type KnowledgeBase,
  type SynonymsInput,
  type SynonymsResult,
  type TreeNode,
} from '../../src/kb/types.ts';
import {
  AcquireTimeoutError,
  PoolDrainingError,
  PoolSaturatedError,
  SessionBusyError,
  TurnAbortedError,
} from '../../src/pool/errors.ts';
import type { AcquireRequest, Pool, PoolEvent, PoolStats, TurnLease } from '../../src/pool/types.ts';
import type { SessionBinding } from '../../src/pool/worker.ts';

export interface ScriptTurn {
  readonly session: SessionBinding;
  readonly userId: string;
  readonly input: TurnInput;
  readonly signal: AbortSignal;
}

export type AgentScript = (turn: ScriptTurn) => AsyncIterable<AgentEvent>;

/** Answers "Answer to: <message>" after a session event, a tool call and before done. */
export const echoScript: AgentScript = async function* (turn) {
  yield { type: 'session', sessionId: turn.session.id, isNew: turn.session.isNew };
  yield { type: 'tool_use', id: 't1', tool: 'Read', input: { file_path: 'docs/a.md', secret: 'x' } };
  yield { type: 'text', text: `Answer to: ${turn.input.message}` };
  yield { type: 'done', durationMs: 3 };
};

function emptyHistogram() {
  return { count: 0, sum: 0, buckets: [], p50: 0, p95: 0, p99: 0 };
}

export interface FakePoolOptions {
  readonly name?: string;
  readonly maxWorkers?: number;
  readonly maxQueue?: number;
  readonly acquireTimeoutMs?: number;
  readonly sessionPolicy?: 'enqueue' | 'reject';
  readonly script?: AgentScript;
}

export class FakePool implements Pool<TurnInput, AgentEvent> {
  readonly name: string;
  script: AgentScript;
  readonly turns: ScriptTurn[] = [];
  /** Sessions the HTTP layer said are gone (forgetSession). */
  readonly forgotten: string[] = [];
  readonly #max: number;
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #policy: 'enqueue' | 'reject';
  #busy = 0;
  #waiters: Array<() => void> = [];
  readonly #sessionTails = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(event: PoolEvent) => void>();
  #draining = false;
  #drained: Promise<void> | undefined;
  #idle: (() => void) | undefined;
  #turnsDone = 0;
  #aborts = 0;

  constructor(options: FakePoolOptions = {}) {
    this.name = options.name ?? 'employee';
    this.#max = options.maxWorkers ?? 4;
    this.#maxQueue = options.maxQueue ?? 100;
    this.#timeoutMs = options.acquireTimeoutMs ?? 5_000;
    this.#policy = options.sessionPolicy ?? 'enqueue';
    this.script = options.script ?? echoScript;
  }

  get busy(): number {
    return this.#busy;
  }

  #emit(event: PoolEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async acquire(request: AcquireRequest): Promise<TurnLease<TurnInput, AgentEvent>> {
    if (this.#draining) throw new PoolDrainingError('draining', { retryAfterS: 5 });
    const sessionId = request.session.id;
    const tail = this.#sessionTails.get(sessionId);
    if (tail && this.#policy === 'reject') throw new SessionBusyError(`Session ${sessionId} is busy`);
    if (this.#busy >= this.#max && this.#waiters.length >= this.#maxQueue) {
      throw new PoolSaturatedError('Pool saturated', { retryAfterS: 2 });
    }
    let releaseSession!: () => void;
    const mine = new Promise<void>((resolve) => {
      releaseSession = resolve;
    });
    this.#sessionTails.set(sessionId, mine);
    const started = Date.now();
    try {
      if (tail) await this.#wait(tail, request.signal);
      await this.#takeSlot(request.signal);
    } catch (error) {
      if (this.#sessionTails.get(sessionId) === mine) this.#sessionTails.delete(sessionId);
      releaseSession();
      throw error;
    }
    this.#emit({ type: 'turn_acquired', sessionId, workerId: 'w', placement: 'warm', waitedMs: Date.now() - started });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#busy -= 1;
      this.#turnsDone += 1;
      if (this.#sessionTails.get(sessionId) === mine) this.#sessionTails.delete(sessionId);
      releaseSession();
      this.#waiters.shift()?.();
      if (this.#busy === 0) this.#idle?.();
    };
    const pool = this;
    return {
      workerId: 'w',
      placement: 'warm',
      waitedMs: Date.now() - started,
      release,
      async *run(input) {
        const signal = request.signal ?? new AbortController().signal;
        const turn: ScriptTurn = { session: request.session, userId: request.userId, input, signal };
        pool.turns.push(turn);
        try {
          for await (const event of pool.script(turn)) {
            if (signal.aborted) break;
            yield event;
          }
          if (signal.aborted) {
            pool.#aborts += 1;
            throw new TurnAbortedError('aborted by caller');
          }
        } finally {
          release();
        }
      },
    };
  }

  #wait(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new TurnAbortedError('abandoned'));
      signal?.addEventListener('abort', onAbort, { once: true });
      promise.then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #takeSlot(signal: AbortSignal | undefined): Promise<void> {
    if (this.#busy < this.#max) {
      this.#busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        cleanup();
        this.#busy += 1;
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new AcquireTimeoutError('No worker free in time', { retryAfterS: 3 }));
      }, this.#timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(new TurnAbortedError('abandoned while waiting'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((w) => w !== grant);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  forgetSession(sessionId: string): void {
    this.forgotten.push(sessionId);
  }

  stats(): PoolStats {
    return {
      name: this.name,
      maxWorkers: this.#max,
      workers: { starting: 0, spare: 0, idle: this.#max - this.#busy, busy: this.#busy, closing: 0, total: this.#max },
      waiting: this.#waiters.length,
      sessionQueues: { sessions: this.#sessionTails.size, queuedTurns: 0 },
      draining: this.#draining,
      totals: {
        turns: this.#turnsDone,
        warmHits: 0,
        spareHits: 0,
        coldStarts: 0,
        starts: 0,
        startFailures: 0,
        replacements: 0,
        timeouts: 0,
        rejections: { saturated: 0, sessionBusy: 0, draining: 0 },
        aborts: this.#aborts,
        evictions: 0,
        crashes: 0,
        turnTimeouts: 0,
        recycles: { idle_ttl: 0, max_turns: 0, max_lifetime: 0, memory: 0 },
      },
      acquireWaitMs: emptyHistogram(),
      startTimeMs: emptyHistogram(),
      startCostMs: 0,
    };
  }

  onEvent(listener: (event: PoolEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  drain(_graceMs: number): Promise<void> {
    this.#draining = true;
    this.#drained ??= this.#busy === 0 ? Promise.resolve() : new Promise((resolve) => (this.#idle = resolve));
    return this.#drained;
  }

  async destroy(): Promise<void> {
    this.#draining = true;
  }
}

export class FakePoolRegistry {
  readonly employee: FakePool;
  readonly admin: FakePool;
  constructor(options: { employee?: FakePoolOptions; admin?: FakePoolOptions } = {}) {
    this.employee = new FakePool({ name: 'employee', ...options.employee });
    this.admin = new FakePool({ name: 'admin', ...options.admin });
  }
  get(name: 'employee' | 'admin'): FakePool {
    return name === 'employee' ? this.employee : this.admin;
  }
}

/** An in-memory knowledge base: a few files, FAQ, bad cases; records ingest and feedback calls. */
export class FakeKnowledgeBase implements KnowledgeBase {
  readonly root: string;
  readonly files = new Map<string, string>([
    ['README.md', '# Index\n\n- policies/leave.md: leave policy\n'],
    ['policies/leave.md', '# Leave\n\nLine 3\nLine 4\nLine 5\n'],
  ]);
  readonly feedbackCalls: FeedbackInput[] = [];
  readonly ingestCalls: IngestSource[][] = [];
  readonly #plans = new Map<string, string>();

  /** `root` is only reported (and must never reach a client); the files live in memory. */
  constructor(root = '/srv/secret/knowledge_base') {
    this.root = root;
  }

  #check(path: string): void {
    if (path.includes('..') || path.startsWith('/')) {
      throw new KbError('KB_PATH_OUTSIDE_ROOT', `Path ${path} is outside the knowledge base`);
    }
  }

  async search() {
    return [];
  }

  async read(path: string, range: { startLine?: number; endLine?: number } = {}): Promise<FileSlice> {
    this.#check(path);
    const text = this.files.get(path);
    if (text === undefined) throw new KbError('KB_NOT_FOUND', `No file ${path} (${this.root}/${path})`);
    const lines = text.split('\n');
    const startLine = range.startLine ?? 1;
    const endLine = Math.min(range.endLine ?? lines.length, lines.length);
    return {
      path,
      content: lines.slice(startLine - 1, endLine).join('\n'),
      startLine,
      endLine,
      totalLines: lines.length,
    };
  }

  async tree(): Promise<TreeNode> {
    return {
      name: '',
      path: '',
      type: 'dir',
      size: 0,
      children: [...this.files.keys()].map((p) => ({ name: p, path: p, type: 'file' as const, size: 1 })),
    };
  }

  async stats(): Promise<KbStats> {
    return {
      files: this.files.size,
      folders: 1,
      bytes: 10,
      byExtension: { '.md': this.files.size },
      faqEntries: 1,
      badCases: 0,
    };
  }

  async faq(): Promise<FaqRow[]> {
    return [{ question: 'How many leave days?', answer: '25', usage: 3 }];
  }

  async badCases(): Promise<BadCase[]> {
    return [];
  }

  async matchFaq() {
    return undefined;
  }

  async feedback(input: FeedbackInput): Promise<FeedbackResult> {
    this.feedbackCalls.push(input);
    return input.satisfied
      ? { action: 'faq_added', message: 'Added to the FAQ' }
      : { action: 'badcase_logged', message: 'Logged as a bad case' };
  }

  async logBadCase(): Promise<void> {}

  async findExpert(_question: string): Promise<Expert | undefined> {
    return undefined;
  }

  async ingest(sources: readonly IngestSource[], options: IngestOptions = {}): Promise<IngestResult[]> {
    this.ingestCalls.push([...sources]);
    return sources.map((source, i) => {
      options.onProgress?.({ index: i + 1, total: sources.length, name: source.name, stage: 'converting' });
      options.onProgress?.({ index: i + 1, total: sources.length, name: source.name, stage: 'added', message: 'ok' });
      return { name: source.name, status: 'added' as const, path: `docs/${source.name}` };
    });
  }

  async planDelete(path: string): Promise<DeletePlan> {
    this.#check(path);
    if (!this.files.has(path)) throw new KbError('KB_NOT_FOUND', `No file ${path}`);
    const token = `del_${this.#plans.size + 1}`;
    this.#plans.set(token, path);
    return { token, paths: [path] };
  }

  async confirmDelete(token: string): Promise<{ deleted: string[] }> {
    const path = this.#plans.get(token);
    if (!path) throw new KbError('KB_DELETE_TOKEN_INVALID', 'Unknown or expired delete token');
    this.#plans.delete(token);
    this.files.delete(path);
    return { deleted: [path] };
  }

  async move(path: string, folder: string): Promise<{ moved: { from: string; to: string }[] }> {
    this.#check(path);
    const content = this.files.get(path);
    if (content === undefined) throw new KbError('KB_NOT_FOUND', `No file ${path}`);
    const to = `${folder ? `${folder}/` : ''}${path.slice(path.lastIndexOf('/') + 1)}`;
    this.files.delete(path);
    this.files.set(to, content);
    return { moved: [{ from: path, to }] };
  }

  async rebuildIndex(): Promise<void> {}
  async addSynonyms(input: SynonymsInput): Promise<SynonymsResult> {
    return { file: '.docent/synonyms.md', term: input.term, added: [...input.sameAs] };
  }
  async close(): Promise<void> {}
}
