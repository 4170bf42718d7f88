/**
 * One Claude worker: one CLI process running one SDK `query()` in
 * streaming-input mode, bound to one session for its whole life.
 *
 *   start() ──► spare (own CLI session id) ──first turn, new session──► bound
 *          └──► started for a session (new, or resumed)            ──► bound
 *   a spare handed a session to RESUME swaps its process for one that resumes.
 *
 * A pump reads the query's messages for the process's whole life and hands
 * them to the turn in flight; a turn ends at its `result` message. The turn
 * keeps draining even when its caller stops listening, so the process is
 * ready for the next turn once the result arrived.
 *
 * A turn that fails (an API error after the CLI's retries, a retry stopped
 * after text was shown) leaves its prompt in the live process's memory, and
 * the next prompt would be glued onto it. So the worker rewinds: it replaces
 * the process with one resumed at the entry before the failed prompt
 * (transcripts.ts keeps that point across crashes too). A turn the user
 * interrupted stays, marked once by the CLI as "[Request interrupted by user]".
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  type Query,
  type SDKMessage,
  type SDKUserMessage,
  query as sdkQuery,
  startup,
} from '@anthropic-ai/claude-agent-sdk';
import type { AgentProfile } from '../../agents/index.ts';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import {
  BackgroundStartError,
  type PoolWorker,
  type SessionBinding,
  type StartOptions,
  type TurnContext,
} from '../../pool/worker.ts';
import type { AgentEvent, TurnInput } from '../types.ts';
import type { ConversationIndex, WorkerTranscriptMirror } from './conversation-index.ts';
import { Channel } from './message-channel.ts';
import { type ProcessTracker, residentBytes } from './process-tracker.ts';
import { queryOptions } from './query-options.ts';
import { isResumeFailure, probeResume } from './resume-probe.ts';
import { StderrTail } from './stderr-tail.ts';
import { isAnswer, TurnTranslator } from './turn-translator.ts';

export interface ClaudeWorkerDeps {
  readonly id: string;
  readonly profile: AgentProfile;
  readonly config: Config;
  /** Which CLI session holds a session's conversation, and its open turn (on disk, or in Redis). */
  readonly index: ConversationIndex;
  /** Several nodes: this worker's SDK `sessionStore` (transcripts in Redis, fenced). */
  readonly mirror?: WorkerTranscriptMirror;
  /** This worker's own CLAUDE_CONFIG_DIR (its `projects/` shared). */
  readonly configDir: string;
  readonly tracker: ProcessTracker;
  readonly logger: Logger;
  readonly startTimeoutMs: number;
  /** A session could not be resumed and a new conversation began under its id. */
  readonly onResumeFallback: (sessionId: string, reason: string) => void;
  /** The worker closed (for the engine's bookkeeping). */
  readonly onClosed: (worker: ClaudeWorker) => void;
}

interface ActiveTurn {
  readonly sessionId: string;
  readonly channel: Channel<SDKMessage>;
  readonly translator: TurnTranslator;
  readonly finished: Promise<void>;
  finish(): void;
  interruptSent: boolean;
  /** The worker stopped the turn itself (a retry after text was shown): a failure, not the user's interrupt. */
  stoppedByWorker: boolean;
  /** Recording how the turn ended (kept, or left open for a rewind); rejects when that could not be saved. */
  saved?: Promise<void>;
}

interface PendingSessionEvent {
  readonly isNew: boolean;
  readonly reason?: string;
  /** The process resumes a transcript; its first turn checks the resume worked. */
  readonly resuming?: boolean;
}

