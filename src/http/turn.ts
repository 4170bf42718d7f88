/**
 * One agent turn over HTTP: find or make the session, get a worker from the
 * pool BEFORE anything is streamed (so a full pool is a plain 503), run the
 * turn, and save the session record whether or not the client stayed.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { TurnTicket } from '../cluster/turn-gate.ts';
import type { AgentEvent, Role, TurnInput } from '../engines/types.ts';
import { PoolError } from '../pool/errors.ts';
import type { TurnLease } from '../pool/types.ts';
import type { SessionRecord } from '../sessions/types.ts';
import { toWireEvent, type WireEvent } from './agent-events.ts';
import { type ConversationTarget, canReach } from './conversation.ts';
import type { DocentContext } from './deps.ts';
import { HttpError, scrubPaths } from './errors.ts';
import { MetadataFenceStream } from './metadata-stream.ts';

export interface TurnRequest {
  readonly role: Role;
  /** Who owns the session (employee id, or `admin` / `admin:<user_id>`). */
  readonly ownerId: string;
  /** The user id the pool uses for its per-user cap. */
  readonly userId: string;
  readonly message: string;
  /** Which conversation (conversation.ts has the rule). */
  readonly target: ConversationTarget;
}

type AgentLease = TurnLease<TurnInput, AgentEvent>;

export interface AdmittedTurn {
  readonly session: SessionRecord;
  readonly isNew: boolean;
  readonly lease: AgentLease;
  /**
   * Several nodes: the conversation's cluster lease, held from before the
   * worker until the turn's record is saved (runTurn releases it).
   */
  readonly ticket?: TurnTicket;
  /** Aborted when the client goes away (request close before the response ended). */
  readonly signal: AbortSignal;
  readonly startedAt: number;
}

const firstTurns = new WeakMap<DocentContext, Set<string>>();

/** Sessions whose first turn was admitted and not yet saved. */
function firstTurnsInFlight(ctx: DocentContext): Set<string> {
  let set = firstTurns.get(ctx);
  if (!set) {
    set = new Set();
    firstTurns.set(ctx, set);
  }
  return set;
}

export { canReach } from './conversation.ts';

async function resolveSession(
  ctx: DocentContext,
  turn: TurnRequest,
): Promise<{ record: SessionRecord; created: boolean }> {
  const { target } = turn;
  if (target.kind === 'named') {
    const record = await ctx.sessions.get(target.sessionId);
    if (!canReach(record, turn.role, turn.ownerId)) throw new HttpError('SESSION_NOT_FOUND', 'Session not found');
    return { record, created: false };
  }
  if (target.kind === 'running') {
    const current = await ctx.sessions.current(turn.ownerId, turn.role);
    if (current) return { record: current, created: false };
  }
  const record = await ctx.sessions.create({
    id: randomUUID(),
    role: turn.role,
    ownerId: turn.ownerId,
    kind: target.kind === 'running' ? 'persistent' : 'ephemeral',
  });
  return { record, created: true };
}

/** Throws HttpError / PoolError (mapped to 404/409/503 by the error handler) before any byte is sent. */
export async function admitTurn(ctx: DocentContext, reply: FastifyReply, turn: TurnRequest): Promise<AdmittedTurn> {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  };
  reply.raw.on('close', onClose);
  try {
    return await admitTurnUntil(ctx, turn, controller.signal, reply.request.id);
  } catch (error) {
    reply.raw.off('close', onClose);
    throw error;
  }
}

/** admitTurn for callers that are not an HTTP request (messenger channels): `signal` says the caller gave up. */
/**
 * Admits the turn and hands it to `use`; the worker and the session are
 * released when `use` ends, however it ends. Routes go through this, so that
 * nothing between acquiring a worker and running the turn (opening the
 * stream, metrics) can hold a worker forever when it throws.
 */
export async function withAdmittedTurn<T>(
  ctx: DocentContext,
  reply: FastifyReply,
  turn: TurnRequest,
  use: (admitted: AdmittedTurn) => Promise<T>,
): Promise<T> {
  const admitted = await admitTurn(ctx, reply, turn);
  try {
    return await use(admitted);
  } finally {
    admitted.lease.release();
    void admitted.ticket?.release();
    firstTurnsInFlight(ctx).delete(admitted.session.id);
  }
}

/** The lease, with `onRelease` called once when it is released. */
function releasing(lease: AgentLease, onRelease: () => void): AgentLease {
  return {
    workerId: lease.workerId,
    placement: lease.placement,
    waitedMs: lease.waitedMs,
    run: (input) => lease.run(input),
    release: () => {
      lease.release();
      onRelease();
    },
  };
}

