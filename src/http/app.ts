/**
 * The Fastify application, without listening: shared things decorated once
 * at the root, one plugin per area, one error shape.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import secureJson from 'secure-json-parse';
import { MemoryHandoffStore } from '../channels/handoff-store.ts';
import { NO_CONVERSATION_FILES } from '../engines/types.ts';
import { Conversations } from '../sessions/conversations.ts';
import { AddressBudget } from './address-budget.ts';
import { answerFailedExpectation, createClientErrorHandler } from './client-error.ts';
import type { AppDeps, DocentContext } from './deps.ts';
import { installErrorHandling, mapError, sendError } from './error-handler.ts';
import { ERROR_STATUS, HttpError } from './errors.ts';
import { Identity } from './identity.ts';
import { Lifecycle } from './lifecycle.ts';
import { createHttpMetrics } from './metrics.ts';
import { adminSessionRoutes } from './routes/admin-session.ts';
import { agentRoutes } from './routes/agent.ts';
import { channelRoutes } from './routes/channels.ts';
import { kbRoutes } from './routes/kb.ts';
import { observabilityRoutes } from './routes/observability.ts';
import { serviceRoutes } from './routes/service.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { UPLOAD_ROUTE, uploadRoutes } from './routes/uploads.ts';
import { webRoutes } from './routes/web.ts';
import { DEFAULT_HEARTBEAT_MS } from './sse.ts';

/** JSON bodies larger than this get 413. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;
/** URLs longer than this get 414. */
export const URL_MAX_CHARS = 8 * 1024;
/** Request heads larger than this are refused by Node's parser: 431 HEADERS_TOO_LARGE (client-error.ts). */
export const HEAD_MAX_BYTES = 64 * 1024;
/** Routes the rate limit leaves alone: probes, metrics, docs and static files. */
const UNLIMITED_PREFIXES = ['/health', '/metrics', '/docs', '/assets/'];

