/**
 * The bad-input matrix: every case answers with the right status, code and
 * message in the one error shape, and nothing was written (no session, no
 * turn, no upload, no knowledge-base change).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { MemorySessionStore } from '../../src/sessions/memory-store.ts';
import type { NewSession, SessionRecord } from '../../src/sessions/types.ts';
import type { FakeKnowledgeBase } from '../support/http-fakes.ts';
import { ADMIN, listenLoopback, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import { fileParts, multipart } from '../support/http-multipart.ts';
import { requestJson } from '../support/http-sse-client.ts';

class CountingSessionStore extends MemorySessionStore {
  writes = 0;
  override async create(session: NewSession): Promise<SessionRecord> {
    this.writes += 1;
    return super.create(session);
  }
}

interface Case {
  readonly name: string;
  readonly request: InjectOptions;
  readonly status: number;
  readonly code: string;
  readonly message: RegExp;
}

const json = (url: string, payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
});
const upload = (parts: Parameters<typeof multipart>[0]): InjectOptions => {
  const body = multipart(parts);
  return { method: 'POST', url: '/api/upload', headers: { ...ADMIN, ...body.headers }, payload: body.payload };
};
const multipartTo = (parts: Parameters<typeof multipart>[0], headers: Record<string, string> = {}) => {
  const body = multipart(parts);
  return { headers: { ...headers, ...body.headers }, payload: body.payload };
};
const UNKNOWN_REF = 'upl_0123456789abcdef0123456789abcdef';

const CASES: Case[] = [
  {
    name: 'user query without message',
    request: { url: '/api/user/query' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Field required$/,
  },
  {
    name: 'user query with empty message',
    request: { url: '/api/user/query?message=' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Must not be empty$/,
  },
  {
    name: 'user query with a blank message',
    request: { url: '/api/user/query?message=%20%20%20' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Must not be empty$/,
  },
  {
    name: 'user query with a NUL in the message',
    request: { url: '/api/user/query?message=a%00b' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /control characters/,
  },
  {
    name: 'user query with non-UTF-8 percent-encoding',
    request: { url: '/api/user/query?message=%FF%FE' },
    status: 400,
    code: 'INVALID_ENCODING',
    message: /not valid percent-encoded UTF-8/,
  },
  {
    name: 'user query with a huge query string',
    request: { url: `/api/user/query?message=${'a'.repeat(9000)}` },
    status: 414,
    code: 'URI_TOO_LONG',
    message: /longer than 8192/,
  },
  {
    name: 'user query with a path-like session id',
    request: { url: '/api/user/query?message=hi&session_id=..%2F..%2Fetc' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^session_id: /,
  },
  {
    name: 'user query with an oversized session id',
    request: { url: `/api/user/query?message=hi&session_id=${'a'.repeat(200)}` },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^session_id: /,
  },
  {
    name: 'user query with an unknown session id',
    request: { url: '/api/user/query?message=hi&session_id=0b7c0c8e-0000-4000-8000-000000000000' },
    status: 404,
    code: 'SESSION_NOT_FOUND',
    message: /^Session not found/,
  },
  {
    name: 'user query with a garbage user id',
    request: { url: '/api/user/query?message=hi&user_id=a%20b%3Cscript%3E' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^user_id: /,
  },
  {
    name: 'user query with an oversized user id',
    request: { url: `/api/user/query?message=hi&user_id=${'u'.repeat(129)}` },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^user_id: /,
  },
  {
    name: 'admin stream without message',
    request: { url: '/api/query/stream', headers: ADMIN },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Field required$/,
  },
  {
    name: 'admin query without message',
    request: json('/api/query', {}, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Field required$/,
  },
  {
    name: 'admin query with a numeric message',
    request: json('/api/query', { message: 42 }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: Must be a string$/,
  },
  {
    name: 'admin query with a null message',
    request: json('/api/query', { message: null }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^message: /,
  },
  {
    name: 'admin query with an oversized message',
    request: json('/api/query', { message: 'x'.repeat(20_001) }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /at most 20000 characters/,
  },
  {
    name: 'admin query with an array body',
    request: json('/api/query', [1, 2], ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /expected object/i,
  },
  {
    name: 'admin query with broken JSON',
    request: json('/api/query', '{"message": ', ADMIN),
    status: 400,
    code: 'BAD_REQUEST',
    message: /^Body is not valid JSON$/,
  },
  {
    name: 'clear_context with truncated JSON (the probe’s case)',
    request: json('/api/clear_context', '{"user_id":"x",'),
    status: 400,
    code: 'BAD_REQUEST',
    message: /^Body is not valid JSON$/,
  },
  {
    // An empty JSON body is no body (the original clients send one), so the
    // missing field is what is reported.
    name: 'admin query with an empty JSON body',
    request: json('/api/query', '', ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /message/,
  },
  {
    name: 'admin query with a non-UTF-8 body',
    request: json('/api/query', Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), ADMIN),
    status: 400,
    code: 'INVALID_ENCODING',
    message: /not valid UTF-8/,
  },
  {
    name: 'admin query with a body over 1 MiB',
    request: json('/api/query', { message: 'x'.repeat(1_100_000) }, ADMIN),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: /too large/,
  },
  {
    name: 'admin query as text/plain',
    request: {
      method: 'POST',
      url: '/api/query',
      headers: { ...ADMIN, 'content-type': 'text/plain' },
      payload: 'message=hi',
    },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /Unsupported Content-Type/,
  },
  {
    name: 'admin query as multipart/form-data',
    request: { method: 'POST', url: '/api/query', ...multipartTo([{ field: 'message', content: 'hi' }], ADMIN) },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /^This route does not take multipart\/form-data; send JSON$/,
  },
  {
    name: 'session create as multipart/form-data',
    request: { method: 'POST', url: '/api/session/create', ...multipartTo(fileParts(1)) },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /^This route does not take multipart\/form-data; send JSON$/,
  },
  {
    name: 'clear context as multipart/form-data',
    request: { method: 'POST', url: '/api/clear_context', ...multipartTo([{ field: 'user_id', content: 'u1' }]) },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /^This route does not take multipart\/form-data; send JSON$/,
  },
  {
    name: 'clear context with a gzip-encoded body',
    request: {
      method: 'POST',
      url: '/api/clear_context',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: '{"user_id":"u1"}',
    },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /^Request bodies are not accepted with Content-Encoding gzip$/,
  },
  {
    name: 'admin query as a form',
    request: {
      method: 'POST',
      url: '/api/query',
      headers: { ...ADMIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'message=hi',
    },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /Unsupported Content-Type/,
  },
  {
    name: 'clear context without user id',
    request: json('/api/clear_context', {}),
    status: 400,
    code: 'MISSING_USER_ID',
    message: /^Missing user_id parameter$/,
  },
  {
    name: 'clear context with a numeric user id',
    request: json('/api/clear_context', { user_id: 5 }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^user_id: /,
  },
  {
    name: 'session create with a garbage user id',
    request: { method: 'POST', url: '/api/session/create?user_id=%3C%3E' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^user_id: /,
  },
  {
    name: 'delete of an unknown session',
    request: { method: 'DELETE', url: '/api/session/unknown-id' },
    status: 404,
    code: 'SESSION_NOT_FOUND',
    message: /^Session not found/,
  },
  {
    name: 'messages of a session with a bad id',
    request: { url: '/api/sessions/bad%20id/messages' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^session_id: /,
  },
  {
    name: 'sessions list with a zero limit',
    request: { url: '/api/sessions?limit=0' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^limit: /,
  },
  {
    name: 'kb file without path',
    request: { url: '/api/kb/file' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^path: Field required$/,
  },
  {
    name: 'kb file with a traversal path',
    request: { url: '/api/kb/file?path=..%2F..%2Fetc%2Fpasswd' },
    status: 403,
    code: 'KB_PATH_OUTSIDE_ROOT',
    message: /outside the knowledge base/,
  },
  {
    name: 'kb file with an absolute path',
    request: { url: '/api/kb/file?path=%2Fetc%2Fpasswd' },
    status: 403,
    code: 'KB_PATH_OUTSIDE_ROOT',
    message: /outside the knowledge base/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as .%2FBADCASE.md',
    request: { url: '/api/kb/file?path=.%2FBADCASE.md' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as BADCASE.md%20',
    request: { url: '/api/kb/file?path=BADCASE.md%20' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as %20BADCASE.md',
    request: { url: '/api/kb/file?path=%20BADCASE.md' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as BADCASE.md%2F',
    request: { url: '/api/kb/file?path=BADCASE.md%2F' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as BADCASE.md%09',
    request: { url: '/api/kb/file?path=BADCASE.md%09' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as %09BADCASE.md',
    request: { url: '/api/kb/file?path=%09BADCASE.md' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as BADCASE.md%0A',
    request: { url: '/api/kb/file?path=BADCASE.md%0A' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as badcase.MD',
    request: { url: '/api/kb/file?path=badcase.MD' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as .%2F.%2FBADCASE.md%2F%2F',
    request: { url: '/api/kb/file?path=.%2F.%2FBADCASE.md%2F%2F' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file BADCASE.md for an employee, as .%5CBADCASE.md',
    request: { url: '/api/kb/file?path=.%5CBADCASE.md' },
    status: 403,
    code: 'FORBIDDEN',
    message: /^BADCASE.md is for administrators$/,
  },
  {
    name: 'kb file with a control character in the path',
    request: { url: '/api/kb/file?path=BADCASE.md%01' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^path: Must not contain control characters$/,
  },
  {
    name: 'kb file with a non-numeric start line',
    request: { url: '/api/kb/file?path=README.md&start_line=abc' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^start_line: /,
  },
  {
    name: 'kb file with start line 0',
    request: { url: '/api/kb/file?path=README.md&start_line=0' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^start_line: Must be at least 1$/,
  },
  {
    name: 'kb file with end before start',
    request: { url: '/api/kb/file?path=README.md&start_line=5&end_line=2' },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^end_line: /,
  },
  {
    name: 'kb file that does not exist (no absolute path leaked)',
    request: { url: '/api/kb/file?path=missing.md' },
    status: 404,
    code: 'KB_NOT_FOUND',
    message: /^No file missing\.md \(<path>\)$/,
  },
  {
    name: 'feedback without satisfied',
    request: json('/api/feedback', { session_id: 's1', answer: 'a' }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^satisfied: /,
  },
  {
    name: 'feedback with satisfied as a string',
    request: json('/api/feedback', { session_id: 's1', answer: 'a', satisfied: 'yes' }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^satisfied: Must be true or false$/,
  },
  {
    name: 'feedback that names no session (text alone is not an answer Docent gave)',
    request: json('/api/feedback', { question: 'q', answer: 'a', satisfied: true }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^session_id: Field required$/,
  },
  {
    name: 'feedback on an unknown session',
    request: json('/api/feedback', { session_id: 'nope', satisfied: true }),
    status: 404,
    code: 'SESSION_NOT_FOUND',
    message: /^Session not found/,
  },
  {
    name: 'feedback with an oversized reason',
    request: json('/api/feedback', { session_id: 's1', satisfied: false, reason: 'r'.repeat(3000) }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^reason: /,
  },
  {
    name: 'feedback with a NUL in the reason',
    request: json('/api/feedback', { session_id: 's1', satisfied: false, reason: 'bad\u0000answer' }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^reason: Must not contain control characters$/,
  },
  {
    name: 'feedback with a turn that is not a number',
    request: json('/api/feedback', { session_id: 's1', satisfied: true, turn: 'last' }),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^turn: /,
  },
  {
    name: 'kb delete with an empty path',
    request: json('/api/kb/delete', { path: '' }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^path: Must not be empty$/,
  },
  {
    name: 'kb delete with a traversal path',
    request: json('/api/kb/delete', { path: '../secrets' }, ADMIN),
    status: 403,
    code: 'KB_PATH_OUTSIDE_ROOT',
    message: /outside/,
  },
  {
    name: 'kb delete confirm with an unknown token',
    request: json('/api/kb/delete/confirm', { token: 'nope' }, ADMIN),
    status: 400,
    code: 'KB_DELETE_TOKEN_INVALID',
    message: /Unknown or expired delete token/,
  },
  {
    name: 'ingest with no files',
    request: json('/api/kb/ingest', { files: [] }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^files: /,
  },
  {
    name: 'ingest with files not a list',
    request: json('/api/kb/ingest', { files: 'a' }, ADMIN),
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^files: Must be a list of upload references$/,
  },
  {
    name: 'ingest with an unknown upload reference',
    request: json('/api/kb/ingest', { files: [UNKNOWN_REF] }, ADMIN),
    status: 400,
    code: 'UPLOAD_UNKNOWN',
    message: /Unknown or expired upload reference/,
  },
  {
    name: 'ingest with a path instead of a reference',
    request: json('/api/kb/ingest', { files: ['/etc/passwd'] }, ADMIN),
    status: 400,
    code: 'UPLOAD_UNKNOWN',
    message: /Unknown or expired upload reference/,
  },
  {
    name: 'upload as JSON',
    request: json('/api/upload', { files: [] }, ADMIN),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /multipart\/form-data/,
  },
  {
    name: 'upload with no file parts',
    request: upload([{ field: 'note', content: 'hello' }]),
    status: 400,
    code: 'BAD_REQUEST',
    message: /No files received/,
  },
  {
    name: 'upload in a wrong field',
    request: upload([{ field: 'file', filename: 'a.md', content: 'x' }]),
    status: 400,
    code: 'BAD_REQUEST',
    message: /Unexpected file field "file"/,
  },
  {
    name: 'upload of too many files',
    request: upload(fileParts(4, 10)),
    status: 400,
    code: 'TOO_MANY_FILES',
    message: /at most 3 per upload/,
  },
  {
    name: 'upload of a too-large file (after a good one)',
    request: upload([...fileParts(1, 10), ...fileParts(1, 2048)]),
    status: 413,
    code: 'FILE_TOO_LARGE',
    message: /larger than the limit of 1024 bytes/,
  },
  {
    name: 'unknown route',
    request: { url: '/api/nope' },
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    message: /^No route GET \/api\/nope$/,
  },
  {
    name: 'unsupported method on a known path',
    request: { method: 'PUT', url: '/api/query' },
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    message: /^No route PUT \/api\/query$/,
  },
  {
    name: 'session delete with a path that is not valid percent-encoded UTF-8',
    request: { method: 'DELETE', url: '/api/session/%E0%A4%A' },
    status: 400,
    code: 'INVALID_ENCODING',
    message: /^The URL path is not valid percent-encoded UTF-8$/,
  },
  {
    name: 'session messages with a path that is not valid percent-encoded UTF-8',
    request: { url: '/api/sessions/%FF/messages' },
    status: 400,
    code: 'INVALID_ENCODING',
    message: /^The URL path is not valid percent-encoded UTF-8$/,
  },
  {
    name: 'static asset path that is not valid percent-encoded UTF-8',
    request: { url: '/assets/%E0%A4%A' },
    status: 400,
    code: 'INVALID_ENCODING',
    message: /^The URL path is not valid percent-encoded UTF-8$/,
  },
  {
    // Past the router's default parameter length (100) yet within the schema's 128.
    name: 'session delete with a 120-character id',
    request: { method: 'DELETE', url: `/api/session/${'a'.repeat(120)}` },
    status: 404,
    code: 'SESSION_NOT_FOUND',
    message: /^Session not found/,
  },
  {
    name: 'session messages with a 2000-character id',
    request: { url: `/api/sessions/${'a'.repeat(2000)}/messages` },
    status: 422,
    code: 'VALIDATION_FAILED',
    message: /^session_id: Must be 1-128 letters, digits, _ or -$/,
  },
];

describe('bad-input matrix', () => {
  let t: TestApp;
  let sessions: CountingSessionStore;
  before(async () => {
    sessions = new CountingSessionStore({ timeoutMs: 3_600_000 });
    t = await makeTestApp({ sessions, env: { MAX_UPLOAD_SIZE: '1024', MAX_UPLOAD_FILES: '3' } });
  });
  after(() => t.close());

  test('has at least 40 cases', () => {
    assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  });

  for (const c of CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const kb = t.kb as FakeKnowledgeBase;
      const before = {
        sessions: sessions.writes,
        turns: t.fakePools!.employee.turns.length + t.fakePools!.admin.turns.length,
        feedback: kb.feedbackCalls.length,
        ingest: kb.ingestCalls.length,
        files: kb.files.size,
      };
      const res = await t.app.inject(c.request);
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body), ['error', 'detail']);
      assert.equal(body.error.code, c.code);
      assert.equal(body.detail, body.error.message);
      assert.match(body.detail, c.message);
      assert.ok(!body.detail.includes(t.dataDir), 'no absolute path');
      assert.ok(!/\bat .+:\d+:\d+/.test(res.body), 'no stack trace');
      assert.deepEqual(
        {
          sessions: sessions.writes,
          turns: t.fakePools!.employee.turns.length + t.fakePools!.admin.turns.length,
          feedback: kb.feedbackCalls.length,
          ingest: kb.ingestCalls.length,
          files: kb.files.size,
        },
        before,
      );
      assert.deepEqual(await readdir(t.uploads.dir), []);
    });
  }
});

test('a JSON body with a __proto__ key has it dropped', async () => {
  const t = await makeTestApp();
  try {
    const res = await t.app.inject(json('/api/query', '{"message":"hi","__proto__":{"polluted":true}}', ADMIN));
    assert.equal(res.statusCode, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    await t.close();
  }
});

describe('huge query strings on a real socket', () => {
  test('a 40 KiB query answers 414 in the error shape; past 64 KiB Node refuses the head: 431 in the error shape', async () => {
    const t = await makeTestApp();
    try {
      const base = await listenLoopback(t.app);
      const long = await requestJson(`${base}/api/user/query?message=${'a'.repeat(40 * 1024)}`);
      assert.equal(long.statusCode, 414);
      assert.equal((long.json as { error: { code: string } }).error.code, 'URI_TOO_LONG');
      const huge = await requestJson(`${base}/api/user/query?message=${'a'.repeat(80 * 1024)}`);
      assert.equal(huge.statusCode, 431);
      assert.equal((huge.json as { error: { code: string } }).error.code, 'HEADERS_TOO_LARGE');
      assert.equal(t.fakePools!.employee.turns.length, 0);
    } finally {
      await t.close();
    }
  });
});
