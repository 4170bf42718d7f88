/**
 * Knowledge-base routes: reading a file (everyone: cited lines), feedback,
 * and for the admin the tree, statistics, FAQ, bad cases, two-step delete
 * and ingestion of uploaded files with progress as server-sent events, and
 * this node's search (to check what the agents' search tool finds).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasControlCharacters } from '../../kb/control-chars.ts';
import { isAdminOnlyPath } from '../../kb/index.ts';
import type { IngestSource } from '../../kb/types.ts';
import { pickAnsweredTurn } from '../answered-turn.ts';
import { canReach, sessionNotFound } from '../conversation.ts';
import { HttpError, scrubPaths } from '../errors.ts';
import { FeedbackLedger } from '../feedback-ledger.ts';
import { doc } from '../openapi.ts';
import { openSse } from '../sse.ts';
import { MESSAGE_MAX_CHARS, optionalParam, parseInput, sessionIdField, textField } from '../validation.ts';

const KB_PATH_MAX_CHARS = 1024;
const kbPath = z
  .string({ error: (issue) => (issue.input === undefined ? 'Field required' : 'Must be a string') })
  .min(1, 'Must not be empty')
  .max(KB_PATH_MAX_CHARS, `Must be at most ${KB_PATH_MAX_CHARS} characters`)
  .refine((p) => !hasControlCharacters(p), 'Must not contain control characters');
const lineNumber = z.coerce.number().int('Must be a whole number').min(1, 'Must be at least 1').max(10_000_000);

const fileQuery = z.object({
  path: kbPath,
  start_line: optionalParam(lineNumber),
  end_line: optionalParam(lineNumber),
});
/**
 * Feedback names an answer Docent gave: the session (the caller's own) and,
 * optionally, which turn. `question` and `answer` are accepted for the
 * original shape, but the FAQ is only ever written from the stored turn
 * (answered-turn.ts).
 */
const feedbackBody = z.object({
  session_id: sessionIdField,
  turn: optionalParam(z.number().int('Must be a whole number').min(1, 'Must be at least 1').max(1_000_000)),
  satisfied: z.boolean({ error: 'Must be true or false' }),
  reason: optionalParam(textField(2_000, { allowEmpty: true })),
  question: optionalParam(textField(MESSAGE_MAX_CHARS, { allowEmpty: true })),
  answer: optionalParam(z.string().max(200_000, 'Must be at most 200000 characters')),
});
/** Feedback requests per user (or address) a minute: each one can change the FAQ. */
const FEEDBACK_PER_MINUTE = 20;
const searchQuery = z.object({
  q: textField(2_000),
  limit: optionalParam(z.coerce.number().int('Must be a whole number').min(1, 'Must be at least 1').max(50)),
});
const deleteBody = z.object({ path: kbPath });
const moveBody = z.object({ path: kbPath, folder: z.string().max(500, 'At most 500 characters') });
const confirmBody = z.object({ token: z.string().min(1, 'Must not be empty').max(200) });
const ingestBody = z.object({
  files: z.array(z.string().max(100), { error: 'Must be a list of upload references' }).min(1).max(100),
  force: z.boolean().optional(),
  /** A folder to put the files in, instead of the one Docent would choose. */
  folder: optionalParam(kbPath),
});

export async function kbRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;
  const ledger = new FeedbackLedger();

  app.get(
    '/api/kb/file',
    { schema: doc({ tags: ['knowledge base'], summary: 'Lines of a file', querystring: fileQuery }) },
    async (request) => {
      const query = parseInput(fileQuery, request.query);
      if (query.start_line && query.end_line && query.end_line < query.start_line) {
        throw new HttpError('VALIDATION_FAILED', 'end_line: Must not be before start_line');
      }
      // Bad cases quote other employees' questions and complaints: administrators only.
      if (isAdminOnlyPath(query.path) && !ctx.identity.isAdmin(request)) {
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
    {
      schema: doc({ tags: ['knowledge base'], summary: 'Satisfied or not with an answer', body: feedbackBody }),
      config: { rateLimit: { max: FEEDBACK_PER_MINUTE, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const body = parseInput(feedbackBody, request.body);
      const record = await ctx.sessions.get(body.session_id);
      const adminReach = record?.role === 'admin' && ctx.identity.isAdmin(request);
      if (!adminReach && !canReach(record, 'employee', ctx.identity.employee(request, reply))) {
        throw sessionNotFound(ctx.identity, request);
      }
      const picked = pickAnsweredTurn(await ctx.sessions.messages(body.session_id), body);
      if (!picked) {
        throw new HttpError('ANSWER_NOT_FOUND', 'This conversation has no such answer to give feedback on');
      }
      if (!ledger.claim(body.session_id, picked.turn)) {
        throw new HttpError('FEEDBACK_ALREADY_GIVEN', `Feedback on turn ${picked.turn} was already given`);
      }
      const result = await ctx.kb.feedback({
        question: picked.question,
        answer: picked.answer,
        satisfied: body.satisfied,
        ...(body.reason ? { reason: body.reason } : {}),
      });
      request.log.info(
        { sessionId: body.session_id, turn: picked.turn, satisfied: body.satisfied, action: result.action },
        'feedback',
      );
      return { status: 'success', action: result.action, message: result.message, turn: picked.turn };
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
    '/api/kb/search',
    {
      schema: doc({
        tags: ['knowledge base'],
        summary: "This node's search of the knowledge base (what the agents' search tool sees)",
        querystring: searchQuery,
        admin: true,
      }),
    },
    async (request) => {
      const query = parseInput(searchQuery, request.query);
      const hits = await ctx.kb.search(query.q, query.limit ? { limit: query.limit } : {});
      return {
        hits: hits.map((hit) => ({
          path: hit.path,
          heading: hit.heading,
          start_line: hit.startLine,
          end_line: hit.endLine,
          score: hit.score,
          snippet: hit.snippet,
        })),
      };
    },
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
    '/api/kb/move',
    {
      schema: doc({
        tags: ['knowledge base'],
        summary: 'Move a document (with its images and data file) into a folder ("" for the top folder)',
        body: moveBody,
        admin: true,
      }),
    },
    async (request) => {
      const { path, folder } = parseInput(moveBody, request.body);
      return { moved: (await ctx.kb.move(path, folder)).moved };
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
        throw new HttpError('SERVICE_DRAINING', 'The server is shutting down; retry shortly', { retryAfterS: 5 });
      const stream = openSse(reply, ctx.heartbeatMs);
      ctx.metrics.trackStream('/api/kb/ingest', reply.raw);
      try {
        const results = await ctx.kb.ingest(sources, {
          force: body.force,
          ...(body.folder ? { folder: body.folder } : {}),
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
