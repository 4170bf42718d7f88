/**
 * Turns anything thrown in a route into the one error shape (errors.ts):
 * our HttpErrors, the pool's and the knowledge base's coded errors, and
 * Fastify's and its plugins' own errors. No stack traces, no absolute paths.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClusterUnavailableError, ConversationBusyError, ConversationWaitTimeoutError } from '../cluster/turn-gate.ts';
import { KbError } from '../kb/types.ts';
import { PoolError } from '../pool/errors.ts';
import { StoreUnavailableError } from '../sessions/types.ts';
import { ERROR_STATUS, type ErrorCode, errorBody, HttpError, scrubPaths } from './errors.ts';

interface Mapped {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryAfterS?: number;
}

/** Fastify and plugin error codes → ours, with a message a client can act on. */
const FRAMEWORK_ERRORS: Readonly<Record<string, { code: ErrorCode; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'BAD_REQUEST',
    message: 'Body must not be empty with Content-Type application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', message: 'Body is not valid JSON' },
  FST_REQ_FILE_TOO_LARGE: { code: 'FILE_TOO_LARGE' },
  FST_FILES_LIMIT: { code: 'TOO_MANY_FILES' },
  FST_PARTS_LIMIT: { code: 'BAD_REQUEST', message: 'Too many parts in the multipart body' },
  FST_FIELDS_LIMIT: { code: 'BAD_REQUEST', message: 'Too many fields in the multipart body' },
  FST_PROTO_VIOLATION: { code: 'BAD_REQUEST', message: 'Forbidden field name in the body' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the files as multipart/form-data',
  },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', message: 'A path segment of the URL is too long' },
};

/**
 * A framework or plugin 4xx without a code named above (@fastify/static's
 * refusals carry only a status) → the table's code for that status. The
 * message replaces one that is only the status phrase ("Forbidden").
 */
const FRAMEWORK_STATUSES: Readonly<Partial<Record<number, { code: ErrorCode; message: string }>>> = {
  400: { code: 'BAD_REQUEST', message: 'Bad request' },
  403: { code: 'FORBIDDEN', message: 'This path is not served' },
  404: { code: 'NOT_FOUND', message: 'Not found' },
  408: { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time' },
  412: { code: 'PRECONDITION_FAILED', message: 'A precondition of the request (If-Match, If-Unmodified-Since) fails' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  414: { code: 'URI_TOO_LONG', message: 'The URL is too long' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type' },
  416: { code: 'RANGE_NOT_SATISFIABLE', message: 'The requested range is not within the file' },
  431: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
};

export function mapError(error: unknown): Mapped {
  if (error instanceof HttpError) {
    return { status: error.statusCode, code: error.code, message: error.message, retryAfterS: error.retryAfterS };
  }
  if (error instanceof PoolError) {
    const status = ERROR_STATUS[error.code];
    // A pool refusal always says when to come back: the pool's estimate, else a second.
    const retryable = status === 503 || status === 429;
    const retryAfterS = retryable ? Math.max(1, Math.ceil(error.retryAfterS ?? 1)) : undefined;
    return { status, code: error.code, message: scrubPaths(error.message), retryAfterS };
  }
  if (
    error instanceof ConversationBusyError ||
    error instanceof ConversationWaitTimeoutError ||
    error instanceof ClusterUnavailableError
  ) {
    return {
      status: ERROR_STATUS[error.code],
      code: error.code,
      message: error.message,
      retryAfterS: error.retryAfterS,
    };
  }
  if (error instanceof StoreUnavailableError) {
    // Redis is down or slow: said at once, never a hang; the message stays in the logs.
    return {
      status: ERROR_STATUS.CLUSTER_UNAVAILABLE,
      code: 'CLUSTER_UNAVAILABLE',
      message: 'Shared state (Redis) is unavailable; retry shortly',
      retryAfterS: 1,
    };
  }
  if (error instanceof KbError) {
    const status = ERROR_STATUS[error.code];
    // Several nodes: another node's write held the knowledge base, or this node lost the writer lease.
    const retryAfterS = status === 503 ? 1 : undefined;
    return { status, code: error.code, message: scrubPaths(error.message), retryAfterS };
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const known = fastifyError?.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
  if (known) {
    return {
      status: ERROR_STATUS[known.code],
      code: known.code,
      message: known.message ?? scrubPaths(fastifyError?.message ?? known.code),
    };
  }
  if (error instanceof SyntaxError && (fastifyError?.statusCode ?? 0) === 400) {
    return { status: ERROR_STATUS.BAD_REQUEST, code: 'BAD_REQUEST', message: 'Body is not valid JSON' };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const own = fastifyError?.message ?? '';
    const byStatus = FRAMEWORK_STATUSES[status];
    if (byStatus) {
      const bare = own === '' || own === STATUS_CODES[status];
      return { status, code: byStatus.code, message: bare ? byStatus.message : scrubPaths(own) };
    }
    // A 4xx the table has no code for keeps its own status.
    return { status, code: 'BAD_REQUEST', message: scrubPaths(own || 'Bad request') };
  }
  return { status: ERROR_STATUS.INTERNAL, code: 'INTERNAL', message: 'Internal server error' };
}

export function sendError(reply: FastifyReply, mapped: Mapped): FastifyReply {
  if (mapped.retryAfterS !== undefined) reply.header('Retry-After', String(mapped.retryAfterS));
  return reply.code(mapped.status).type('application/json; charset=utf-8').send(errorBody(mapped.code, mapped.message));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = mapError(error);
    if (mapped.status >= 500 && mapped.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    else request.log.debug({ code: mapped.code, status: mapped.status }, mapped.message);
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, {
      status: ERROR_STATUS.ROUTE_NOT_FOUND,
      code: 'ROUTE_NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
    }),
  );
}
