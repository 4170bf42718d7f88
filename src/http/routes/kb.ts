/**
 * Knowledge-base routes: reading a file (everyone: cited lines), feedback,
 * and for the admin the tree, statistics, FAQ, bad cases, two-step delete
 * and ingestion of uploaded files with progress as server-sent events.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { IngestSource } from '../../kb/types.ts';
import { HttpError, scrubPaths } from '../errors.ts';
import { doc } from '../openapi.ts';
import { openSse } from '../sse.ts';
import { canReach } from '../turn.ts';
import { MESSAGE_MAX_CHARS, optionalParam, parseInput, sessionIdField } from '../validation.ts';

const KB_PATH_MAX_CHARS = 1024;
const kbPath = z
  .string({ error: (issue) => (issue.input === undefined ? 'Field required' : 'Must be a string') })
  .min(1, 'Must not be empty')
  .max(KB_PATH_MAX_CHARS, `Must be at most ${KB_PATH_MAX_CHARS} characters`)
  .refine((p) => !p.includes('\0'), 'Must not contain NUL');
const lineNumber = z.coerce.number().int('Must be a whole number').min(1, 'Must be at least 1').max(10_000_000);

const fileQuery = z.object({
  path: kbPath,
  start_line: optionalParam(lineNumber),
  end_line: optionalParam(lineNumber),
});
const feedbackBody = z.object({
  question: z.string().trim().min(1, 'Must not be empty').max(MESSAGE_MAX_CHARS),
  answer: z.string().max(200_000),
  satisfied: z.boolean({ error: 'Must be true or false' }),
  reason: z.string().max(2_000).optional(),
  session_id: optionalParam(sessionIdField),
});
const deleteBody = z.object({ path: kbPath });
const confirmBody = z.object({ token: z.string().min(1, 'Must not be empty').max(200) });
const ingestBody = z.object({
  files: z.array(z.string().max(100), { error: 'Must be a list of upload references' }).min(1).max(100),
  force: z.boolean().optional(),
});

function isBadCaseFile(kbPath: string): boolean {
  const normalised = path.posix.normalize(kbPath.replace(/\\/g, '/')).replace(/^(\.\/|\/)+/, '');
  return normalised.toLowerCase() === 'badcase.md';
}

export async function kbRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  app.get(
    '/api/kb/file',
    { schema: doc({ tags: ['knowledge base'], summary: 'Lines of a file', querystring: fileQuery }) },
    async (request) => {
      const query = parseInput(fileQuery, request.query);
      if (query.start_line && query.end_line && query.end_line < query.start_line) {
        throw new HttpError('VALIDATION_FAILED', 'end_line: Must not be before start_line');
      }
      // Bad cases quote other employees' questions and complaints: administrators only.
      if (isBadCaseFile(query.path) && !ctx.identity.isAdmin(request)) {
        throw new HttpError('FORBIDDEN', 'BADCASE.md is for administrators');
      }
      const slice = await ctx.kb.read(query.path, { startLine: query.start_line, endLine: query.end_line });
      return {
        path: slice.path,
        content: slice.content,
        start_line: slice.startLine,
        end_line: slice.endLine,
        total_lines: slice.totalLines,
      };
    },
  );

  app.post(
    '/api/feedback',
    { schema: doc({ tags: ['knowledge base'], summary: 'Satisfied or not with an answer', body: feedbackBody }) },
    async (request, reply) => {
      const body = parseInput(feedbackBody, request.body);
      if (body.session_id) {
        const userId = ctx.identity.employee(request, reply);
        const record = await ctx.sessions.get(body.session_id);
        const adminReach = record?.role === 'admin' && ctx.identity.isAdmin(request);
        if (!adminReach && !canReach(record, 'employee', userId)) {
          throw new HttpError('SESSION_NOT_FOUND', 'Session not found');
        }
      }
      const result = await ctx.kb.feedback({
        question: body.question,
        answer: body.answer,
        satisfied: body.satisfied,
        reason: body.reason,
      });
      return { status: 'success', action: result.action, message: result.message };
    },
  );

  app.get(
    '/api/admin/check',
    { schema: doc({ tags: ['admin'], summary: 'Is this admin token valid?', admin: true }) },
    async () => ({ ok: true }),
  );

  app.get(
    '/api/kb/tree',
    { schema: doc({ tags: ['knowledge base'], summary: 'Folder tree', admin: true }) },
    async () => ctx.kb.tree(),
  );

  app.get(
    '/api/kb/stats',
    { schema: doc({ tags: ['knowledge base'], summary: 'Statistics', admin: true }) },
    async () => ctx.kb.stats(),
  );

  app.get(
    '/api/kb/faq',
    { schema: doc({ tags: ['knowledge base'], summary: 'FAQ entries', admin: true }) },
    async () => ({
      entries: await ctx.kb.faq(),
    }),
  );

  app.get(
    '/api/kb/badcases',
    { schema: doc({ tags: ['knowledge base'], summary: 'Bad cases', admin: true }) },
    async () => ({
      entries: await ctx.kb.badCases(),
    }),
  );

  app.post(
    '/api/kb/delete',
    {
      schema: doc({ tags: ['knowledge base'], summary: 'Plan a delete (step 1)', body: deleteBody, admin: true }),
    },
    async (request) => {
      const plan = await ctx.kb.planDelete(parseInput(deleteBody, request.body).path);
      return { token: plan.token, paths: plan.paths };
    },
  );

  app.post(
    '/api/kb/delete/confirm',
    {
      schema: doc({
        tags: ['knowledge base'],
        summary: 'Carry out a planned delete (step 2)',
        body: confirmBody,
        admin: true,
      }),
    },
    async (request) => {
      const result = await ctx.kb.confirmDelete(parseInput(confirmBody, request.body).token);
      return { deleted: result.deleted };
    },
  );

  app.post(
    '/api/kb/ingest',
    {
      schema: doc({
        tags: ['knowledge base'],
        summary: 'Add uploaded files, with progress',
        body: ingestBody,
        admin: true,
        sse: true,
      }),
    },
    async (request, reply) => {
      const body = parseInput(ingestBody, request.body);
      const sources: IngestSource[] = [];
      for (const reference of body.files) {
        const upload = await ctx.uploads.resolve(reference);
        if (!upload)
          throw new HttpError(
            'UPLOAD_UNKNOWN',
            `Unknown or expired upload reference: ${JSON.stringify(reference.slice(0, 60))}`,
          );
        sources.push({ name: upload.name, sourcePath: upload.path });
      }
      if (ctx.lifecycle.state === 'draining')
        throw new HttpError('SERVICE_DRAINING', 'The server is shutting down; retry shortly', undefined, 5);
      const stream = openSse(reply, ctx.heartbeatMs);
      ctx.metrics.trackStream('/api/kb/ingest', reply.raw);
      try {
        const results = await ctx.kb.ingest(sources, {
          force: body.force,
          signal: stream.signal,
          onProgress: (p) =>
            stream.send({
              type: 'progress',
              index: p.index,
              total: p.total,
              name: p.name,
              stage: p.stage,
              message: p.message ?? '',
            }),
        });
        const shown = results.map((r) => (r.reason ? { ...r, reason: scrubPaths(r.reason) } : r));
        stream.send({ type: 'result', results: shown });
        stream.send({ type: 'done' });
      } catch (error) {
        request.log.warn({ err: error }, 'ingest failed');
        const message =
          error instanceof HttpError || (error as { code?: string }).code?.startsWith('KB_')
            ? scrubPaths((error as Error).message)
            : 'Ingestion failed';
        stream.send({ type: 'error', message: message || 'Ingestion failed' });
      } finally {
        stream.end();
      }
    },
  );
}
