/**
 * The three ways a request is the administrator's:
 * - the bearer token (`Authorization: Bearer <ADMIN_TOKEN>`);
 * - the admin cookie, set by signing in on Docent's /admin page: signed by
 *   @fastify/cookie, HttpOnly, SameSite=Strict, and bound to the current
 *   token, so changing ADMIN_TOKEN signs every browser out;
 * - an address in ADMIN_TRUSTED_NETWORKS (unset by default). `request.ip` is
 *   the socket's address, or the forwarded one only when the socket's address
 *   is in TRUSTED_PROXIES (Fastify's trustProxy, set in app.ts).
 * The last two exist for the original admin client, which cannot send a token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseNetwork } from '../config.ts';

export const ADMIN_COOKIE = 'docent_admin';
/** How long one sign-in lasts. */
export const ADMIN_COOKIE_MAX_AGE_S = 12 * 3600;

export interface AdminAccessOptions {
  readonly adminToken: string;
  /** CIDRs or single addresses, already validated (config.ts). */
  readonly trustedNetworks: readonly string[];
  readonly secureCookie: boolean;
}

export type AdminCredential = 'token' | 'cookie' | 'network';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `::ffff:10.1.2.3` (a v4 client on a dual-stack socket) is checked as `10.1.2.3`. */
function plainAddress(ip: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  if (isIPv4(ip)) return { address: ip, family: 'ipv4' };
  if (isIPv6(ip)) return { address: ip, family: 'ipv6' };
  return undefined;
}

export class AdminAccess {
  readonly #tokenDigest: Buffer;
  /** Ties a cookie to the token it was issued under. */
  readonly #tokenTag: string;
  readonly #networks: BlockList | undefined;
  readonly #secureCookie: boolean;

  constructor(options: AdminAccessOptions) {
    this.#tokenDigest = digest(options.adminToken);
    this.#tokenTag = createHash('sha256').update(`docent-admin-cookie\0${options.adminToken}`).digest('base64url');
    this.#secureCookie = options.secureCookie;
    if (options.trustedNetworks.length > 0) {
      const list = new BlockList();
      for (const text of options.trustedNetworks) {
        const network = parseNetwork(text);
        if (!network) throw new Error(`not a network: ${text}`);
        list.addSubnet(network.address, network.prefix, network.family);
      }
      this.#networks = list;
    }
  }

  /** How the request proves it is the administrator's, or undefined. */
  credential(request: FastifyRequest): AdminCredential | undefined {
    if (this.hasToken(request)) return 'token';
    if (this.#hasCookie(request)) return 'cookie';
    if (this.#fromTrustedNetwork(request)) return 'network';
    return undefined;
  }

  hasToken(request: FastifyRequest): boolean {
    const header = request.headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest(match[1]!), this.#tokenDigest);
  }

  /** Sets the admin cookie (the caller has shown the token). */
  signIn(reply: FastifyReply, now = Date.now()): void {
    const expiresAtS = Math.floor(now / 1000) + ADMIN_COOKIE_MAX_AGE_S;
    reply.setCookie(ADMIN_COOKIE, `${this.#tokenTag}.${expiresAtS}`, {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#secureCookie,
      path: '/',
      maxAge: ADMIN_COOKIE_MAX_AGE_S,
    });
  }

  signOut(reply: FastifyReply): void {
    reply.clearCookie(ADMIN_COOKIE, { path: '/', sameSite: 'strict', httpOnly: true, secure: this.#secureCookie });
  }

  #hasCookie(request: FastifyRequest): boolean {
    const raw = request.cookies?.[ADMIN_COOKIE];
    if (!raw) return false;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return false;
    const dot = unsigned.value.lastIndexOf('.');
    const tag = unsigned.value.slice(0, dot);
    const expiresAtS = Number(unsigned.value.slice(dot + 1));
    if (dot < 0 || tag !== this.#tokenTag) return false;
    return Number.isFinite(expiresAtS) && expiresAtS * 1000 > Date.now();
  }

  #fromTrustedNetwork(request: FastifyRequest): boolean {
    if (!this.#networks) return false;
    const ip = plainAddress(request.ip);
    return ip !== undefined && this.#networks.check(ip.address, ip.family);
  }
}
