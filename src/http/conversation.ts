/**
 * Which conversation a request means. This is the one place the rule lives;
 * src/http/README.md ("Which conversation") has it as a table, and
 * test/http/conversation-rule.test.ts tests every row.
 *
 * The rule is the original server's, which its web client relies on: with a
 * `user_id`, the caller's running (persistent) conversation, whatever
 * `session_id` says (the client sends both, and a new `session_id` after
 * every page load); without one, the session the `session_id` names; with
 * neither, a new short-lived conversation.
 *
 * Who the caller is does not change: an employee is the identity cookie or
 * the gateway header, and the client's `user_id` only in AUTH_MODE=open (see
 * identity.ts). In cookie mode a `user_id` that is not the caller's own names
 * nobody: it still asks for "my running conversation", the cookie's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../engines/types.ts';
import type { SessionRecord } from '../sessions/types.ts';
import { HttpError } from './errors.ts';
import type { Identity } from './identity.ts';

/** The session records a caller owns, by role. */
export interface Owner {
  readonly role: Role;
  /** Session owner id: the employee's user id, or `admin` / `admin:<user_id>`. */
  readonly ownerId: string;
}

export type ConversationTarget =
  /** The owner's running conversation (made when there is none). */
  | { readonly kind: 'running' }
  /** The session named by id: 404 unless the owner may reach it. */
  | { readonly kind: 'named'; readonly sessionId: string }
  /** A new short-lived conversation. */
  | { readonly kind: 'new' };

/** Admins may name a `user_id` to keep one running conversation per person. */
export function adminOwnerId(clientUserId: string | undefined): string {
  return clientUserId ? `admin:${clientUserId}` : 'admin';
}

/** The employee or admin owner of a request (issues the identity cookie to an employee who has none). */
export function ownerOf(
  identity: Identity,
  request: FastifyRequest,
  reply: FastifyReply,
  role: Role,
  clientUserId: string | undefined,
): Owner {
  if (role === 'admin') return { role, ownerId: adminOwnerId(clientUserId) };
  return { role, ownerId: identity.employee(request, reply, clientUserId) };
}

/** The query routes' rule: `user_id` before `session_id`. */
export function conversationTarget(params: {
  readonly user_id?: string | undefined;
  readonly session_id?: string | undefined;
}): ConversationTarget {
  if (params.user_id) return { kind: 'running' };
  if (params.session_id) return { kind: 'named', sessionId: params.session_id };
  return { kind: 'new' };
}

/** Can this owner reach the record? Someone else's session looks unknown. */
export function canReach(record: SessionRecord | undefined, role: Role, ownerId: string): record is SessionRecord {
  if (!record || record.role !== role) return false;
  return role === 'admin' || record.ownerId === ownerId;
}

/**
 * The 404 for a session id the caller cannot reach. A caller without any
 * identity (a script without its cookie, an EventSource cross-origin) is told
 * how to continue a conversation, since that is almost always the cause.
 */
export function sessionNotFound(identity: Identity, request: FastifyRequest): HttpError {
  if (identity.authMode === 'cookie' && identity.peek(request) === undefined) {
    return new HttpError(
      'SESSION_NOT_FOUND',
      'Session not found: this request carries no identity, and a session belongs to the identity that made it. ' +
        'Send back the docent_uid cookie of the first answer (curl -b jar -c jar), or run Docent behind a gateway ' +
        'that sets TRUSTED_USER_HEADER, or (for the original web clients) AUTH_MODE=open',
    );
  }
  return new HttpError('SESSION_NOT_FOUND', 'Session not found');
}