export async function admitTurnUntil(
  ctx: DocentContext,
  turn: TurnRequest,
  signal: AbortSignal,
  /** For the cluster lease's holder and its logs: the HTTP request's id, or a fresh one. */
  requestId: string = randomUUID().slice(0, 8),
): Promise<AdmittedTurn> {
  if (ctx.lifecycle.state === 'draining') {
    throw new HttpError('SERVICE_DRAINING', 'The server is shutting down; retry shortly', { retryAfterS: 5 });
  }
  const startedAt = performance.now();
  const { record, created } = await resolveSession(ctx, turn);
  const resolvedAt = performance.now();
  // Until its worker is released, the turn keeps the conversation's files (a deletion waits for it).
  const endTurn = ctx.conversations.beginTurn(record.id);
  let ticket: TurnTicket | undefined;
  try {
    let current = record;
    let workerSignal = signal;
    if (ctx.gate) {
      // Several nodes: the conversation's lease first, so no other node runs a turn of it meanwhile.
      const settings = ctx.config.pools[turn.role];
      ticket = await ctx.gate.enter(record.id, {
        policy: settings.sessionPolicy,
        waitMs: settings.acquireTimeoutMs,
        signal,
        requestId,
      });
      // Another node may have answered turns of it while this one waited: the shared record says.
      if (!created) current = (await ctx.sessions.get(record.id)) ?? record;
      workerSignal = AbortSignal.any([signal, ticket.lost]);
    }
    // A session whose first turn is still in flight already exists for the
    // engine by the time a queued second turn runs: that one resumes it.
    const pending = firstTurnsInFlight(ctx);
    const isNew = current.turns === 0 && !pending.has(record.id);
    if (isNew) pending.add(record.id);
    const lease = await ctx.pools.get(turn.role).acquire({
      session: { id: record.id, isNew },
      userId: turn.userId,
      signal: workerSignal,
    });
    ctx.metrics.observeStage(turn.role, 'session', resolvedAt - startedAt);
    ctx.metrics.observeStage(turn.role, 'pool_wait', performance.now() - resolvedAt);
    return {
      session: current,
      isNew,
      lease: releasing(lease, endTurn),
      ...(ticket ? { ticket } : {}),
      signal,
      startedAt,
    };
  } catch (error) {
    endTurn();
    void ticket?.release();
    firstTurnsInFlight(ctx).delete(record.id);
    if (created) await ctx.sessions.delete(record.id);
    if (signal.aborted) throw new HttpError('CLIENT_CLOSED', 'The client closed the connection');
    throw error;
  }
}

export interface TurnOutcome {
  readonly answer: string;
  readonly outcome: 'ok' | 'error' | 'aborted';
  readonly errorMessage?: string;
  /** The failure's code: the engine's error event's (a KbError's, UPLOAD_UNKNOWN), or the pool's (POOL_DRAINING). */
  readonly errorCode?: string;
}

/**
 * What an employee is told when a turn fails: no worker ids, signals or
 * gateway addresses, only a reference under which the details are logged.
 * Admins get the (path-scrubbed) message itself.
 */
function employeeFailure(ctx: DocentContext, sessionId: string, detail: string, error?: unknown): string {
  const reference = randomUUID().slice(0, 8);
  ctx.logger.warn({ reference, sessionId, detail }, 'turn failed; the employee was given a reference');
  if (error instanceof PoolError && error.code === 'POOL_DRAINING') {
    // A shutdown, not a fault: the answer is not kept (a failed turn), and asking again once it is back works.
    return (
      `Docent is restarting, so this answer was stopped and not saved. Please ask again in a moment (reference ${reference}). ` +
      `Docent 正在重启，本次回答已中止且未保存，请稍后重新提问（编号 ${reference}）。`
    );
  }
  return (
    `Sorry, something went wrong while answering. Please try again (reference ${reference}). ` +
    `抱歉，回答时出错，请重试（编号 ${reference}）。`
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof PoolError || error instanceof HttpError) return scrubPaths(error.message);
  return 'The turn failed unexpectedly';
}

/**
 * Runs an admitted turn, handing each wire event to `emit` (the session event
 * always first), then saves the turn. Never throws: a failure becomes an
 * `error` event.
 */
