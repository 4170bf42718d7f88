/**
 * Service description and health: /health, /info, /health/live, /health/ready. The original client's
 * API helper reaches /health and /info under its `/api` base, so they answer there too.
 */
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { effectiveEngine } from '../../config.ts';
import { doc } from '../openapi.ts';

export const SERVICE_NAME = 'docent';

export async function serviceRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;
  // The original's run_mode names the channel; the web is what it calls `standalone`.
  const runMode = 'standalone';
  const engine = effectiveEngine(ctx.config);
  // Load balancers often probe with HEAD; HEAD is off elsewhere (see app.ts), these answer it.
  const probe = { exposeHeadRoute: true } as const;

  const health = async () => ({
    status: 'healthy',
    version: ctx.version,
    service: SERVICE_NAME,
    run_mode: runMode,
    engine,
  });
  for (const url of ['/health', '/api/health']) {
    app.get(url, { ...probe, schema: doc({ tags: ['service'], summary: 'Health (EFKA-compatible)' }) }, health);
  }

  const info = async (request: FastifyRequest) => {
    const admin = ctx.identity.isAdmin(request);
    return {
      run_mode: runMode,
      engine,
      im_channel: 'web',
      // The absolute path only for the admin; others learn the folder's name.
      kb_root_path: admin ? ctx.config.kbRoot : path.basename(ctx.config.kbRoot),
      small_file_threshold_kb: ctx.config.smallFileThresholdKb,
      faq_max_entries: ctx.config.faqMaxEntries,
      session_timeout: ctx.config.sessionTimeoutS,
      max_upload_size_mb: Math.round((ctx.config.maxUploadBytes / (1024 * 1024)) * 100) / 100,
      max_upload_files: ctx.config.maxUploadFiles,
      auth_mode: ctx.config.authMode,
    };
  };
  for (const url of ['/info', '/api/info']) {
    app.get(url, { schema: doc({ tags: ['service'], summary: 'Settings clients may know' }) }, info);
  }

  app.get('/health/live', { ...probe, schema: doc({ tags: ['service'], summary: 'Liveness probe' }) }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/health/ready',
    { ...probe, schema: doc({ tags: ['service'], summary: 'Readiness probe' }) },
    async (_r, reply) => {
      const state = ctx.lifecycle.state;
      const down = ctx.lifecycle.unavailable();
      const ready = state === 'ready' && down.length === 0;
      if (!ready) reply.code(503);
      return { status: state, ready, ...(down.length > 0 ? { unavailable: down } : {}) };
    },
  );
}