export class ClaudeWorker implements PoolWorker<TurnInput, AgentEvent> {
  readonly id: string;
  readonly #deps: ClaudeWorkerDeps;
  #query: Query | undefined;
  #input: Channel<SDKUserMessage> | undefined;
  #child: ChildProcess | undefined;
  #cliSessionId: string | undefined;
  #isSpare = false;
  #boundSession: string | undefined;
  #pending: PendingSessionEvent | undefined;
  #turn: ActiveTurn | undefined;
  #dead: Error | undefined;
  #closing: Promise<void> | undefined;
  #costTotal = 0;
  #stderr = new StderrTail();
  /** When the current process was launched without waiting for it, until its first message. */
  #launchedAt: number | undefined;
  #readyAfterMs: number | undefined;
  /** Replacing the process after a failed turn; the next turn waits for it. */
  #rewinding: Promise<void> | undefined;
  /** Aborted by close(): cancels a rewind's launch. */
  readonly #lifetime = new AbortController();
  /** Several nodes: the lease token of the turn in flight, and of this worker's last turn. */
  #fence: string | undefined;
  #lastFence: string | undefined;

  private constructor(deps: ClaudeWorkerDeps) {
    this.id = deps.id;
    this.#deps = deps;
  }

  /** Starts a spare (no session) or a worker for one session; rejects (and cleans up) when the CLI cannot start. */
  static async start(deps: ClaudeWorkerDeps, options: StartOptions): Promise<ClaudeWorker> {
    const worker = new ClaudeWorker(deps);
    try {
      if (options.session) await worker.#launchFor(options.session, options.signal);
      else {
        worker.#isSpare = true;
        await worker.#launch('new', randomUUID(), options.signal, true);
      }
    } catch (error) {
      await worker.close();
      throw error;
    }
    return worker;
  }

  /** The Docent session this worker serves, once bound. */
  get sessionId(): string | undefined {
    return this.#boundSession;
  }

  /** The CLI session the current process runs (a spare's own, before it is bound). */
  get cliSessionId(): string | undefined {
    return this.#cliSessionId;
  }

  /** Resolves once no turn is settling and no failed turn is being rewound (the worker writes nothing then). */
  async quiet(): Promise<void> {
    while (this.#turn || this.#rewinding) {
      await this.#turn?.finished;
      await this.#rewinding;
    }
  }

  /** The PID of the live CLI process. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  isAlive(): boolean {
    if (this.#closing || this.#dead) return false;
    // Between the failed turn's process and its replacement: usable (a failed rewind makes the next turn throw).
    if (this.#rewinding) return true;
    if (!this.#query) return false;
    const child = this.#child;
    // Before the SDK spawned the child (a cold start still setting up), the worker counts as alive.
    return child === undefined || (child.exitCode === null && child.signalCode === null);
  }

  memoryBytes(): number | undefined {
    const pid = this.#child?.pid;
    return pid === undefined ? undefined : residentBytes(pid);
  }

  /** How long the CLI took to say its first word after a launch that did not wait for it (0 when it did). */
  readyAfterMs(): number | undefined {
    return this.#readyAfterMs;
  }

