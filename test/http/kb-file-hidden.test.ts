/**
 * GET /api/kb/file is open to every caller, so it serves only what the
 * knowledge base holds: hidden entries (`.git`, `.env`, dot-folders) and
 * node_modules are never part of it (src/kb/kb-files.ts, isHiddenName), even
 * when they sit under the root, and answer 404 like a file that does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';
import { makeTestApp, type TestApp } from '../support/http-helpers.ts';

const HIDDEN: Record<string, string> = {
  '.git/config': '[remote "origin"]\n\turl = https://user:ghp_SECRET@example.com/kb.git\n',
  '.env': 'TOKEN=SECRET\n',
  '.notes/private.md': '# Private\n\nSECRET\n',
  'hr/.draft.md': '# Draft\n\nSECRET\n',
  'node_modules/pkg/README.md': '# pkg\n\nSECRET\n',
};

describe('GET /api/kb/file does not serve hidden files under the root', () => {
  let kb: TempKb;
  let t: TestApp;
  before(async () => {
    kb = await tempKb({ files: { 'hr/leave.md': '# Leave\n\nAnnual leave is 20 days.\n', ...HIDDEN } });
    t = await makeTestApp({ kb: kb.kb });
  });
  after(async () => {
    await t.close();
    await kb.cleanup();
  });

  test('a document is served', async () => {
    const res = await t.app.inject({ url: '/api/kb/file?path=hr/leave.md' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.json().content, /20 days/);
  });

  for (const rel of [...Object.keys(HIDDEN), './.git/config', '.git//config/']) {
    test(`${rel} answers 404 KB_NOT_FOUND and none of its text`, async () => {
      const res = await t.app.inject({ url: `/api/kb/file?path=${encodeURIComponent(rel)}` });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'KB_NOT_FOUND');
      assert.ok(!res.body.includes('SECRET'), res.body);
    });
  }
});
