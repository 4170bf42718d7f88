import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UploadStore } from '../../src/http/uploads/store.ts';
import type { FakeKnowledgeBase } from '../support/http-fakes.ts';
import { ADMIN, listenLoopback, makeTestApp, parseSse, type TestApp } from '../support/http-helpers.ts';
import { fileParts, multipart } from '../support/http-multipart.ts';

async function uploadDirEntries(t: TestApp): Promise<string[]> {
  return readdir(t.uploads.dir);
}

/** Waits (bounded) until the upload folder is empty; the server cleans up after the client is gone. */
async function untilUploadsEmpty(t: TestApp): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const entries = await uploadDirEntries(t);
    if (entries.length === 0) return entries;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return uploadDirEntries(t);
}

describe('POST /api/upload', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({ env: { MAX_UPLOAD_SIZE: '1024', MAX_UPLOAD_FILES: '3' } });
  });
  after(() => t.close());

  test('stores the files under opaque references and answers the EFKA shape', async () => {
    const body = multipart([
      { field: 'files', filename: 'Leave policy.md', contentType: 'text/markdown', content: '# Leave\n' },
      { field: 'files', filename: 'b.txt', contentType: 'text/plain', content: 'hello' },
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/upload',
      headers: { ...ADMIN, ...body.headers },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 200);
    const json = res.json();
    assert.deepEqual(Object.keys(json), ['status', 'files', 'message', 'note']);
    assert.equal(json.status, 'success');
    assert.equal(json.message, 'Successfully received 2 file(s)');
    assert.deepEqual(Object.keys(json.files[0]), ['original_name', 'temp_path', 'size', 'content_type']);
    assert.equal(json.files[0].original_name, 'Leave policy.md');
    assert.equal(json.files[0].size, 8);
    assert.equal(json.files[0].content_type, 'text/markdown');
    assert.match(json.files[0].temp_path, /^upl_[0-9a-f]{32}$/);
    const resolved = await t.uploads.resolve(json.files[0].temp_path);
    assert.equal(resolved?.name, 'Leave policy.md');
    assert.equal(await readFile(resolved!.path, 'utf8'), '# Leave\n');
    assert.ok(resolved!.path.startsWith(t.uploads.dir));
    for (const f of json.files) await t.uploads.remove(f.temp_path);
  });

  test('a path-traversal file name is reduced to a display name and stored inside the upload folder', async () => {
    const body = multipart([{ field: 'files', filename: '../../../etc/passwd', content: 'x' }]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/upload',
      headers: { ...ADMIN, ...body.headers },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 200);
    const file = res.json().files[0];
    assert.equal(file.original_name, 'passwd');
    const resolved = await t.uploads.resolve(file.temp_path);
    assert.equal(path.dirname(resolved!.path), t.uploads.dir);
    await t.uploads.remove(file.temp_path);
  });

  test('a client disconnecting mid-upload leaves nothing behind', async () => {
    const base = await listenLoopback(t.app);
    const body = multipart(fileParts(1, 900));
    await new Promise<void>((resolve) => {
      const request = http.request(`${base}/api/upload`, {
        method: 'POST',
        headers: { ...ADMIN, ...body.headers, 'content-length': String(body.payload.length) },
      });
      request.on('error', () => resolve());
      request.write(body.payload.subarray(0, body.payload.length - 400), () => {
        setImmediate(() => {
          request.destroy();
          resolve();
        });
      });
    });
    assert.deepEqual(await untilUploadsEmpty(t), []);
  });

  test('POST /api/kb/ingest adds uploaded files and streams progress, result and done', async () => {
    const body = multipart([{ field: 'files', filename: 'new.md', content: '# New\n' }]);
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/upload',
      headers: { ...ADMIN, ...body.headers },
      payload: body.payload,
    });
    const ref = up.json().files[0].temp_path;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/kb/ingest',
      headers: ADMIN,
      payload: { files: [ref] },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream');
    const { events } = parseSse(res.body);
    assert.deepEqual(
      events.map((e) => e.type),
      ['progress', 'progress', 'result', 'done'],
    );
    assert.deepEqual(events[0], {
      type: 'progress',
      index: 1,
      total: 1,
      name: 'new.md',
      stage: 'converting',
      message: '',
    });
    assert.deepEqual((events[2]!.results as Array<{ status: string }>)[0]!.status, 'added');
    const calls = (t.kb as FakeKnowledgeBase).ingestCalls;
    assert.equal(calls.at(-1)![0]!.name, 'new.md');
    await t.uploads.remove(ref);
  });
});

describe('UploadStore', () => {
  test('resolve() refuses references it did not issue and expired ones; sweep() removes old uploads', async () => {
    const t = await makeTestApp();
    try {
      const clock = { now: Date.now() };
      const store = new UploadStore({ dir: t.uploads.dir, maxAgeMs: 1000, now: () => clock.now });
      const { Readable } = await import('node:stream');
      const saved = await store.save(Readable.from([Buffer.from('abc')]), {
        filename: 'a.md',
        mimetype: 'text/markdown',
      });
      assert.ok(await store.resolve(saved.reference));
      assert.equal(await store.resolve('/etc/passwd'), undefined);
      assert.equal(await store.resolve('upl_ffffffffffffffffffffffffffffffff'), undefined);
      assert.equal(await store.resolve('../upl_x'), undefined);
      clock.now += 2000;
      assert.equal(await store.resolve(saved.reference), undefined);
      assert.equal(await store.sweep(Date.now() + 2000), 1);
      assert.deepEqual(await readdir(t.uploads.dir), []);
    } finally {
      await t.close();
    }
  });
});

describe('POST /api/upload refuses what is not a well-formed multipart body', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  test('a JSON body is 415 before it is read or parsed', async () => {
    // A body that JSON.parse would choke on: had it been parsed, this would be a 400.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/upload',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: '{"files": [',
    });
    assert.equal(res.statusCode, 415, res.body);
    assert.equal(res.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a text body and a body with no content type are 415 too', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, {}]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/upload',
        headers: { ...ADMIN, ...headers },
        payload: 'x',
      });
      assert.equal(res.statusCode, 415, res.body);
    }
  });

  const malformed: Array<[string, Record<string, string>, string]> = [
    ['no boundary', { 'content-type': 'multipart/form-data' }, '--x\r\n\r\n'],
    [
      'a body that ends in the middle of a part',
      { 'content-type': 'multipart/form-data; boundary=XYZ' },
      '--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n\r\nhalf a fi',
    ],
    [
      'a part without Content-Disposition',
      { 'content-type': 'multipart/form-data; boundary=XYZ' },
      '--XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XYZ--\r\n',
    ],
    ['garbage instead of parts', { 'content-type': 'multipart/form-data; boundary=XYZ' }, '\u0000\u0001garbage'],
  ];
  for (const [name, headers, payload] of malformed) {
    test(`malformed multipart (${name}) is a 400, and nothing is kept`, async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/upload',
        headers: { ...ADMIN, ...headers },
        payload,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.code, /^(UPLOAD_MALFORMED|BAD_REQUEST)$/);
      assert.deepEqual(await untilUploadsEmpty(t), []);
    });
  }
});