  async *runTurn(turn: TurnContext<TurnInput>): AsyncGenerator<AgentEvent, void, undefined> {
    this.#assertUsable();
    if (this.#boundSession !== undefined && this.#boundSession !== turn.session.id) {
      throw new Error(`Worker ${this.id} is bound to another session and cannot run ${turn.session.id}`);
    }
    // A previous turn whose caller stopped listening may still be settling, or its failure being rewound.
    if (this.#turn) await this.#turn.finished;
    if (this.#rewinding) await this.#rewinding;
    this.#assertUsable();
    if (this.#boundSession === undefined) await this.#bind(turn.session, turn.signal);
    await this.#checkFence(turn);

    if (turn.signal.aborted) {
      yield this.#sessionEvent(turn.session.id);
      yield { type: 'error', code: 'interrupted', message: 'The turn was cancelled before it started.' };
      return;
    }
    const onAbort = () => void this.interrupt();
    turn.signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield* this.#runSent(turn);
    } finally {
      turn.signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Several nodes: a turn of this session ran elsewhere since this worker's
   * last one (the lease's previous token is not ours), so what this process
   * holds in memory is behind. It is replaced by one resumed from the shared
   * transcript.
   */
  async #checkFence(turn: TurnContext<TurnInput>): Promise<void> {
    const fence = turn.input.fence;
    if (!fence) return;
    if (this.#lastFence !== undefined && fence.previousToken !== this.#lastFence) {
      this.#deps.logger.info(
        { workerId: this.id, sessionId: turn.session.id, fence: fence.token, previous: fence.previousToken },
        'the conversation moved on elsewhere; resuming it from the shared transcript',
      );
      await this.#stopProcess();
      await this.#launchFor({ id: turn.session.id, isNew: false }, turn.signal);
    }
    this.#fence = fence.token;
    this.#lastFence = fence.token;
    this.#deps.mirror?.setFence(fence.token);
  }

  async *#runSent(turn: TurnContext<TurnInput>): AsyncGenerator<AgentEvent, void, undefined> {
    let active = await this.#send(turn.session.id, turn.input.message);
    let messages = active.channel[Symbol.asyncIterator]();
    const resuming = this.#pending?.resuming === true;
    // At once, before the model: the caller learns its session while the CLI starts and the model thinks.
    yield this.#sessionEvent(turn.session.id);
    let replay: SDKMessage[] = [];
    if (resuming) {
      // The transcript looked readable (#launchFor), but only the CLI can tell: a failure here is rare.
      const probe = await probeResume(messages);
      replay = probe.seen;
      if (probe.failure !== undefined) {
        await this.#startOver(turn.session.id, probe.failure, turn.signal);
        active = await this.#send(turn.session.id, turn.input.message);
        messages = active.channel[Symbol.asyncIterator]();
        replay = [];
        yield this.#sessionEvent(turn.session.id);
      }
    }
    for (const message of replay) yield* this.#translate(active, message);
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      yield* this.#translate(active, next.value);
    }
    try {
      await active.saved;
    } catch (error) {
      this.#deps.logger.warn(
        { workerId: this.id, sessionId: turn.session.id, err: (error as Error).message },
        'the end of the turn could not be recorded',
      );
      yield { type: 'error', code: 'not_saved', message: 'The answer could not be saved in the conversation.' };
    }
  }

