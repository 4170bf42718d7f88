/**
 * POST /api/query: a turn the knowledge base refused on the admin's own input
 * ("delete README.md", an upload message whose references are unknown) is
 * the caller's mistake, answered with the knowledge base's own 4xx code as
 * POST /api/kb/delete would answer it, not as a 502 failed turn. An error
 * with no such code stays 502 TURN_FAILED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AgentScript } from '../support/http-fakes.ts';
import { ADMIN, makeTestApp, parseSse, type TestApp } from '../support/http-helpers.ts';

function failing(message: string, code?: string): AgentScript {
  return async function* (turn) {
    yield { type: 'session', sessionId: turn.session.id, isNew: turn.session.isNew };
    yield { type: 'error', message, ...(code ? { code } : {}) };
  };
}

const ask = (t: TestApp, message: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/query',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    payload: JSON.stringify({ message }),
  });

describe('POST /api/query answers a refused admin request with its 4xx code', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  const refusals: Array<[string, string, number]> = [
    ['KB_PATH_INVALID', 'README.md is a system file and cannot be deleted', 400],
    ['KB_PATH_OUTSIDE_ROOT', 'Path leaves the knowledge base: ../../etc/passwd', 403],
    ['KB_NOT_FOUND', 'No such file: hr/gone.md', 404],
    ['UPLOAD_UNKNOWN', 'None of the uploaded files could be found; please upload them again.', 400],
  ];
  for (const [code, message, status] of refusals) {
    test(`an error event with ${code} → ${status} ${code}`, async () => {
      t.fakePools!.admin.script = failing(message, code);
      const res = await ask(t, 'delete something');
      assert.equal(res.statusCode, status, res.body);
      assert.deepEqual(res.json(), { error: { code, message }, detail: message });
    });
  }

  test('an error event without a code, or with one the API does not answer with, stays 502 TURN_FAILED', async () => {
    for (const code of [undefined, 'SOMETHING_ELSE', 'INTERNAL', 'KB_BUSY']) {
      t.fakePools!.admin.script = failing('the model provider went away', code);
      const res = await ask(t, 'hello');
      assert.equal(res.statusCode, 502, `${code}: ${res.body}`);
      assert.equal(res.json().error.code, 'TURN_FAILED');
    }
  });

  test('the stream route still ends with the error event (the stream had started)', async () => {
    t.fakePools!.admin.script = failing('README.md is a system file and cannot be deleted', 'KB_PATH_INVALID');
    const res = await t.app.inject({ url: '/api/query/stream?message=delete+README.md', headers: ADMIN });
    assert.equal(res.statusCode, 200);
    const last = parseSse(res.body).events.at(-1)!;
    assert.equal(last.type, 'error');
    assert.match(String(last.message), /system file/);
  });
});
