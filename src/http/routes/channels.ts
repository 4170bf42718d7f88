/**
 * Messenger channels on Docent's own port: `/channels/<name>` takes the
 * platform's callbacks (GET for WeCom's URL check, POST for events), and
 * GET /api/channels shows the admin each channel's health and the questions
 * waiting for an expert. The channel layer does the work; this plugin gives it
 * the raw body and runs its turns through the same pool and sessions as the web.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FeishuAdapter } from '../../channels/adapters/feishu.ts';
import { SlackAdapter } from '../../channels/adapters/slack.ts';
import { WecomAdapter } from '../../channels/adapters/wecom.ts';
import type { HandoffStore } from '../../channels/handoff-store.ts';
import { type AskEmployee, ChannelRouter } from '../../channels/router.ts';
import type { SeenMessageStore } from '../../channels/seen-messages.ts';
import { type ChannelAdapter, ChannelAuthError, type ChannelName, type RateAnswer } from '../../channels/types.ts';
import { parseAnswer } from '../../kb/feedback.ts';
import { PoolError } from '../../pool/errors.ts';
import { pickAnsweredTurn } from '../answered-turn.ts';
import type { DocentContext } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { FeedbackLedger } from '../feedback-ledger.ts';
import { doc } from '../openapi.ts';
import { admitTurnUntil, runTurn } from '../turn.ts';
import { MESSAGE_MAX_CHARS, parseInput } from '../validation.ts';

/** Platform callbacks are small; anything larger is not one. */
const CALLBACK_BODY_LIMIT = 1024 * 1024;
/** Signed platform callbacks come from a few addresses; they get their own, higher ceiling. */
const CALLBACK_RATE_PER_MINUTE = 6000;

/** Every channel Docent has an adapter for; a name added to ChannelName does not compile until it is here too. */
const CHANNEL_NAMES = { wecom: true, feishu: true, slack: true } as const satisfies Record<ChannelName, true>;
const channelParams = z.object({ name: z.string() });

function isChannelName(name: string): name is ChannelName {
  return Object.hasOwn(CHANNEL_NAMES, name);
}

export function channelAdapters(ctx: DocentContext): ChannelAdapter[] {
  const { wecom, feishu, slack } = ctx.config.channels;
  return [
    ...(wecom ? [new WecomAdapter(wecom)] : []),
    ...(feishu ? [new FeishuAdapter(feishu)] : []),
    ...(slack ? [new SlackAdapter(slack)] : []),
  ];
}

/** An employee turn run for a channel: the answer is the turn's text, errors become a short result. */
function askThroughPool(ctx: DocentContext): AskEmployee {
  return async ({ ownerId, userId, message, signal }) => {
    const turn = { role: 'employee' as const, ownerId, userId, message, target: { kind: 'running' } as const };
    try {
      const admitted = await admitTurnUntil(ctx, turn, signal);
      const outcome = await runTurn(ctx, admitted, turn, () => {});
      if (outcome.outcome === 'ok') return { kind: 'answer', text: outcome.answer };
    } catch (error) {
      if (error instanceof PoolError || (error instanceof HttpError && error.code === 'SERVICE_DRAINING'))
        return { kind: 'busy' };
      const reference = randomUUID().slice(0, 8);
      ctx.logger.error({ err: error, reference, userId }, 'channel turn failed');
      return { kind: 'failed', reference };
    }
    const reference = randomUUID().slice(0, 8);
    ctx.logger.warn({ reference, userId }, 'channel turn ended without an answer');
    return { kind: 'failed', reference };
  };
}

/**
 * In-chat feedback rates the conversation's newest stored turn, as POST
 * /api/feedback does: the FAQ gets Docent's own question and answer, whichever
 * engine wrote it, and each answer counts once.
 */
function rateThroughSessions(ctx: DocentContext): RateAnswer {
  const ledger = new FeedbackLedger();
  return async ({ ownerId, satisfied, reason }) => {
    const session = await ctx.sessions.current(ownerId, 'employee');
    const picked = session && pickAnsweredTurn(await ctx.sessions.messages(session.id), {});
    if (!session || !picked) return { kind: 'nothing' };
    if (satisfied && parseAnswer(picked.answer).citations.length === 0) return { kind: 'nothing' };
    if (!ledger.claim(session.id, picked.turn)) return { kind: 'already' };
    const result = await ctx.kb.feedback({
      question: picked.question,
      answer: picked.answer,
      satisfied,
      ...(reason ? { reason } : {}),
    });
    ctx.logger.info({ sessionId: session.id, turn: picked.turn, satisfied, action: result.action }, 'channel feedback');
    return { kind: 'rated', action: result.action };
  };
}

export interface ChannelRoutesOptions {
  readonly handoffs: HandoffStore;
  /** Ids of taken messages that outlive a restart. @default memory only */
  readonly seenMessages?: SeenMessageStore;
  /** Adapters to serve; by default the ones the settings enable. */
  readonly adapters?: readonly ChannelAdapter[];
}

export async function channelRoutes(app: FastifyInstance, options: ChannelRoutesOptions): Promise<void> {
  const ctx = app.docent;
  const router = new ChannelRouter({
    adapters: options.adapters ?? channelAdapters(ctx),
    ask: askThroughPool(ctx),
    rate: rateThroughSessions(ctx),
    experts: ctx.kb,
    handoffs: options.handoffs,
    ...(options.seenMessages ? { seenMessages: options.seenMessages } : {}),
    logger: ctx.logger,
    handoffTimeoutMs: ctx.config.channels.handoffTimeoutMs,
    maxMessageChars: MESSAGE_MAX_CHARS,
  });
  router.start();
  app.addHook('onClose', async () => router.close());
  if (router.channels.length > 0) ctx.logger.info({ channels: router.channels }, 'messenger channels enabled');

  app.get(
    '/api/channels',
    {
      schema: doc({
        tags: ['channels'],
        summary: 'Messenger channels: health and pending expert hand-offs',
        admin: true,
      }),
    },
    async () => ({ channels: router.health(), pending_handoffs: await router.pendingHandoffs() }),
  );

  // Signatures cover the exact bytes, so these routes take the body as text, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  const handler = async (
    request: import('fastify').FastifyRequest,
    reply: import('fastify').FastifyReply,
  ): Promise<unknown> => {
    const { name } = parseInput(channelParams, request.params);
    // An unknown name is a 404, as a path without a route is; the client's name is not echoed back.
    if (!isChannelName(name)) throw new HttpError('NOT_FOUND', 'There is no such channel');
    if (!router.channels.includes(name)) {
      throw new HttpError('NOT_FOUND', `The ${name} channel is not configured on this server`);
    }
    try {
      const answer = await router.handle(name, {
        method: request.method === 'GET' ? 'GET' : 'POST',
        query: request.query as Record<string, string | undefined>,
        headers: request.headers as Record<string, string | undefined>,
        rawBody: typeof request.body === 'string' ? request.body : '',
      });
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    } catch (error) {
      if (error instanceof ChannelAuthError) {
        request.log.warn({ channel: name, reason: error.message }, 'channel callback refused');
        throw new HttpError('UNAUTHORIZED', 'The callback signature or token is not valid');
      }
      throw error;
    }
  };
  const routeOptions = {
    schema: doc({ tags: ['channels'], summary: 'Messenger platform callback' }),
    config: { rateLimit: { max: CALLBACK_RATE_PER_MINUTE, timeWindow: '1 minute' } },
    bodyLimit: CALLBACK_BODY_LIMIT,
  };
  app.get('/channels/:name', routeOptions, handler);
  app.post('/channels/:name', routeOptions, handler);
}
