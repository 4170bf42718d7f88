/**
 * `/channels/<name>` for a name Docent has no adapter for, and for one it
 * knows but the settings do not enable: both are 404 in the one error shape,
 * before any body is looked at.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeTestApp, type TestApp } from '../support/http-helpers.ts';

describe('/channels/<name> for a channel that is not served', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  for (const method of ['GET', 'POST'] as const) {
    for (const name of ['teams', 'WeCom', 'x'.repeat(300)]) {
      test(`${method} an unknown channel (${name.slice(0, 12)}) is 404 NOT_FOUND`, async () => {
        const res = await t.app.inject({
          method,
          url: `/channels/${name}`,
          ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, payload: '{}' } : {}),
        });
        assert.equal(res.statusCode, 404, res.body);
        const body = res.json() as { error: { code: string; message: string }; detail: string };
        assert.equal(body.error.code, 'NOT_FOUND');
        assert.equal(body.detail, body.error.message);
        assert.ok(!body.error.message.includes('x'.repeat(100)), 'the name is not echoed at length');
      });
    }

    test(`${method} a known channel the settings do not enable is 404 NOT_FOUND, as before`, async () => {
      const res = await t.app.inject({ method, url: '/channels/slack' });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
    });
  }
});
