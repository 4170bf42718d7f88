/**
 * Requests Node's HTTP parser refuses before Fastify sees them still answer
 * in the one error shape, on a real socket: a code of the table with its
 * status, `Connection: close`, no stack trace, and the connection closed.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { clientErrorAnswer, createClientErrorHandler } from '../../src/http/client-error.ts';
import { ERROR_STATUS, type ErrorCode } from '../../src/http/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { listenLoopback, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import { parseRawResponse, type RawResponse, rawExchange } from '../support/raw-http.ts';

interface Case {
  readonly name: string;
  readonly chunks: ReadonlyArray<string | Buffer>;
  readonly status: number;
  readonly code: ErrorCode;
}

const CASES: Case[] = [
  {
    name: 'a request head past the 64 KiB limit',
    chunks: [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80 * 1024)}\r\n\r\n`],
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    name: 'Content-Length together with Transfer-Encoding: chunked',
    chunks: [
      'POST /api/clear_context HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    ],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
  {
    // The request is being handled (the route reads the body) when its own body turns out broken.
    name: 'a chunked body with a chunk size that is not hex',
    chunks: [
      'POST /api/clear_context HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nzz\r\n',
    ],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
  {
    name: 'a malformed request line',
    chunks: ['GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
  {
    name: 'not HTTP at all',
    chunks: ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
  {
    name: 'a header name with a space in it',
    chunks: ['GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
  {
    name: 'a bare CR inside a header value',
    chunks: ['GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n'],
    status: 400,
    code: 'MALFORMED_REQUEST',
  },
];

function assertErrorShape(res: RawResponse, status: number, code: ErrorCode): void {
  assert.equal(res.status, status, res.raw.slice(0, 300));
  assert.equal(res.headers.connection, 'close');
  assert.match(res.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
  const body = JSON.parse(res.body);
  assert.deepEqual(Object.keys(body), ['error', 'detail']);
  assert.deepEqual(Object.keys(body.error), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.equal(body.detail, body.error.message);
  assert.ok(body.detail.length > 0);
  assert.ok(!/\bat .+:\d+:\d+/.test(res.raw), 'no stack trace');
  assert.ok(!res.raw.includes('node:'), 'no Node internals');
  assert.equal(ERROR_STATUS[code], status, `${code} has status ${status} in the table`);
}

describe('requests the HTTP parser refuses, on a real socket', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await makeTestApp();
    base = await listenLoopback(t.app);
  });
  after(() => t.close());

  for (const c of CASES) {
    test(`${c.name} → ${c.status} ${c.code}, then the connection is closed`, async () => {
      const { raw, closed } = await rawExchange(base, c.chunks);
      assertErrorShape(parseRawResponse(raw), c.status, c.code);
      assert.ok(closed, 'the server closed the connection');
    });
  }

  test('a malformed request after an answered one on the same keep-alive connection still gets the error shape', async () => {
    const { raw, closed } = await rawExchange(base, [
      'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
      { afterBytes: 1 },
      'GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n',
    ]);
    const first = parseRawResponse(raw);
    assert.equal(first.status, 200);
    const second = parseRawResponse(raw.slice(raw.indexOf('HTTP/1.1', 1)));
    assertErrorShape(second, 400, 'MALFORMED_REQUEST');
    assert.ok(closed);
  });

  test('a malformed request pipelined behind a good one waits for its answer (never lands inside it)', async () => {
    const { raw, closed } = await rawExchange(base, [
      'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n',
    ]);
    const first = parseRawResponse(raw);
    assert.equal(first.status, 200, raw.slice(0, 300));
    assert.equal(JSON.parse(first.body).status, 'healthy');
    assertErrorShape(parseRawResponse(raw.slice(raw.indexOf('HTTP/1.1', 1))), 400, 'MALFORMED_REQUEST');
    assert.ok(closed);
  });

  test('the server still answers normally afterwards', async () => {
    const { raw } = await rawExchange(base, ['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.equal(parseRawResponse(raw).status, 200);
  });
});

/** A socket stand-in that records what the handler does with it. */
function fakeSocket(state: { writable: boolean; destroyed?: boolean }) {
  const calls: string[] = [];
  const socket = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(socket, {
    writable: state.writable,
    destroyed: state.destroyed ?? false,
    end: (data: string, done: () => void) => {
      calls.push(`end:${data.split('\r\n')[0]}`);
      done();
    },
    destroy: () => calls.push('destroy'),
  });
  return { socket: socket as unknown as Socket, calls };
}

describe('the client error handler on sockets it cannot answer', () => {
  const handler = createClientErrorHandler(createLogger('silent') as FastifyBaseLogger, 65536);
  const parseError = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' });

  test('a reset or broken connection is destroyed, nothing written', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT']) {
      const { socket, calls } = fakeSocket({ writable: true });
      handler(Object.assign(new Error(code), { code }), socket);
      assert.deepEqual(calls, ['destroy'], code);
    }
  });

  test('a parser error on a socket no longer writable is destroyed, nothing written', () => {
    for (const state of [{ writable: false }, { writable: true, destroyed: true }]) {
      const { socket, calls } = fakeSocket(state);
      handler(parseError, socket);
      assert.deepEqual(calls, ['destroy']);
    }
  });

  test('a socket is answered once however often the parser fails on it', () => {
    const { socket, calls } = fakeSocket({ writable: true });
    handler(parseError, socket);
    handler(parseError, socket);
    assert.deepEqual(calls, ['end:HTTP/1.1 400 Bad Request', 'destroy']);
  });

  test('a request timeout is 408 REQUEST_TIMEOUT; other parser errors are 400 MALFORMED_REQUEST', () => {
    assert.equal(clientErrorAnswer({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, 1)?.code, 'REQUEST_TIMEOUT');
    assert.equal(clientErrorAnswer({ code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' }, 1)?.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(clientErrorAnswer({ code: 'HPE_INVALID_METHOD', reason: 'Invalid method\n' }, 1), {
      status: 400,
      code: 'MALFORMED_REQUEST',
      message: 'The request is not valid HTTP/1.1: Invalid method',
    });
    assert.equal(clientErrorAnswer({ code: 'ECONNRESET' }, 1), undefined);
  });
});
