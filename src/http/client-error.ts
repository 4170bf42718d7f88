/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any
 * route runs (a head past the limit, Content-Length with Transfer-Encoding,
 * a malformed request line, a request that timed out) is answered in the one
 * error shape, written to the raw socket, and the connection is closed.
 * Socket errors (ECONNRESET, EPIPE, ...) have nobody to answer: destroyed.
 * An unsupported `Expect`, which Node answers itself, gets the shape too.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { ERROR_STATUS, type ErrorCode, errorBody } from './errors.ts';

export interface ClientErrorAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** How long a closed-for-writing connection may linger before it is destroyed. */
const LINGER_MS = 2_000;

function answer(code: ErrorCode, message: string): ClientErrorAnswer {
  return { status: ERROR_STATUS[code], code, message };
}

/** The answer to a parser or timeout error, or undefined for a socket error (nobody to answer). */
export function clientErrorAnswer(
  error: { code?: string; reason?: unknown },
  headLimitBytes: number,
): ClientErrorAnswer | undefined {
  const code = error.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    return answer('HEADERS_TOO_LARGE', `The request head is larger than ${headLimitBytes} bytes`);
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return answer('PAYLOAD_TOO_LARGE', 'The chunk extensions of the request body are too large');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return answer('REQUEST_TIMEOUT', 'The request was not received in time');
  }
  if (!code.startsWith('HPE_')) return undefined;
  // llhttp's reason is a fixed phrase ("Invalid header value char"): safe and useful to show.
  const reason = typeof error.reason === 'string' ? error.reason.replace(/[^\x20-\x7e]/g, '').slice(0, 120) : '';
  return answer('MALFORMED_REQUEST', `The request is not valid HTTP/1.1${reason ? `: ${reason}` : ''}`);
}

export function clientErrorResponse(mapped: ClientErrorAnswer): string {
  const body = JSON.stringify(errorBody(mapped.code, mapped.message));
  return [
    `HTTP/1.1 ${mapped.status} ${STATUS_CODES[mapped.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The server's `checkExpectation` listener: without one Node answers an
 * `Expect` other than 100-continue with a bare 417. The body the client holds
 * back may still come, so the connection is closed after the answer.
 */
export function answerFailedExpectation(request: IncomingMessage, response: ServerResponse): void {
  const expect = String(request.headers.expect ?? '')
    .slice(0, 100)
    .replace(/[^\x20-\x7e]/g, '');
  const body = JSON.stringify(
    errorBody('EXPECTATION_FAILED', `Expect: ${expect} is not supported (only 100-continue)`),
  );
  response.writeHead(ERROR_STATUS.EXPECTATION_FAILED, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  response.end(body);
}

export function createClientErrorHandler(
  log: FastifyBaseLogger,
  headLimitBytes: number,
): (error: Error & { code?: string }, socket: Socket) => void {
  // The parser stays in its error state, so more data from the client raises the error again.
  const answered = new WeakSet<Socket>();
  return (error, socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    const mapped = clientErrorAnswer(error, headLimitBytes);
    if (!mapped || socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    log.debug({ code: mapped.code, status: mapped.status, parserCode: error.code }, mapped.message);
    const write = () => {
      if (socket.destroyed || !socket.writable) {
        socket.destroy();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), LINGER_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      // Destroyed once flushed: the client reads the whole answer before the connection goes.
      socket.end(clientErrorResponse(mapped), () => socket.destroy());
    };
    // A response still being written on this connection for a request read
    // whole (a pipelined request before the bad one) is let finish: an answer
    // written now would land in the middle of it. Node's private `_httpMessage`
    // is the only handle on it.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
      if (inFlight.req?.complete) {
        inFlight.once('finish', write);
        inFlight.once('close', () => {
          if (!inFlight.writableFinished) socket.destroy();
        });
        return;
      }
      // The bad bytes are that request's own (a broken chunked body, the
      // connection ending mid-body): answered here unless it has begun to be
      // answered already; either way the connection goes, which aborts it.
      if (inFlight.headersSent) {
        socket.destroy();
        return;
      }
    }
    write();
  };
}
