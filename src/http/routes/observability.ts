/** GET /api/pool/stats (admin: pools and retention) and GET /metrics (Prometheus; admin when METRICS_AUTH=admin). */
import type { FastifyInstance } from 'fastify';
import { doc } from '../openapi.ts';

export async function observabilityRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  app.get(
    '/api/pool/stats',
    { schema: doc({ tags: ['pool'], summary: 'The pools’ stats', admin: true }) },
    async () => ({
      pools: { employee: ctx.pools.get('employee').stats(), admin: ctx.pools.get('admin').stats() },
      // Disk use of the kept conversations and the last retention sweep (src/sessions/retention.ts).
      retention: ctx.retention ? await ctx.retention.snapshot() : null,
    }),
  );

  app.get(
    '/metrics',
    { schema: doc({ tags: ['pool'], summary: 'Prometheus metrics', admin: ctx.config.metricsAuth === 'admin' }) },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
}
