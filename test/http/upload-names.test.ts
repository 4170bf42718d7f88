/**
 * File names as a hostile client writes them in a multipart upload: whatever
 * the name, the upload is stored under its opaque reference, and the display
 * name kept for ingestion is clean, bounded and keeps the file's type.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { ADMIN, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import { multipart } from '../support/http-multipart.ts';

describe('POST /api/upload: hostile file names', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({ env: { MAX_UPLOAD_SIZE: '4096', MAX_UPLOAD_FILES: '20' } });
  });
  after(() => t.close());

  const cases: Array<[string, string, (name: string) => void]> = [
    ['300 characters', `${'x'.repeat(296)}.docx`, (n) => assert.match(n, /^x{195}\.docx$/)],
    ['250 emoji (surrogate pairs)', `${'😀'.repeat(250)}.pdf`, (n) => assert.match(n, /^(😀){196}\.pdf$/u)],
    ['an RTL override hiding the real extension', 'invoice\u202Excod.exe', (n) => assert.equal(n, 'invoicexcod.exe')],
    ['control characters', 'a\u0001b\u007f\u0085c.md', (n) => assert.equal(n, 'abc.md')],
    ['only dots', '....', (n) => assert.equal(n, 'upload')],
    ['a Windows path', 'C:\\Users\\me\\..\\report.md', (n) => assert.equal(n, 'report.md')],
  ];

  test('each name becomes a clean display name of at most 200 characters that keeps its extension', async () => {
    const body = multipart([
      ...cases.map(([, filename]) => ({ field: 'files', filename, content: 'hello' })),
      // A plain field after the files is ignored, not an error.
      { field: 'note', content: 'after the files' },
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/upload',
      headers: { ...ADMIN, ...body.headers },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 200, res.body);
    const files = res.json().files as Array<{ original_name: string; temp_path: string }>;
    assert.equal(files.length, cases.length);
    files.forEach((file, i) => {
      const [what, , check] = cases[i]!;
      assert.doesNotMatch(file.original_name, /\p{Cs}|\p{Cc}|\p{Cf}/u, what);
      assert.ok([...file.original_name].length <= 200, `${what}: ${[...file.original_name].length} characters`);
      check(file.original_name);
    });
    const stored = await readdir(t.uploads.dir);
    assert.ok(
      stored.every((entry) => /^upl_[0-9a-f]{32}\.(bin|json)$/.test(entry)),
      'only opaque names on disk',
    );
    for (const file of files) await t.uploads.remove(file.temp_path);
  });
});
