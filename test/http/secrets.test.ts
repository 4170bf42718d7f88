/** Secrets in the data directory survive a process killed while creating them. */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { loadOrCreateSecret } from '../../src/http/secrets.ts';
import { withTempDir } from '../support/temp-dir.ts';

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('docent-secrets-', fn);

/** Resolves to 'timeout' when `promise` has not settled within `ms` (a hang is the failure here). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('a new secret is created, kept, and read back on the next start', async () => {
  await withDir(async (dir) => {
    const first = await loadOrCreateSecret(dir, 'admin-token', 24);
    assert.equal(first.created, true);
    assert.ok(first.value.length >= 16);
    const second = await loadOrCreateSecret(dir, 'admin-token', 24);
    assert.deepEqual(second, { value: first.value, created: false });
    assert.deepEqual(await readdir(dir), ['admin-token'], 'no temporary file is left behind');
  });
});

for (const [what, content] of [
  ['empty', ''],
  ['torn', 'abc'],
] as const) {
  test(`a leftover ${what} secret file (a kill between creating and writing it) is replaced, not looped on`, async () => {
    await withDir(async (dir) => {
      await writeFile(path.join(dir, 'admin-token'), content);
      const result = await within(loadOrCreateSecret(dir, 'admin-token', 24), 2_000);
      assert.notEqual(result, 'timeout', 'start-up must not hang on the leftover file');
      if (result === 'timeout') return;
      assert.equal(result.created, true);
      assert.ok(result.value.length >= 16);
      assert.equal((await readFile(path.join(dir, 'admin-token'), 'utf8')).trim(), result.value);
      assert.deepEqual(await loadOrCreateSecret(dir, 'admin-token', 24), { value: result.value, created: false });
    });
  });
}

test('processes creating the same secret at once all end up with one value', async () => {
  await withDir(async (dir) => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecret(dir, 'cookie-secret')));
    const values = new Set(results.map((r) => r.value));
    assert.equal(values.size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal((await readFile(path.join(dir, 'cookie-secret'), 'utf8')).trim(), [...values][0]);
  });
});
