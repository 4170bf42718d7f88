/**
 * Sessions: the EFKA routes (clear_context, session/create, DELETE session)
 * and the web UI's (GET /api/me, /api/sessions, /api/sessions/:id/messages).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../engines/types.ts';
import type { SessionRecord } from '../../sessions/types.ts';
import { HttpError } from '../errors.ts';
import { doc } from '../openapi.ts';
import { canReach } from '../turn.ts';
import { optionalParam, parseInput, sessionIdField, userIdField } from '../validation.ts';

const clearBody = z.object({ user_id: optionalParam(userIdField), session_id: optionalParam(sessionIdField) });
const createQuery = z.object({ user_id: optionalParam(userIdField) });
const idParams = z.object({ session_id: sessionIdField });
const listQuery = z.object({ limit: optionalParam(z.coerce.number().int().min(1).max(500)) });

function toSeconds(ms: number): number {
  return ms / 1000;
}

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  /** The session a caller may reach under this id, or 404 (unknown and someone else's look the same). */
  async function reachable(request: FastifyRequest, reply: FastifyReply, id: string): Promise<SessionRecord> {
    const record = await ctx.sessions.get(id);
    const admin = ctx.identity.isAdmin(request);
    if (record?.role === 'admin' && admin) return record;
    const userId = ctx.identity.employee(request, reply);
    if (canReach(record, 'employee', userId)) return record;
    throw new HttpError('SESSION_NOT_FOUND', 'Session not found');
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
      let archived = 0;
      if (body.session_id) {
        const record = await reachable(request, reply, body.session_id);
        if (await ctx.sessions.archive(record.id)) archived += 1;
      }
      if (body.user_id) {
        const userId = ctx.identity.employee(request, reply, body.user_id);
        archived += await ctx.sessions.archiveCurrent(userId, 'employee');
        if (ctx.identity.isAdmin(request))
          archived += await ctx.sessions.archiveCurrent(`admin:${body.user_id}`, 'admin');
      }
      return {
        success: true,
        message:
          archived > 0
            ? 'Context cleared; the next message starts a new conversation'
            : 'No active conversation to clear',
        archived,
      };
    },
  );

  app.post(
    '/api/session/create',
    { schema: doc({ tags: ['sessions'], summary: 'Create an empty session', querystring: createQuery }) },
    async (request, reply) => {
      const query = parseInput(createQuery, request.query);
      const admin = ctx.identity.isAdmin(request);
      const role: Role = admin ? 'admin' : 'employee';
      const ownerId = admin
        ? query.user_id
          ? `admin:${query.user_id}`
          : 'admin'
        : ctx.identity.employee(request, reply, query.user_id);
      const record = await ctx.sessions.create({ id: randomUUID(), role, ownerId, kind: 'ephemeral' });
      return { session_id: record.id, created_at: toSeconds(record.createdAt), status: 'created' };
    },
  );

  app.delete(
    '/api/session/:session_id',
    { schema: doc({ tags: ['sessions'], summary: 'Delete a session' }) },
    async (request, reply) => {
      const { session_id } = parseInput(idParams, request.params);
      const record = await reachable(request, reply, session_id);
      await ctx.sessions.delete(record.id);
      return { status: 'deleted', session_id: record.id };
    },
  );

  app.get(
    '/api/sessions',
    { schema: doc({ tags: ['sessions'], summary: 'The caller’s employee sessions', querystring: listQuery }) },
    async (request, reply) => {
      const { limit } = parseInput(listQuery, request.query);
      const userId = ctx.identity.employee(request, reply);
      const records = await ctx.sessions.list(userId, 'employee', limit ?? 100);
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
      const record = await reachable(request, reply, session_id);
      const messages = await ctx.sessions.messages(record.id);
      return {
        session_id: record.id,
        messages: messages.map((m) => ({ role: m.role, content: m.content, at: toSeconds(m.at) })),
      };
    },
  );
}
