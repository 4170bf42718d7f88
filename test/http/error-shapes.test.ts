/**
 * Every way a client can be refused outside a route's own code (the router,
 * the body parsers, @fastify/static, Node's expectation check, a server that
 * is closing) answers the one error shape, on a real socket, with a code of
 * the table whose status is the one answered.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ERROR_STATUS, type ErrorCode } from '../../src/http/errors.ts';
import { ADMIN_TOKEN, listenLoopback, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import { parseRawResponse, type RawResponse, rawExchange } from '../support/raw-http.ts';

interface Case {
  readonly name: string;
  /** The raw request (HTTP/1.1, `Host` and `Connection: close` are added). */
  readonly request: string;
  readonly status: number;
  readonly code: ErrorCode;
}

const head = (requestLine: string, headers: string[] = []) =>
  [requestLine, 'Host: x', 'Connection: close', ...headers, '', ''].join('\r\n');
const post = (url: string, body: string, headers: string[] = ['Content-Type: application/json']) =>
  head(`POST ${url} HTTP/1.1`, [...headers, `Content-Length: ${Buffer.byteLength(body)}`]) + body;

const CASES: Case[] = [
  { name: 'an unknown route', request: head('GET /api/nope HTTP/1.1'), status: 404, code: 'ROUTE_NOT_FOUND' },
  {
    name: 'a method the path does not take',
    request: head('PUT /api/query HTTP/1.1'),
    status: 404,
    code: 'ROUTE_NOT_FOUND',
  },
  {
    name: 'a body past the body limit (refused from its Content-Length)',
    request: head('POST /api/clear_context HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 2000000']),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a body as text/plain',
    request: post('/api/clear_context', 'hi', ['Content-Type: text/plain']),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body with an unknown Content-Type',
    request: post('/api/clear_context', 'hi', ['Content-Type: application/x-nope']),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a gzip-encoded body',
    request: post('/api/clear_context', '{}', ['Content-Type: application/json', 'Content-Encoding: gzip']),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  { name: 'broken JSON', request: post('/api/clear_context', '{"user_id":'), status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a path that is not valid percent-encoded UTF-8',
    request: head('GET /api/sessions/%FF/messages HTTP/1.1'),
    status: 400,
    code: 'INVALID_ENCODING',
  },
  {
    name: 'a URL past the limit',
    request: head(`GET /api/user/query?message=${'a'.repeat(9000)} HTTP/1.1`),
    status: 414,
    code: 'URI_TOO_LONG',
  },
  {
    name: 'a path parameter past the router’s limit',
    request: head(`DELETE /api/session/${'a'.repeat(9000)} HTTP/1.1`),
    status: 414,
    code: 'URI_TOO_LONG',
  },
  { name: 'a static dotfile', request: head('GET /assets/.env HTTP/1.1'), status: 403, code: 'FORBIDDEN' },
  {
    name: 'a static file with a Range outside it',
    request: head('GET /assets/app.js HTTP/1.1', ['Range: bytes=1000-2000']),
    status: 416,
    code: 'RANGE_NOT_SATISFIABLE',
  },
  {
    name: 'a static file with an If-Match that fails',
    request: head('GET /assets/app.js HTTP/1.1', ['If-Match: "nope"']),
    status: 412,
    code: 'PRECONDITION_FAILED',
  },
  {
    name: 'an Expect header other than 100-continue',
    request: post('/api/clear_context', '{}', ['Content-Type: application/json', 'Expect: something-else']),
    status: 417,
    code: 'EXPECTATION_FAILED',
  },
  {
    name: 'an admin route with a wrong token',
    request: head('GET /api/kb/tree HTTP/1.1', [`Authorization: Bearer ${ADMIN_TOKEN}-wrong`]),
    status: 403,
    code: 'FORBIDDEN',
  },
];

function assertErrorShape(res: RawResponse, status: number, code: ErrorCode): void {
  assert.equal(res.status, status, res.raw.slice(0, 300));
  assert.match(res.headers['content-type'] ?? '', /^application\/json/, res.raw.slice(0, 300));
  const body = JSON.parse(res.body);
  assert.deepEqual(Object.keys(body), ['error', 'detail'], res.body);
  assert.equal(body.error.code, code, res.body);
  assert.equal(ERROR_STATUS[code], status, `${code} has status ${status} in the table`);
  assert.equal(body.detail, body.error.message);
  assert.ok(body.detail.length > 0 && body.detail.length <= 300, body.detail);
  assert.ok(!/\bat .+:\d+:\d+/.test(res.raw), 'no stack trace');
}

describe('refusals outside the routes answer the one error shape', () => {
  let t: TestApp;
  let webDir: string;
  let base: string;
  before(async () => {
    webDir = await mkdtemp(path.join(os.tmpdir(), 'docent-web-'));
    await mkdir(path.join(webDir, 'assets'), { recursive: true });
    await writeFile(path.join(webDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(webDir, 'assets', '.env'), 'SECRET=1');
    t = await makeTestApp({ webDir });
    base = await listenLoopback(t.app);
  });
  after(async () => {
    await t.close();
    await rm(webDir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const { raw } = await rawExchange(base, [c.request]);
      assertErrorShape(parseRawResponse(raw), c.status, c.code);
    });
  }
});

test('a request that reaches a closing server on a kept-alive connection → 503 SERVICE_DRAINING, Connection: close', async () => {
  const t = await makeTestApp();
  const url = new URL(await listenLoopback(t.app));
  const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let closing: Promise<void> | undefined;
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  try {
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = once(socket, 'close');
    await once(socket, 'connect');
    const body = '{"user_id":"u1"}';
    // The first request's body is held back, so the connection is busy (not
    // closed as idle) while the server starts closing; the second follows it.
    socket.write(
      [
        'POST /api/clear_context HTTP/1.1',
        'Host: x',
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
      ]
        .concat('', '')
        .join('\r\n'),
    );
    await delay(100);
    closing = t.app.close();
    await delay(100);
    socket.write(`${body}GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
    await ended;
    const raw = Buffer.concat(received).toString('latin1');
    const second = raw.indexOf('HTTP/1.1', 1);
    assert.ok(second > 0, raw.slice(0, 500));
    const res = parseRawResponse(raw.slice(second));
    assertErrorShape(res, 503, 'SERVICE_DRAINING');
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.headers['retry-after'], '5');
  } finally {
    socket.destroy();
    await closing;
    await t.close().catch(() => {});
  }
});
