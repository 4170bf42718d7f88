/**
 * Sessions: the EFKA routes (clear_context, session/create, DELETE session)
 * and the web UI's (GET /api/me, /api/sessions, /api/sessions/:id/messages).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../engines/types.ts';
import type { SessionRecord } from '../../sessions/types.ts';
import { adminOwnerId, canReach, ownerOf, sessionNotFound } from '../conversation.ts';
import { HttpError } from '../errors.ts';
import { doc } from '../openapi.ts';
import { optionalParam, parseInput, sessionIdField, userIdField } from '../validation.ts';

const clearBody = z.object({ user_id: optionalParam(userIdField), session_id: optionalParam(sessionIdField) });
const userQuery = z.object({ user_id: optionalParam(userIdField) });
const idParams = z.object({ session_id: sessionIdField });
const listQuery = z.object({
  limit: optionalParam(z.coerce.number().int().min(1).max(500)),
  user_id: optionalParam(userIdField),
});

function toSeconds(ms: number): number {
  return ms / 1000;
}

function clearedMessage(archived: number): string {
  return archived > 0
    ? 'Context cleared; the next message starts a new conversation'
    : 'No active conversation to clear';
}

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  /**
   * The session a caller may reach under this id, or 404 (unknown and someone
   * else's look the same). `clientUserId` names the caller only where
   * identity.ts trusts it (AUTH_MODE=open).
   */
  async function reachable(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    clientUserId: string | undefined,
  ): Promise<SessionRecord> {
    const record = await ctx.sessions.get(id);
    if (record?.role === 'admin' && ctx.identity.isAdmin(request)) return record;
    const owner = ownerOf(ctx.identity, request, reply, 'employee', clientUserId);
    if (canReach(record, owner.role, owner.ownerId)) return record;
    throw sessionNotFound(ctx.identity, request);
  }

  app.get(
    '/api/me',
    { schema: doc({ tags: ['sessions'], summary: 'The caller’s identity (issues the cookie)' }) },
    async (request, reply) => ({
      user_id: ctx.identity.employee(request, reply),
      auth_mode: ctx.config.authMode,
    }),
  );

  app.post(
    '/api/clear_context',
    { schema: doc({ tags: ['sessions'], summary: 'Start the next turn in a new conversation', body: clearBody }) },
    async (request, reply) => {
      const body = parseInput(clearBody, request.body);
      if (!body.user_id && !body.session_id) throw new HttpError('MISSING_USER_ID', 'Missing user_id parameter');
      if (!body.user_id) {
        // No user_id: the named session is the conversation (conversation.ts).
        const record = await reachable(request, reply, body.session_id as string, undefined);
        const archived = (await ctx.sessions.archive(record.id)) ? 1 : 0;
        return { success: true, message: clearedMessage(archived), archived };
      }
      // With a user_id the running conversation is the one cleared, whatever session_id says.
      const owner = ownerOf(ctx.identity, request, reply, 'employee', body.user_id);
      let archived = await ctx.sessions.archiveCurrent(owner.ownerId, 'employee');
      if (ctx.identity.isAdmin(request)) {
        archived += await ctx.sessions.archiveCurrent(adminOwnerId(body.user_id), 'admin');
      }
      // The next turn for this user_id continues in this (empty) conversation;
      // the original web client switches to new_session_id when it is present.
      const next = await ctx.sessions.create({
        id: randomUUID(),
        role: 'employee',
        ownerId: owner.ownerId,
        kind: 'persistent',
      });
      return { success: true, message: clearedMessage(archived), archived, new_session_id: next.id };
    },
  );

  app.post(
    '/api/session/create',
    { schema: doc({ tags: ['sessions'], summary: 'Create an empty session', querystring: userQuery }) },
    async (request, reply) => {
      const query = parseInput(userQuery, request.query);
      const role: Role = ctx.identity.isAdmin(request) ? 'admin' : 'employee';
      const { ownerId } = ownerOf(ctx.identity, request, reply, role, query.user_id);
      const record = await ctx.sessions.create({ id: randomUUID(), role, ownerId, kind: 'ephemeral' });
      return { session_id: record.id, created_at: toSeconds(record.createdAt), status: 'created' };
    },
  );

  app.delete(
    '/api/session/:session_id',
    { schema: doc({ tags: ['sessions'], summary: 'Delete a session' }) },
    async (request, reply) => {
      const { session_id } = parseInput(idParams, request.params);
      const { user_id } = parseInput(userQuery, request.query);
      const record = await reachable(request, reply, session_id, user_id);
      // The transcripts go too: at once, or when a turn of it still in flight ends (conversations.ts).
      await ctx.conversations.delete(record.id);
      ctx.pools.get(record.role).forgetSession(record.id);
      return { status: 'deleted', session_id: record.id };
    },
  );

  app.get(
    '/api/sessions',
    { schema: doc({ tags: ['sessions'], summary: 'The caller’s employee sessions', querystring: listQuery }) },
    async (request, reply) => {
      const { limit, user_id } = parseInput(listQuery, request.query);
      const owner = ownerOf(ctx.identity, request, reply, 'employee', user_id);
      const records = await ctx.sessions.list(owner.ownerId, 'employee', limit ?? 100);
      return {
        sessions: records.map((r) => ({
          session_id: r.id,
          title: r.title,
          created_at: toSeconds(r.createdAt),
          last_active: toSeconds(r.lastActiveAt),
          turns: r.turns,
        })),
      };
    },
  );

  app.get(
    '/api/sessions/:session_id/messages',
    { schema: doc({ tags: ['sessions'], summary: 'Questions and answers of one of the caller’s sessions' }) },
    async (request, reply) => {
      const { session_id } = parseInput(idParams, request.params);
      const { user_id } = parseInput(userQuery, request.query);
      const record = await reachable(request, reply, session_id, user_id);
      const messages = await ctx.sessions.messages(record.id);
      return {
        session_id: record.id,
        messages: messages.map((m) => ({ role: m.role, content: m.content, at: toSeconds(m.at) })),
      };
    },
  );
}
