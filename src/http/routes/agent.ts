/**
 * The agent routes of docs/compatibility.md: POST /api/query and GET /api/query/stream
 * (admin agent, admin token), GET /api/user/query (employee agent).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../engines/types.ts';
import { conversationTarget, ownerOf, sessionNotFound } from '../conversation.ts';
import type { DocentContext } from '../deps.ts';
import { HttpError, refusalCode } from '../errors.ts';
import { withFeedbackMarker } from '../feedback-marker.ts';
import { doc } from '../openapi.ts';
import { openSse } from '../sse.ts';
import { type AdmittedTurn, runTurn, type TurnRequest, withAdmittedTurn } from '../turn.ts';
import { messageField, optionalParam, parseInput, queryParams, sessionIdField, userIdField } from '../validation.ts';

const queryBody = z.object({
  message: messageField,
  user_id: optionalParam(userIdField),
  session_id: optionalParam(sessionIdField),
});

type QueryParams = z.output<typeof queryParams>;

/** Who a turn belongs to and which conversation it continues (conversation.ts has the rule). */
function turnRequest(
  ctx: DocentContext,
  request: FastifyRequest,
  reply: FastifyReply,
  role: Role,
  params: QueryParams,
): TurnRequest {
  const owner = ownerOf(ctx.identity, request, reply, role, params.user_id);
  return {
    role,
    ownerId: owner.ownerId,
    userId: owner.ownerId,
    message: params.message,
    target: conversationTarget(params),
  };
}

/** withAdmittedTurn, with the 404 for an unreachable session saying how to continue a conversation. */
async function withTurn<T>(
  ctx: DocentContext,
  request: FastifyRequest,
  reply: FastifyReply,
  turn: TurnRequest,
  use: (admitted: AdmittedTurn) => Promise<T>,
): Promise<T> {
  try {
    return await withAdmittedTurn(ctx, reply, turn, use);
  } catch (error) {
    if (error instanceof HttpError && error.code === 'SESSION_NOT_FOUND') throw sessionNotFound(ctx.identity, request);
    throw error;
  }
}

async function streamTurn(ctx: DocentContext, request: FastifyRequest, reply: FastifyReply, role: Role): Promise<void> {
  const turn = turnRequest(ctx, request, reply, role, parseInput(queryParams, request.query));
  // Fastify's clock for the request so far (0 when it keeps none): the turn's `http` stage.
  ctx.metrics.observeStage(role, 'http', reply.elapsedTime);
  await withTurn(ctx, request, reply, turn, async (admitted) => {
    const stream = openSse(reply, ctx.heartbeatMs);
    try {
      ctx.metrics.trackStream(request.routeOptions.url ?? 'unknown', reply.raw);
      await runTurn(
        ctx,
        admitted,
        turn,
        withFeedbackMarker((event) => stream.send(event)),
      );
    } finally {
      stream.end();
    }
  });
}

export async function agentRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  app.post(
    '/api/query',
    {
      schema: doc({
        tags: ['admin agent'],
        summary: 'Ask the admin agent; the whole answer at once',
        body: queryBody,
        admin: true,
      }),
    },
    async (request, reply) => {
      const turn = turnRequest(ctx, request, reply, 'admin', parseInput(queryBody, request.body));
      const { sessionId, result } = await withTurn(ctx, request, reply, turn, async (admitted) => {
        let sessionId = admitted.session.id;
        const result = await runTurn(ctx, admitted, turn, (event) => {
          if (event.type === 'session') sessionId = event.session_id;
        });
        return { sessionId, result };
      });
      if (result.outcome === 'aborted') throw new HttpError('CLIENT_CLOSED', 'The client closed the connection');
      if (result.outcome === 'error') {
        const message = result.errorMessage ?? 'The turn failed';
        // Stopped by the shutdown grace: refused as a shutdown, as a new turn would be, so clients retry.
        if (result.errorCode === 'POOL_DRAINING') throw new HttpError('SERVICE_DRAINING', message, { retryAfterS: 5 });
        throw new HttpError(refusalCode(result.errorCode) ?? 'TURN_FAILED', message);
      }
      return { session_id: sessionId, response: result.answer, status: 'success' };
    },
  );

  app.get(
    '/api/query/stream',
    {
      schema: doc({
        tags: ['admin agent'],
        summary: 'Ask the admin agent',
        querystring: queryParams,
        admin: true,
        sse: true,
      }),
    },
    (request, reply) => streamTurn(ctx, request, reply, 'admin'),
  );

  app.get(
    '/api/user/query',
    {
      schema: doc({ tags: ['employee agent'], summary: 'Ask the employee agent', querystring: queryParams, sse: true }),
    },
    (request, reply) => streamTurn(ctx, request, reply, 'employee'),
  );
}
