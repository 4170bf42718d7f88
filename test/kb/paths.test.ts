import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normaliseRelative, resolveInside } from '../../src/kb/paths.ts';
import { KbError } from '../../src/kb/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

function isKbError(code: string) {
  return (error: unknown) => error instanceof KbError && error.code === code;
}

describe('path confinement', () => {
  let t: TempKb;
  before(async () => {
    t = await tempKb({ files: { 'docs/a.md': '# A\n\nhello' } });
    await writeFile(path.join(t.scratch, 'secret.md'), '# secret\n');
    await symlink(path.join(t.scratch, 'secret.md'), path.join(t.root, 'docs', 'link-out.md'));
    await symlink(t.scratch, path.join(t.root, 'escape'));
    await mkdir(path.join(t.root, 'inner'), { recursive: true });
    await symlink(path.join(t.root, 'docs', 'a.md'), path.join(t.root, 'inner', 'link-in.md'));
  });
  after(() => t.cleanup());

  it('normaliseRelative() keeps a plain relative path and drops "." segments', () => {
    assert.equal(normaliseRelative('./docs//a.md'), 'docs/a.md');
    assert.equal(normaliseRelative('docs\\a.md'), 'docs/a.md');
  });

  it('read() refuses ".." that leaves the root', async () => {
    await assert.rejects(t.kb.read('../scratch/secret.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.read('docs/../../x.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
  });

  it('read() refuses absolute paths', async () => {
    await assert.rejects(t.kb.read(path.join(t.scratch, 'secret.md')), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.read('/etc/passwd'), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.read('C:\\Windows\\win.ini'), isKbError('KB_PATH_OUTSIDE_ROOT'));
  });

  it('read() refuses NUL bytes', async () => {
    await assert.rejects(t.kb.read('docs/a.md\0.png'), isKbError('KB_PATH_INVALID'));
  });

  it('read() refuses a symlink that leads out, file or folder', async () => {
    await assert.rejects(t.kb.read('docs/link-out.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.read('escape/secret.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
  });

  it('resolveInside() refuses a path below a symlinked folder even when the target does not exist', async () => {
    await assert.rejects(resolveInside(t.root, 'escape/new-file.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
  });

  it('read() follows a symlink that stays inside the root', async () => {
    const slice = await t.kb.read('inner/link-in.md');
    assert.match(slice.content, /hello/);
  });

  it('read() returns a line range and reports missing files and folders', async () => {
    const slice = await t.kb.read('docs/a.md', { startLine: 3, endLine: 3 });
    assert.deepEqual([slice.content, slice.startLine, slice.endLine, slice.totalLines], ['hello', 3, 3, 3]);
    await assert.rejects(t.kb.read('docs/missing.md'), isKbError('KB_NOT_FOUND'));
    await assert.rejects(t.kb.read('docs'), isKbError('KB_NOT_A_FILE'));
  });

  it('planDelete() refuses paths outside the root and the system files', async () => {
    await assert.rejects(t.kb.planDelete('../scratch/secret.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.planDelete('docs/link-out.md'), isKbError('KB_PATH_OUTSIDE_ROOT'));
    await assert.rejects(t.kb.planDelete('README.md'), isKbError('KB_PATH_INVALID'));
  });
});