const ADMIN_RATE_KEY = 'admin';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isValidQueryEncoding(url: string): boolean {
  const at = url.indexOf('?');
  if (at < 0) return true;
  try {
    decodeURIComponent(url.slice(at + 1).replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify's own 503 while closing has its own body: the first onRequest hook answers instead.
    return503OnClosing: false,
    // HEAD on a streaming route would run a turn nobody reads.
    exposeHeadRoutes: false,
    // Room for URLs up to 64 KiB so that long ones get our JSON 414, not Node's bare 431.
    http: { maxHeaderSize: HEAD_MAX_BYTES },
    // What Node's parser refuses before any route runs gets the one error shape too.
    clientErrorHandler: createClientErrorHandler(deps.logger as FastifyBaseLogger, HEAD_MAX_BYTES),
    // Path parameters as long as the URL itself: the routes' schemas bound them
    // (a session id is up to 128 characters; the router's default stops at 100).
    maxParamLength: URL_MAX_CHARS,
    // What the router refuses before any hook runs (a path that is not valid
    // percent-encoded UTF-8) gets the one error shape too.
    frameworkErrors: (error, _request, reply) => {
      const mapped =
        error.code === 'FST_ERR_BAD_URL'
          ? {
              status: ERROR_STATUS.INVALID_ENCODING,
              code: 'INVALID_ENCODING' as const,
              message: 'The URL path is not valid percent-encoded UTF-8',
            }
          : mapError(error);
      reply.header('X-Content-Type-Options', 'nosniff');
      sendError(reply, mapped);
    },
  });

  app.server.on('checkExpectation', answerFailedExpectation);

  const metrics = createHttpMetrics(deps.pools, deps.engineCounters, deps.retention, deps.clusterCounters);
  const identity = new Identity({
    authMode: config.authMode,
    trustedUserHeader: config.trustedUserHeader,
    secureCookie: config.secureCookie,
    adminToken: deps.secrets.adminToken,
    adminTrustedNetworks: config.adminTrustedNetworks,
    newIdentitiesPerAddress: config.newIdentitiesPerAddress,
  });
  if (config.adminTrustedNetworks.length > 0) {
    deps.logger.warn(
      { networks: config.adminTrustedNetworks, trustedProxies: config.trustedProxies },
      `ADMIN_TRUSTED_NETWORKS is set: every request from ${config.adminTrustedNetworks.join(', ')} is the administrator's, without a token`,
    );
  }
  const context: DocentContext = {
    config,
    logger: deps.logger,
    pools: deps.pools,
    kb: deps.kb,
    sessions: deps.sessions,
    conversations:
      deps.conversations ??
      new Conversations({ sessions: deps.sessions, storage: NO_CONVERSATION_FILES, logger: deps.logger }),
    retention: deps.retention,
    gate: deps.gate,
    uploads: deps.uploads,
    identity,
    lifecycle: deps.lifecycle ?? readyLifecycle(),
    metrics,
    version: deps.version,
    heartbeatMs: deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    webDir: deps.webDir ?? path.join(REPO_ROOT, 'web', 'dist'),
  };
  app.decorate('docent', context);
  app.addHook('onClose', async () => metrics.close());

  installErrorHandling(app);
  // zod validates every input inside the handlers (one error shape); the JSON
  // schemas on routes only document the API for /docs.
  app.setValidatorCompiler(() => (data) => ({ value: data }));

  const nodeId = deps.nodeId;
  // Set as close begins; requests still arriving on kept-alive connections are refused.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    // Several nodes: which one answered (what routing and warm placement are checked by).
    if (nodeId) reply.header('X-Docent-Node', nodeId);
    if (closing) {
      reply.header('Connection', 'close');
      throw new HttpError('SERVICE_DRAINING', 'The server is closing; retry on a new connection', { retryAfterS: 5 });
    }
    if (request.url.length > URL_MAX_CHARS) {
      throw new HttpError('URI_TOO_LONG', `The URL is longer than ${URL_MAX_CHARS} characters`);
    }
    if (!isValidQueryEncoding(request.url)) {
      throw new HttpError('INVALID_ENCODING', 'The query string is not valid percent-encoded UTF-8');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug(
      { method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request done',
    );
  });

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const buffer = body as Buffer;
    // The original server took an empty JSON body as no body (its web client sends one to session/create).
    if (buffer.length === 0) {
      done(null, undefined);
      return;
    }
    let text: string;
    try {
      text = strictUtf8.decode(buffer);
    } catch {
      done(new HttpError('INVALID_ENCODING', 'The request body is not valid UTF-8'));
      return;
    }
    try {
      // Own `__proto__` keys are dropped so no later merge can turn them into
      // prototype changes. secure-json-parse calls JSON.parse without a reviver
      // (a reviver is what a polyfilled JSON.parse reimplements in slow,
      // lenient JavaScript) and scans for such keys only when the text has one.
      done(null, secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'ignore' }));
    } catch {
      done(new HttpError('BAD_REQUEST', 'Body is not valid JSON'));
    }
  });

  await app.register(cookie, { secret: deps.secrets.cookieSecret });
  await app.register(cors, {
    origin: config.allowedOrigins.length > 0 ? [...config.allowedOrigins] : false,
    credentials: true,
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
  });
  await app.register(rateLimit, {
    global: true,
    // The admin token holder (one key for every admin tab: dashboards poll) gets ten times the budget.
    max: (_request, key) => (key === ADMIN_RATE_KEY ? config.rateLimitPerMinute * 10 : config.rateLimitPerMinute),
    timeWindow: 60_000,
    // By the identity the mode trusts: the cookie or gateway header, and in
    // open mode the client's user_id (query string; bodies are not read yet).
    keyGenerator: (request) => {
      if (identity.isAdmin(request)) return ADMIN_RATE_KEY;
      return identity.peek(request) ?? identity.claimedUser(request) ?? `ip:${request.ip}`;
    },
    allowList: (request) => UNLIMITED_PREFIXES.some((prefix) => request.url.startsWith(prefix)),
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        'RATE_LIMITED',
        `Too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  // Under the per-user limit: one address, however many identity cookies it
  // presents. A gateway's users (TRUSTED_USER_HEADER) all share its address,
  // and the administrator has its own budget, so neither is counted here.
  const perAddress = new AddressBudget(config.rateLimitPerAddress);
  app.addHook('onRequest', async (request) => {
    if (UNLIMITED_PREFIXES.some((prefix) => request.url.startsWith(prefix))) return;
    if (identity.fromGateway(request) || identity.isAdmin(request)) return;
    const waitS = perAddress.take(request.ip);
    if (waitS > 0) {
      throw new HttpError(
        'RATE_LIMITED',
        `Too many requests from this address: at most ${perAddress.perMinute} a minute; retry in ${waitS} s`,
        { retryAfterS: waitS },
      );
    }
  });
  // Bodies no parser here reads right are refused before parsing.
  app.addHook('preParsing', async (request) => {
    // No route decompresses a body: a compressed one would be read as if it were plain.
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && encoding && encoding !== 'identity') {
      throw new HttpError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Request bodies are not accepted with Content-Encoding ${encoding}`,
      );
    }
    // The multipart parser is for the upload route only: any other route given
    // multipart/form-data would parse no body and go on as if none was sent.
    if (request.routeOptions.url === UPLOAD_ROUTE) return;
    if (/^\s*multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
      throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'This route does not take multipart/form-data; send JSON');
    }
  });
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.maxUploadBytes,
      files: config.maxUploadFiles,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: config.maxUploadFiles + 20,
      headerPairs: 100,
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Docent',
        version: deps.version,
        description: 'Knowledge-base agent server (EFKA-compatible API).',
      },
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Admin routes are those documented as needing the admin token: the token is
  // checked first thing, before any body is read or any input validated.
  const requireAdmin = async (request: FastifyRequest) => context.identity.requireAdmin(request);
  app.addHook('onRoute', (route) => {
    if (!route.schema?.security) return;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [requireAdmin, ...existing];
  });
  await app.register(serviceRoutes);
  await app.register(agentRoutes);
  await app.register(sessionRoutes);
  await app.register(uploadRoutes);
  await app.register(kbRoutes);
  await app.register(adminSessionRoutes);
  await app.register(observabilityRoutes);
  await app.register(channelRoutes, {
    handoffs: deps.handoffs ?? new MemoryHandoffStore(),
    ...(deps.seenMessages ? { seenMessages: deps.seenMessages } : {}),
    ...(deps.channelAdapters ? { adapters: deps.channelAdapters } : {}),
  });
  await app.register(webRoutes);
  return app;
}

function readyLifecycle(): Lifecycle {
  const lifecycle = new Lifecycle();
  lifecycle.markReady();
  return lifecycle;
}
