/**
 * What @fastify/static refuses under /assets/ (a dotfile, a non-canonical
 * path, a directory) answers 403 FORBIDDEN in the one error shape, on a real
 * socket (an HTTP client or inject would normalize the paths first), and
 * nothing outside the web root is ever served.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ERROR_STATUS } from '../../src/http/errors.ts';
import { listenLoopback, makeTestApp, type TestApp } from '../support/http-helpers.ts';
import { parseRawResponse, rawExchange } from '../support/raw-http.ts';

const FORBIDDEN_PATHS = [
  '/assets/.env',
  '/assets/sub/.secret',
  '/assets//app.js',
  '/assets/sub//app.js',
  '/assets/sub/../app.js',
  '/assets/sub/',
];

describe('static files refused by @fastify/static', () => {
  let t: TestApp;
  let webDir: string;
  let base: string;
  before(async () => {
    webDir = await mkdtemp(path.join(os.tmpdir(), 'docent-web-'));
    await mkdir(path.join(webDir, 'assets', 'sub'), { recursive: true });
    await writeFile(path.join(webDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(webDir, 'assets', '.env'), 'SECRET=1');
    await writeFile(path.join(webDir, 'assets', 'sub', '.secret'), 'SECRET=2');
    await writeFile(path.join(webDir, 'outside.txt'), 'SECRET=3');
    t = await makeTestApp({ webDir });
    base = await listenLoopback(t.app);
  });
  after(async () => {
    await t.close();
    await rm(webDir, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const { raw } = await rawExchange(base, [`GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    return parseRawResponse(raw);
  };

  for (const url of FORBIDDEN_PATHS) {
    test(`${url} → 403 FORBIDDEN in the error shape`, async () => {
      const res = await get(url);
      assert.equal(res.status, 403, res.raw.slice(0, 300));
      const body = JSON.parse(res.body);
      assert.deepEqual(Object.keys(body), ['error', 'detail']);
      assert.equal(body.error.code, 'FORBIDDEN');
      assert.equal(ERROR_STATUS.FORBIDDEN, 403);
      assert.equal(body.detail, body.error.message);
      assert.ok(!res.body.includes('SECRET'));
      assert.ok(!res.body.includes(webDir), 'no absolute path');
    });
  }

  test('paths that climb out of /assets/ never serve what is outside it', async () => {
    for (const url of [
      '/assets/../outside.txt',
      '/assets/%2e%2e/outside.txt',
      '/assets/sub/%2e%2e/%2e%2e/outside.txt',
    ]) {
      const res = await get(url);
      assert.ok(res.status >= 400 && res.status < 500, `${url}: ${res.status}`);
      assert.ok(!res.body.includes('SECRET'), url);
      const body = JSON.parse(res.body);
      assert.equal(ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS], res.status, `${url}: ${res.body}`);
    }
  });

  test('a file in the web root is still served', async () => {
    const res = await get('/assets/app.js');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'console.log(1)');
  });
});
