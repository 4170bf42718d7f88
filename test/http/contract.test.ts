import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, cookieFrom, makeTestApp, parseSse, type TestApp } from '../support/http-helpers.ts';

describe('EFKA-compatible routes', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  test('GET / answers the service description to API clients', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['message', 'version', 'run_mode', 'engine', 'docs']);
    assert.equal(body.docs, '/docs');
    assert.equal(body.run_mode, 'standalone');
    assert.equal(body.engine, 'local');
  });

  test('GET /health reports healthy with version, service and run mode', async () => {
    const res = await t.app.inject('/health');
    assert.deepEqual(res.json(), {
      status: 'healthy',
      version: '0.0.0-test',
      service: 'docent',
      run_mode: 'standalone',
      engine: 'local',
    });
  });

  test('GET /info hides the absolute knowledge-base path from non-admins', async () => {
    const anonymous = (await t.app.inject('/info')).json();
    for (const key of [
      'run_mode',
      'im_channel',
      'kb_root_path',
      'small_file_threshold_kb',
      'faq_max_entries',
      'session_timeout',
      'max_upload_size_mb',
    ]) {
      assert.ok(key in anonymous, key);
    }
    assert.equal(anonymous.run_mode, 'standalone', 'one of the original run modes');
    assert.equal(anonymous.engine, 'local');
    assert.equal(anonymous.kb_root_path, 'kb');
    assert.equal(anonymous.max_upload_size_mb, 10);
    const admin = (await t.app.inject({ url: '/info', headers: ADMIN })).json();
    assert.equal(admin.kb_root_path, t.config.kbRoot);
  });

  test('/health and /info answer under /api too, where the original client looks for them', async () => {
    assert.deepEqual((await t.app.inject('/api/health')).json(), (await t.app.inject('/health')).json());
    assert.deepEqual((await t.app.inject('/api/info')).json(), (await t.app.inject('/info')).json());
  });

  test('GET /docs serves the OpenAPI UI and /docs/json lists the compatible routes', async () => {
    const ui = await t.app.inject('/docs');
    assert.ok([200, 302].includes(ui.statusCode));
    const spec = (await t.app.inject('/docs/json')).json();
    for (const route of ['/api/query', '/api/query/stream', '/api/user/query', '/api/upload', '/api/clear_context']) {
      assert.ok(route in spec.paths, route);
    }
  });

  test('GET /api/user/query streams session, tool_use, message, done with the SSE headers', async () => {
    const res = await t.app.inject({ url: '/api/user/query?message=hello' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.connection, 'keep-alive');
    assert.equal(res.headers['x-accel-buffering'], 'no');
    const { events } = parseSse(res.body);
    assert.deepEqual(
      events.map((e) => e.type),
      ['session', 'tool_use', 'message', 'done'],
    );
    const [session, tool, message, done] = events;
    assert.deepEqual(Object.keys(session!), ['type', 'session_id', 'is_new']);
    assert.equal(session!.is_new, true);
    assert.match(String(session!.session_id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(tool, { type: 'tool_use', id: 't1', tool: 'Read', input: { file_path: 'docs/a.md' } });
    assert.deepEqual(message, { type: 'message', content: 'Answer to: hello' });
    assert.deepEqual(done, { type: 'done', duration_ms: 3 });
  });

  test('GET /api/user/query resumes a session by session_id for its owner (is_new false)', async () => {
    const first = await t.app.inject({ url: '/api/user/query?message=one' });
    const cookie = cookieFrom(first.headers['set-cookie']);
    const id = parseSse(first.body).events[0]!.session_id as string;
    const second = await t.app.inject({ url: `/api/user/query?message=two&session_id=${id}`, headers: { cookie } });
    const session = parseSse(second.body).events[0]!;
    assert.deepEqual(session, { type: 'session', session_id: id, is_new: false });
  });

  test('GET /api/user/query with an unknown session_id answers 404 Session not found', async () => {
    const res = await t.app.inject({ url: '/api/user/query?message=x&session_id=nope' });
    assert.equal(res.statusCode, 404);
    const body = res.json();
    assert.equal(body.error.code, 'SESSION_NOT_FOUND');
    // The original's detail, then (for a caller with no identity) how to go on.
    assert.match(body.detail, /^Session not found\b/);
    assert.equal(body.error.message, body.detail);
  });

  test('GET /api/user/query with user_id resumes the persistent conversation', async () => {
    const first = await t.app.inject({ url: '/api/user/query?message=a&user_id=alice' });
    const cookie = cookieFrom(first.headers['set-cookie']);
    const a = parseSse(first.body).events[0]!;
    const second = await t.app.inject({ url: '/api/user/query?message=b&user_id=alice', headers: { cookie } });
    const b = parseSse(second.body).events[0]!;
    assert.equal(b.session_id, a.session_id);
    assert.equal(b.is_new, false);
  });

  test('GET /api/user/query without message answers 422 naming the field', async () => {
    const res = await t.app.inject({ url: '/api/user/query' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    assert.equal(res.json().detail, 'message: Field required');
  });

  test('POST /api/query answers {session_id, response, status} for the admin', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/query', headers: ADMIN, payload: { message: 'hi' } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['session_id', 'response', 'status']);
    assert.equal(body.response, 'Answer to: hi');
    assert.equal(body.status, 'success');
  });

  test('POST /api/query without message answers 422', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/query', headers: ADMIN, payload: {} });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().detail, 'message: Field required');
  });

  test('GET /api/query/stream streams the admin agent', async () => {
    const res = await t.app.inject({ url: '/api/query/stream?message=hi', headers: ADMIN });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      parseSse(res.body).events.map((e) => e.type),
      ['session', 'tool_use', 'message', 'done'],
    );
  });

  test('POST /api/session/create answers {session_id, created_at (float seconds), status}', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session/create?user_id=bob' });
    const body = res.json();
    assert.equal(body.status, 'created');
    assert.equal(typeof body.created_at, 'number');
    assert.ok(Math.abs(body.created_at - Date.now() / 1000) < 60);
    assert.match(body.session_id, /^[0-9a-f-]{36}$/);
  });

  test('DELETE /api/session/:id deletes the caller’s session, then 404', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/session/create' });
    const cookie = cookieFrom(created.headers['set-cookie']);
    const id = created.json().session_id;
    const res = await t.app.inject({ method: 'DELETE', url: `/api/session/${id}`, headers: { cookie } });
    assert.deepEqual(res.json(), { status: 'deleted', session_id: id });
    assert.deepEqual(t.fakePools?.employee.forgotten, [id], 'the pool lets go of its worker');
    const again = await t.app.inject({ method: 'DELETE', url: `/api/session/${id}`, headers: { cookie } });
    assert.equal(again.statusCode, 404);
  });

  test('POST /api/clear_context without user_id answers 400 Missing user_id parameter', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/clear_context', payload: {} });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().detail, 'Missing user_id parameter');
  });

  test('POST /api/clear_context makes the next user_id turn start a new conversation', async () => {
    const first = await t.app.inject({ url: '/api/user/query?message=a&user_id=carol' });
    const cookie = cookieFrom(first.headers['set-cookie']);
    const a = parseSse(first.body).events[0]!;
    const cleared = await t.app.inject({
      method: 'POST',
      url: '/api/clear_context',
      headers: { cookie },
      payload: { user_id: 'carol' },
    });
    assert.equal(cleared.json().success, true);
    assert.equal(typeof cleared.json().message, 'string');
    const next = await t.app.inject({ url: '/api/user/query?message=b&user_id=carol', headers: { cookie } });
    const b = parseSse(next.body).events[0]!;
    assert.notEqual(b.session_id, a.session_id);
    assert.equal(b.is_new, true);
  });
});
