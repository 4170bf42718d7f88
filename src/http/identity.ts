/**
 * Who is calling. Employees get a signed identity cookie (HMAC by
 * @fastify/cookie, HttpOnly), or are named by a gateway header
 * (TRUSTED_USER_HEADER), or, only in AUTH_MODE=open, by the `user_id` they
 * send. Admins: admin-access.ts.
 */
import { randomBytes } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthMode } from '../config.ts';
import { AddressBudget } from './address-budget.ts';
import { AdminAccess } from './admin-access.ts';
import { HttpError } from './errors.ts';

export const IDENTITY_COOKIE = 'docent_uid';
const ONE_YEAR_S = 365 * 24 * 3600;
/** What a user id may look like when a client or a gateway supplies it. */
export const USER_ID_PATTERN = /^[\p{L}\p{N}_.@:+-]{1,128}$/u;

export interface IdentityOptions {
  readonly authMode: AuthMode;
  readonly trustedUserHeader: string | undefined;
  readonly adminToken: string;
  /** ADMIN_TRUSTED_NETWORKS: admin routes need no token from these (admin-access.ts). */
  readonly adminTrustedNetworks?: readonly string[];
  /** Adds `Secure` to the cookies (behind HTTPS). */
  readonly secureCookie?: boolean;
  /** Identity cookies one client address may be issued a minute (NEW_IDENTITIES_PER_ADDRESS). */
  readonly newIdentitiesPerAddress?: number;
}

export class Identity {
  readonly #options: IdentityOptions;
  readonly admin: AdminAccess;
  /** Identities issued during a request, so a second lookup in the same request agrees. */
  readonly #issued = new WeakMap<FastifyRequest, string>();
  readonly #peeked = new WeakMap<FastifyRequest, string | null>();
  /** Without it, a client could mint a fresh cookie (and a fresh per-user rate budget) per request. */
  readonly #issuing: AddressBudget;

  constructor(options: IdentityOptions) {
    this.#options = options;
    this.#issuing = new AddressBudget(options.newIdentitiesPerAddress ?? 30);
    this.admin = new AdminAccess({
      adminToken: options.adminToken,
      trustedNetworks: options.adminTrustedNetworks ?? [],
      secureCookie: options.secureCookie ?? false,
    });
  }

  get authMode(): AuthMode {
    return this.#options.authMode;
  }

  /** The user id from a valid cookie or the trusted header, without issuing anything. */
  peek(request: FastifyRequest): string | undefined {
    // Asked twice per request (rate-limit key, then the route): verify the HMAC once.
    if (this.#peeked.has(request)) return this.#peeked.get(request) ?? undefined;
    const found = this.#verify(request);
    this.#peeked.set(request, found ?? null);
    return found;
  }

  #verify(request: FastifyRequest): string | undefined {
    const header = this.#fromHeader(request);
    if (header) return header;
    const raw = request.cookies?.[IDENTITY_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value && USER_ID_PATTERN.test(unsigned.value) ? unsigned.value : undefined;
  }

  /**
   * The employee calling. `clientUserId` (a `user_id` the client sent) is
   * honoured only in open mode. Issues a new cookie when the caller has none
   * (or a forged one).
   */
  employee(request: FastifyRequest, reply: FastifyReply, clientUserId?: string): string {
    if (this.#options.authMode === 'open' && clientUserId) return clientUserId;
    const known = this.#issued.get(request) ?? this.peek(request);
    if (known) return known;
    const waitS = this.#issuing.take(request.ip);
    if (waitS > 0) {
      throw new HttpError(
        'RATE_LIMITED',
        `Too many new identities from this address: at most ${this.#issuing.perMinute} a minute; ` +
          `send back the docent_uid cookie of an earlier answer, or retry in ${waitS} s`,
        { retryAfterS: waitS },
      );
    }
    const issued = `u_${randomBytes(16).toString('base64url')}`;
    // Written as a plain header (not reply.setCookie, which only lands in
    // onSend) so that hijacked SSE responses carry it too.
    const cookie = reply.server.serializeCookie(IDENTITY_COOKIE, reply.signCookie(issued), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#options.secureCookie ?? false,
      path: '/',
      maxAge: ONE_YEAR_S,
    });
    reply.header('set-cookie', cookie);
    this.#issued.set(request, issued);
    return issued;
  }

  /** The admin token, the admin cookie, or a trusted network (admin-access.ts). */
  isAdmin(request: FastifyRequest): boolean {
    return this.admin.credential(request) !== undefined;
  }

  /** Throws 401 without a token, 403 with a wrong one. */
  requireAdmin(request: FastifyRequest): void {
    if (this.isAdmin(request)) return;
    if (!request.headers.authorization) {
      throw new HttpError(
        'UNAUTHORIZED',
        'This route needs the admin token (Authorization: Bearer <ADMIN_TOKEN>) or the admin cookie of a sign-in at /admin',
      );
    }
    throw new HttpError('FORBIDDEN', 'The admin token is not valid');
  }

  /** In open mode, the valid `user_id` of the query string (who the client says it is); else undefined. */
  claimedUser(request: FastifyRequest): string | undefined {
    if (this.#options.authMode !== 'open') return undefined;
    const value = (request.query as Record<string, unknown> | undefined)?.user_id;
    return typeof value === 'string' && USER_ID_PATTERN.test(value) ? `open:${value}` : undefined;
  }

  /** Is the caller named by the gateway header (TRUSTED_USER_HEADER)? */
  fromGateway(request: FastifyRequest): boolean {
    return this.#fromHeader(request) !== undefined;
  }

  #fromHeader(request: FastifyRequest): string | undefined {
    const name = this.#options.trustedUserHeader;
    if (!name) return undefined;
    const value = request.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text && USER_ID_PATTERN.test(text) ? text : undefined;
  }
}
