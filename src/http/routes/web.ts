/**
 * GET / (the EFKA service JSON for API clients, the web UI for browsers),
 * GET /admin, and the UI's static assets. HTML gets a strict CSP: the UI
 * needs no inline scripts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { effectiveEngine } from '../../config.ts';
import { HttpError } from '../errors.ts';
import { doc } from '../openapi.ts';

export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

async function sendHtml(reply: FastifyReply, file: string): Promise<FastifyReply> {
  const html = await readFile(file);
  return reply
    .header('Content-Security-Policy', HTML_CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('Cache-Control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(html);
}

export async function webRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;
  const indexHtml = path.join(ctx.webDir, 'index.html');
  const adminHtml = path.join(ctx.webDir, 'admin.html');
  const assetsDir = path.join(ctx.webDir, 'assets');

  app.get(
    '/',
    { schema: doc({ tags: ['service'], summary: 'Service description (browsers get the web UI)' }) },
    async (request, reply) => {
      if (wantsHtml(request) && existsSync(indexHtml)) return sendHtml(reply, indexHtml);
      return {
        message: 'Docent knowledge-base agent service',
        version: ctx.version,
        run_mode: 'standalone',
        engine: effectiveEngine(ctx.config),
        docs: '/docs',
      };
    },
  );

  app.get('/admin', { schema: doc({ tags: ['service'], summary: 'Admin web UI' }) }, async (_request, reply) => {
    if (!existsSync(adminHtml)) throw new HttpError('NOT_FOUND', 'The web UI is not built (npm run build:web)');
    return sendHtml(reply, adminHtml);
  });

  if (existsSync(assetsDir)) {
    await app.register(fastifyStatic, {
      root: assetsDir,
      prefix: '/assets/',
      // Built asset names carry a content hash, so they can be cached for good.
      immutable: true,
      maxAge: '365d',
      index: false,
      dotfiles: 'deny',
      schemaHide: true,
    });
  }
}