export async function runTurn(
  ctx: DocentContext,
  admitted: AdmittedTurn,
  turn: TurnRequest,
  emit: (event: WireEvent) => void,
): Promise<TurnOutcome> {
  const { lease, session } = admitted;
  const texts: string[] = [];
  let sessionId = session.id;
  let sentSession = false;
  let outcome: TurnOutcome['outcome'] = 'ok';
  let errorMessage: string | undefined;
  let errorCode: string | undefined;
  // Text comes as deltas: fences are stripped across them (metadata-stream.ts).
  const fences = turn.role === 'employee' ? new MetadataFenceStream() : undefined;
  const sendText = (content: string) => {
    if (content === '') return;
    texts.push(content);
    emit({ type: 'message', content });
  };
  const flushText = () => {
    if (fences) sendText(fences.flush());
  };
  const sendSession = () => {
    sentSession = true;
    emit({ type: 'session', session_id: sessionId, is_new: admitted.isNew });
  };
  const engineFrom = performance.now();
  try {
    const fence = admitted.ticket && { token: admitted.ticket.token, previousToken: admitted.ticket.previousToken };
    for await (const event of lease.run({ message: turn.message, ...(fence ? { fence } : {}) })) {
      if (event.type === 'session') {
        if (sentSession) continue;
        if (event.sessionId !== sessionId) {
          await ctx.sessions.rename(sessionId, event.sessionId);
          sessionId = event.sessionId;
        }
        sentSession = true;
      } else if (!sentSession) {
        sendSession();
      }
      if (event.type === 'text') {
        sendText(fences ? fences.push(event.text) : event.text);
        continue;
      }
      if (event.type !== 'session') flushText();
      const wire = toWireEvent(event, { stripMetadata: false });
      if (!wire) continue;
      if (wire.type === 'error') {
        outcome = 'error';
        errorMessage = wire.message;
        if (event.type === 'error') errorCode = event.code;
        if (turn.role === 'employee') wire.message = employeeFailure(ctx, sessionId, wire.message);
      }
      emit(wire);
      if (wire.type === 'error') break;
    }
    flushText();
    if (!sentSession) sendSession();
  } catch (error) {
    if (admitted.signal.aborted) {
      outcome = 'aborted';
    } else {
      outcome = 'error';
      errorMessage = describeFailure(error);
      if (error instanceof PoolError) errorCode = error.code;
      if (!(error instanceof PoolError)) ctx.logger.error({ err: error, sessionId }, 'turn threw');
      if (!sentSession) sendSession();
      flushText();
      emit({
        type: 'error',
        message: turn.role === 'employee' ? employeeFailure(ctx, sessionId, errorMessage, error) : errorMessage,
      });
    }
  } finally {
    lease.release();
  }
  ctx.metrics.observeStage(turn.role, 'engine', performance.now() - engineFrom);
  // The caller left: whatever error the engine reported is the interruption's.
  if (admitted.signal.aborted) outcome = 'aborted';
  if (admitted.ticket?.lost.aborted && !admitted.signal.aborted) {
    // Another node took the conversation over (this one stalled past the lease): nothing of this turn counts.
    outcome = 'error';
    errorMessage = 'LEASE_LOST: the conversation was taken over by another node';
  }
  // Joined as the web client shows them (its message events are concatenated as they come).
  const answer = texts.join('');
  // The history holds the turns the agent keeps in its conversation: answered or interrupted
  // by the caller. A failed turn leaves no trace there, as in the engine (docs/claude-engine.md).
  if (outcome !== 'error') {
    const storeFrom = performance.now();
    try {
      await ctx.sessions.recordTurn(sessionId, { question: turn.message, answer, at: Date.now() });
    } catch (error) {
      // The store failing must not turn a delivered answer into an error.
      ctx.logger.error({ err: error, sessionId }, 'could not save the session turn');
    }
    ctx.metrics.observeStage(turn.role, 'store', performance.now() - storeFrom);
  }
  // Only once the record is saved: the next node to take the lease must see this turn counted.
  await admitted.ticket?.release();
  firstTurnsInFlight(ctx).delete(session.id);
  const seconds = (performance.now() - admitted.startedAt) / 1000;
  ctx.metrics.observeTurn(turn.role, outcome, seconds);
  if (outcome === 'error') {
    ctx.logger.warn({ role: turn.role, sessionId, workerId: lease.workerId, error: errorMessage }, 'turn failed');
  } else {
    ctx.logger.debug(
      { role: turn.role, sessionId, workerId: lease.workerId, outcome, ms: Math.round(seconds * 1000) },
      'turn done',
    );
  }
  return { answer, outcome, errorMessage, ...(outcome === 'error' && errorCode ? { errorCode } : {}) };
}
