/**
 * A local worker: a lightweight in-process agent bound to the session of its
 * first turn. Problems the user should see are yielded as `error` events;
 * it throws only when misused (closed, or asked to serve another session).
 */
import type { KnowledgeBase } from '../../kb/types.ts';
import type { Logger } from '../../logger.ts';
import type { PoolWorker, TurnContext } from '../../pool/worker.ts';
import type { AgentEvent, Role, TurnInput, UploadResolver } from '../types.ts';
import { adminTurn } from './admin-turn.ts';
import { employeeTurn } from './employee-turn.ts';
import type { SessionMemory } from './session-memory.ts';
import type { LocalTurnContext } from './turn-context.ts';

let nextWorkerNumber = 1;

export interface LocalWorkerOptions {
  readonly kb: KnowledgeBase;
  readonly role: Role;
  readonly resolveUpload: UploadResolver;
  readonly memory: SessionMemory;
  readonly sessionId?: string;
  readonly logger?: Logger;
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