  #sessionEvent(sessionId: string): AgentEvent {
    const pending = this.#pending;
    this.#pending = undefined;
    return {
      type: 'session',
      sessionId,
      isNew: pending?.isNew ?? false,
      ...(pending?.reason ? { resumed: false, reason: pending.reason } : {}),
    };
  }

  /** Starts a turn: records its prompt as open, registers it, and pushes the user's message into the live process. */
  async #send(sessionId: string, message: string): Promise<ActiveTurn> {
    // The prompt's id is the transcript entry's uuid: a failed turn is cut off right before it.
    const active = this.#beginTurn(sessionId);
    const promptId = randomUUID();
    try {
      await this.#deps.index.openTurn(sessionId, promptId, this.#fence);
    } catch (error) {
      // Nothing was sent: the process is still ready for the next turn.
      if (this.#turn === active) this.#turn = undefined;
      active.finish();
      throw error;
    }
    this.#input?.push({
      type: 'user',
      message: { role: 'user', content: message },
      parent_tool_use_id: null,
      session_id: this.#cliSessionId ?? '',
      uuid: promptId,
    });
    return active;
  }

  #translate(active: ActiveTurn, message: SDKMessage): AgentEvent[] {
    const { events, outcome, stop } = active.translator.translate(message);
    if (outcome?.totalCostUsd !== undefined) this.#costTotal = outcome.totalCostUsd;
    if (stop) {
      active.stoppedByWorker = true;
      void this.interrupt();
    }
    return events;
  }

  async interrupt(): Promise<void> {
    const active = this.#turn;
    if (!active) return;
    active.translator.markInterrupted();
    if (!active.interruptSent) {
      active.interruptSent = true;
      try {
        await this.#query?.interrupt();
      } catch (error) {
        this.#deps.logger.debug({ err: error, workerId: this.id }, 'interrupt request failed');
      }
    }
    await active.finished;
  }

  close(): Promise<void> {
    this.#lifetime.abort();
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    await this.#rewinding;
    await this.#stopProcess();
    this.#die(new Error(`Worker ${this.id} was closed`));
    this.#deps.onClosed(this);
  }

  /** Ends the current CLI process: closes the query, SIGKILLs its process group and waits for the exit. */
  async #stopProcess(): Promise<void> {
    const child = this.#child;
    const query = this.#query;
    // Cleared first so the pump and the exit listener know this end was wanted.
    this.#child = undefined;
    this.#query = undefined;
    this.#input?.end();
    try {
      query?.close();
    } catch {
      // already closed
    }
    if (!child) return;
    // SIGKILL to the group is certain; waiting for the exit means the transcript is complete
    // and no second process of this conversation can overlap this one.
    this.#deps.tracker.kill(child);
    await this.#deps.tracker.exited(child);
  }

  #assertUsable(): void {
    if (this.#closing) throw new Error(`Worker ${this.id} is closed`);
    if (this.#dead) throw this.#dead;
  }

  #beginTurn(sessionId: string): ActiveTurn {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const active: ActiveTurn = {
      sessionId,
      channel: new Channel<SDKMessage>(),
      translator: new TurnTranslator(this.#costTotal),
      finished,
      finish,
      interruptSent: false,
      stoppedByWorker: false,
    };
    this.#turn = active;
    return active;
  }

  async #bind(session: SessionBinding, signal: AbortSignal): Promise<void> {
    if (this.#isSpare && session.isNew && this.#cliSessionId) {
      this.#deps.mirror?.bindSession(session.id);
      await this.#deps.index.bind(session.id, this.#cliSessionId);
      this.#pending = { isNew: true };
      this.#boundSession = session.id;
      return;
    }
    // A spare was started as a new conversation; resuming needs a process started with `resume`.
    await this.#stopProcess();
    this.#isSpare = false;
    await this.#launchFor(session, signal);
  }

  async #launchFor(session: SessionBinding, signal: AbortSignal): Promise<void> {
    const { index } = this.#deps;
    this.#boundSession = session.id;
    this.#deps.mirror?.bindSession(session.id);
    if (session.isNew) {
      const cliId = await index.newCliIdFor(session.id);
      await this.#launch('new', cliId, signal);
      await index.bind(session.id, cliId);
      this.#pending = { isNew: true };
      return;
    }
    const point = await index.resumePoint(session.id);
    const cliId = point.cli;
    if (!(await index.readable(session.id, cliId))) {
      await this.#startOver(session.id, `No conversation found with session ID: ${session.id}`, signal);
      return;
    }
    if (point.at === null) {
      // The only turn failed: nothing of the conversation is kept, so it begins again (nothing to tell the user).
      const fresh = await index.newCliIdFor(session.id);
      await this.#launch('new', fresh, signal);
      await index.bind(session.id, fresh);
      this.#pending = { isNew: false };
      return;
    }
    try {
      await this.#launch('resume', cliId, signal, false, point.at);
      this.#pending = { isNew: false, resuming: true };
    } catch (error) {
      if (!isResumeFailure(error)) throw error;
      await this.#startOver(session.id, (error as Error).message, signal);
    }
  }

  /** The session's conversation cannot be resumed: a new one begins under the same Docent id. */
  async #startOver(sessionId: string, reason: string, signal: AbortSignal): Promise<void> {
    const { index, logger } = this.#deps;
    logger.warn({ workerId: this.id, sessionId, reason }, 'resume failed; starting a new conversation');
    this.#deps.onResumeFallback(sessionId, reason);
    await this.#stopProcess();
    const cliId = await index.newCliIdFor(sessionId);
    await this.#launch('new', cliId, signal);
    await index.bind(sessionId, cliId);
    this.#pending = { isNew: true, reason };
  }

  /**
   * Starts the CLI process. `ready` waits for its initialisation (a spare must
   * be truly warm); otherwise the turn that follows is queued into it while it
   * initialises, which saves the handshake round trip on a cold start.
   */
  async #launch(
    kind: 'new' | 'resume',
    cliSessionId: string,
    signal: AbortSignal,
    ready = false,
    at?: string,
  ): Promise<void> {
    const { profile, config, tracker } = this.#deps;
    if (signal.aborted) throw new Error(`Start of worker ${this.id} was cancelled`);
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const options = queryOptions({
      profile,
      config,
      configDir: this.#deps.configDir,
      session: { kind, cliSessionId, ...(at ? { at } : {}) },
      spawn: (spawnOptions) => tracker.spawn(spawnOptions, (child) => this.#adopt(child)),
      abortController,
      ...(this.#deps.mirror ? { sessionStore: this.#deps.mirror } : {}),
    });
    try {
      const input = new Channel<SDKUserMessage>();
      let query: Query;
      if (ready) {
        const warm = await startup({ options, initializeTimeoutMs: this.#deps.startTimeoutMs });
        if (signal.aborted) {
          warm.close();
          throw new Error(`Start of worker ${this.id} was cancelled`);
        }
        query = warm.query(input);
      } else {
        query = sdkQuery({ prompt: input, options });
      }
      this.#input = input;
      this.#query = query;
      this.#launchedAt = ready ? undefined : performance.now();
      this.#readyAfterMs = ready ? 0 : undefined;
      this.#cliSessionId = cliSessionId;
      this.#dead = undefined;
      void this.#pump(query);
    } catch (error) {
      if (this.#child) tracker.kill(this.#child);
      throw this.#stderr.annotate(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #adopt(child: ChildProcess): void {
    this.#child = child;
    this.#stderr = new StderrTail();
    child.stderr?.on('data', (chunk: Buffer) => this.#stderr.add(chunk));
    child.once('exit', (code, signal) => {
      if (child !== this.#child || this.#closing) return;
      this.#die(
        this.#asStartFailure(new Error(`Claude CLI process ${child.pid} exited (${signal ?? `code ${code}`})`)),
      );
    });
  }

  async #pump(query: Query): Promise<void> {
    let ended: Error;
    try {
      for await (const message of query) {
        if (query !== this.#query) return;
        if (this.#launchedAt !== undefined) {
          // The CLI's first message (its init) comes once it is ready to call the model.
          this.#readyAfterMs = performance.now() - this.#launchedAt;
          this.#launchedAt = undefined;
        }
        this.#dispatch(message);
      }
      ended = new Error('The Claude CLI ended its output');
    } catch (error) {
      ended = error instanceof Error ? error : new Error(String(error));
    }
    if (query === this.#query && !this.#closing) this.#die(this.#asStartFailure(this.#stderr.annotate(ended)));
  }

  /** A process that ends before its first message never finished starting: the pool counts a failed start. */
  #asStartFailure(error: Error): Error {
    if (this.#launchedAt === undefined) return error;
    return new BackgroundStartError(`The Claude CLI did not start: ${error.message}`, { cause: error });
  }

  #dispatch(message: SDKMessage): void {
    const active = this.#turn;
    if (!active) return;
    if (message.type === 'result') {
      const interruptedByUser =
        active.interruptSent && !active.stoppedByWorker && message.subtype === 'error_during_execution';
      if (isAnswer(message) || interruptedByUser) {
        active.saved = this.#deps.index.keepTurn(active.sessionId, this.#fence);
        // Awaited by the turn; a failure is reported there.
        active.saved.catch(() => {});
      } else this.#rewinding = this.#rewind(active.sessionId);
    }
    active.channel.push(message);
    if (message.type === 'result') {
      this.#turn = undefined;
      active.channel.end();
      active.finish();
    }
  }

  /** Replaces the process after a failed turn with one resumed before that turn's prompt. */
  async #rewind(sessionId: string): Promise<void> {
    this.#deps.logger.debug({ workerId: this.id, sessionId }, 'turn failed; resuming the conversation before it');
    try {
      await this.#stopProcess();
      await this.#launchFor({ id: sessionId, isNew: false }, this.#lifetime.signal);
    } catch (error) {
      this.#die(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#rewinding = undefined;
    }
  }

  #die(error: Error): void {
    this.#dead ??= error;
    const active = this.#turn;
    this.#turn = undefined;
    active?.channel.fail(this.#dead);
    active?.finish();
  }
}
