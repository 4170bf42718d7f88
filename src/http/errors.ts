/**
 * Every error the API answers with: one JSON shape, one table of codes.
 *
 *   { "error": { "code": "SESSION_NOT_FOUND", "message": "Session not found" },
 *     "detail": "Session not found" }
 *
 * `detail` repeats the message so FastAPI-style clients keep working.
 * ERROR_STATUS holds every code the API answers with and its status: the
 * HTTP layer's own, the pool's (PoolError) and the knowledge base's (KbError);
 * those layers know their codes, not their statuses. Codes are never reused.
 * src/http/README.md documents the same table; a test keeps the two equal.
 */

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  INVALID_ENCODING: 400,
  MISSING_USER_ID: 400,
  TOO_MANY_FILES: 400,
  UPLOAD_UNKNOWN: 400,
  UPLOAD_MALFORMED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  ANSWER_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  FEEDBACK_ALREADY_GIVEN: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  EXPECTATION_FAILED: 417,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  CLIENT_CLOSED: 499,
  INTERNAL: 500,
  TURN_FAILED: 502,
  SERVICE_DRAINING: 503,
  CONVERSATION_BUSY: 409,
  CONVERSATION_WAIT_TIMEOUT: 503,
  CLUSTER_UNAVAILABLE: 503,

  POOL_SESSION_BUSY: 409,
  POOL_USER_QUEUE_FULL: 429,
  POOL_TURN_ABORTED: 499,
  POOL_WORKER_CRASHED: 502,
  POOL_ACQUIRE_TIMEOUT: 503,
  POOL_SATURATED: 503,
  POOL_DRAINING: 503,
  POOL_WORKER_START_FAILED: 503,
  POOL_TURN_TIMEOUT: 504,

  KB_PATH_INVALID: 400,
  KB_NOT_A_FILE: 400,
  KB_DELETE_TOKEN_INVALID: 400,
  KB_INPUT_INVALID: 400,
  KB_PATH_OUTSIDE_ROOT: 403,
  KB_NOT_FOUND: 404,
  KB_TOO_LARGE: 413,
  KB_UNSUPPORTED_TYPE: 415,
  KB_CONVERT_FAILED: 422,
  KB_BUSY: 503,
  KB_LEASE_LOST: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
  readonly detail: string;
}

export interface HttpErrorOptions {
  /** Seconds for the Retry-After header. */
  readonly retryAfterS?: number;
}

/** An error the API answers with as is, with its code's status. */
export class HttpError extends Error {
  readonly statusCode: ErrorStatus;
  readonly retryAfterS: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = ERROR_STATUS[code];
    this.retryAfterS = options.retryAfterS;
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message }, detail: message };
}

/** Removes absolute paths from a message before a client sees it. */
export function scrubPaths(message: string): string {
  return message.replace(/(?<![\w.:])(?:[A-Za-z]:)?(?:[\\/][\w.@+-]+){2,}[\\/]?/g, '<path>');
}

/**
 * The code to answer a failed admin turn with when the engine's error event
 * says the knowledge base or the upload store refused the admin's own input
 * ("delete README.md", unknown upload references): that refusal's 4xx, as
 * the knowledge-base routes answer it. Anything else is a failed turn.
 */
export function refusalCode(code: string | undefined): ErrorCode | undefined {
  if (code === undefined || !Object.hasOwn(ERROR_STATUS, code)) return undefined;
  if (!code.startsWith('KB_') && code !== 'UPLOAD_UNKNOWN') return undefined;
  const status: number = ERROR_STATUS[code as ErrorCode];
  return status >= 400 && status < 500 ? (code as ErrorCode) : undefined;
}
