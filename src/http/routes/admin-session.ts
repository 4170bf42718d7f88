/**
 * Admin sign-in for browsers: POST /api/admin/session with the bearer token
 * sets the admin cookie (admin-access.ts), so that pages which cannot send a
 * header (the original admin client, an EventSource) work from this origin;
 * DELETE signs out.
 */
import type { FastifyInstance } from 'fastify';
import { ADMIN_COOKIE_MAX_AGE_S } from '../admin-access.ts';
import { HttpError } from '../errors.ts';
import { doc } from '../openapi.ts';

export async function adminSessionRoutes(app: FastifyInstance): Promise<void> {
  const { identity } = app.docent;

  app.post(
    '/api/admin/session',
    { schema: doc({ tags: ['admin'], summary: 'Sign in: the admin token becomes an admin cookie', admin: true }) },
    async (request, reply) => {
      // Only the token itself signs in: a cookie or a trusted network cannot mint a cookie.
      if (!identity.admin.hasToken(request)) {
        throw new HttpError('UNAUTHORIZED', 'Signing in needs the admin token (Authorization: Bearer <ADMIN_TOKEN>)');
      }
      identity.admin.signIn(reply);
      return { ok: true, expires_in: ADMIN_COOKIE_MAX_AGE_S };
    },
  );

  app.delete(
    '/api/admin/session',
    { schema: doc({ tags: ['admin'], summary: 'Sign out: remove the admin cookie' }) },
    async (_request, reply) => {
      identity.admin.signOut(reply);
      return { ok: true };
    },
  );
}
