/** GET /api/pool/stats (admin) and GET /metrics (Prometheus; admin when METRICS_AUTH=admin). */
import type { FastifyInstance } from 'fastify';
import { doc } from '../openapi.ts';

export async function observabilityRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;

  app.get(
    '/api/pool/stats',
    { schema: doc({ tags: ['pool'], summary: 'The pools’ stats', admin: true }) },
    async () => {
      return { pools: { employee: ctx.pools.get('employee').stats(), admin: ctx.pools.get('admin').stats() } };
    },
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
