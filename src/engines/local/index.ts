/**
 * The offline engine: in-process agents that run both roles' workflows on the knowledge-base toolset.
 * A local worker is bound to the session of its first turn. Problems the user should see are yielded as
 * `error` events; it throws only when misused (closed, or asked to serve another session).
 */
import type { KnowledgeBase } from '../../kb/types.ts';
import type { Logger } from '../../logger.ts';
import type { PoolWorker, TurnContext } from '../../pool/worker.ts';
import {
  type AgentEvent,
  type AgentWorkerFactory,
  type ConversationStorage,
  NO_CONVERSATION_FILES,
  type Role,
  type TurnInput,
  type UploadResolver,
} from '../types.ts';
import { adminTurn } from './admin-turn.ts';
import { employeeTurn } from './employee-turn.ts';
import { SessionMemory } from './session-memory.ts';
import type { LocalTurnContext } from './turn-context.ts';

export interface LocalWorkerFactoryOptions {
  readonly kb: KnowledgeBase;
  readonly role: Role;
  /** Turns `(path: <ref>)` of an upload message into stored bytes; the only way uploads are found. */
  readonly resolveUpload: UploadResolver;
  readonly logger?: Logger;
  /** What the workers remember between turns. @default a memory of this factory's own */
  readonly memory?: SessionMemory;
}

export function createLocalWorkerFactory(options: LocalWorkerFactoryOptions): AgentWorkerFactory {
  const memory = options.memory ?? new SessionMemory();
  return {
    async start(start) {
      start.signal.throwIfAborted();
      return new LocalWorker({ ...options, memory, sessionId: start.session?.id });
    },
  };
}

/** Both roles' factories, and the engine's conversations: kept in memory only, so forgetting one is dropping it. */
export interface LocalEngine extends ConversationStorage {
  factory(role: Role): AgentWorkerFactory;
}

export function createLocalEngine(options: Omit<LocalWorkerFactoryOptions, 'role' | 'memory'>): LocalEngine {
  const memories: Record<Role, SessionMemory> = { employee: new SessionMemory(), admin: new SessionMemory() };
  const factories: Record<Role, AgentWorkerFactory> = {
    employee: createLocalWorkerFactory({ ...options, role: 'employee', memory: memories.employee }),
    admin: createLocalWorkerFactory({ ...options, role: 'admin', memory: memories.admin }),
  };
  return {
    ...NO_CONVERSATION_FILES,
    factory: (role) => factories[role],
    forgetSession: async (sessionId) => {
      for (const memory of Object.values(memories)) memory.forget(sessionId);
      return { files: 0, bytes: 0 };
    },
  };
}

let nextWorkerNumber = 1;

interface LocalWorkerOptions extends LocalWorkerFactoryOptions {
  readonly memory: SessionMemory;
  readonly sessionId?: string;
}

export class LocalWorker implements PoolWorker<TurnInput, AgentEvent> {
  readonly id: string;
  readonly #options: LocalWorkerOptions;
  #sessionId: string | undefined;
  #alive = true;
  #toolCount = 0;
  #running: { controller: AbortController; finished: Promise<void> } | undefined;

  constructor(options: LocalWorkerOptions) {
    this.#options = options;
    this.#sessionId = options.sessionId;
    this.id = `local-${options.role}-${nextWorkerNumber++}`;
  }

  async *runTurn(turn: TurnContext<TurnInput>): AsyncGenerator<AgentEvent> {
    if (!this.#alive) throw new Error(`${this.id} is closed`);
    if (this.#running) throw new Error(`${this.id} is already running a turn`);
    if (this.#sessionId && this.#sessionId !== turn.session.id) {
      throw new Error(`${this.id} is bound to another session`);
    }
    this.#sessionId = turn.session.id;
    const started = Date.now();
    // Aborted by the turn's caller, or by interrupt() and close().
    const controller = new AbortController();
    const signal = AbortSignal.any([turn.signal, controller.signal]);
    let finish!: () => void;
    this.#running = { controller, finished: new Promise<void>((resolve) => (finish = resolve)) };
    try {
      yield { type: 'session', sessionId: turn.session.id, isNew: turn.session.isNew };
      const ctx: LocalTurnContext = {
        message: turn.input.message,
        state: this.#options.memory.get(turn.session.id),
        signal,
        onProgress: turn.input.onProgress,
        resolveUpload: this.#options.resolveUpload,
        logger: this.#options.logger,
        toolUse: (tool, input) => ({ type: 'tool_use', id: `${this.id}-tool-${++this.#toolCount}`, tool, input }),
      };
      const steps =
        this.#options.role === 'admin' ? adminTurn(this.#options.kb, ctx) : employeeTurn(this.#options.kb, ctx);
      try {
        for await (const event of steps) {
          if (signal.aborted) break;
          yield event;
        }
      } catch (error) {
        this.#options.logger?.warn({ err: error, worker: this.id }, 'local turn failed');
        yield { type: 'error', message: describe(error) };
      }
      if (signal.aborted) {
        yield { type: 'error', message: 'The turn was interrupted.', code: 'TURN_INTERRUPTED' };
      }
      yield { type: 'done', durationMs: Date.now() - started, turns: 1 };
    } finally {
      this.#running = undefined;
      finish();
    }
  }

  async interrupt(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.controller.abort(new Error('interrupted'));
    // The turn stops at its next step; a consumer that stopped pulling is not waited for.
    await Promise.race([running.finished, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  async close(): Promise<void> {
    if (!this.#alive) return;
    this.#alive = false;
    this.#running?.controller.abort(new Error('closed'));
  }

  isAlive(): boolean {
    return this.#alive;
  }

  memoryBytes(): number | undefined {
    return undefined;
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() || 'The request failed.';
}
