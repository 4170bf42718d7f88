// Writes into the knowledge base never land outside it, even through a
// symlinked folder or file (src/kb/safe-write.ts).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { appendInside, prepareWrite, writeInside } from '../../src/kb/safe-write.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const TRAVEL = `# Travel Policy

## Hotel limits

The hotel limit in London is 220 pounds per night for all employees.
`;

describe('writes are confined to the knowledge base', () => {
  let t: TempKb;
  let outside: string;
  beforeEach(async () => {
    t = await tempKb({ files: { 'travel/travel_policy.md': TRAVEL } });
    outside = await mkdtemp(path.join(os.tmpdir(), 'docent-outside-'));
  });
  afterEach(async () => {
    await t.cleanup();
    await rm(outside, { recursive: true, force: true });
  });

  it('ingest into a folder that has become a link to outside is refused, and nothing is written there', async () => {
    // The index knows travel/ as a folder; then it is swapped for a link that leads out.
    await rename(path.join(t.root, 'travel'), path.join(outside, 'travel'));
    await symlink(path.join(outside, 'travel'), path.join(t.root, 'travel'));
    const before = await readdir(path.join(outside, 'travel'));
    const source = path.join(t.scratch, 'hotels.md');
    await writeFile(
      source,
      '# Hotel limits abroad\n\nThe hotel limit in Paris is 240 euros per night for all employees.\n',
    );
    const [result] = await t.kb.ingest([{ name: 'hotels.md', sourcePath: source }]);
    assert.deepEqual(await readdir(path.join(outside, 'travel')), before, 'nothing written outside');
    if (result!.status === 'added') {
      // Placed elsewhere: then it must be a real folder inside.
      assert.ok(!result!.path!.startsWith('travel/'), result!.path);
    } else {
      assert.equal(result!.status, 'failed');
      assert.match(result!.reason ?? '', /leads outside/);
    }
  });

  it('prepareWrite refuses a path whose folder is a link to outside, and creates no folder there', async () => {
    await symlink(outside, path.join(t.root, 'linked'));
    await assert.rejects(prepareWrite(t.root, 'linked/deeper/new.md'), /leads outside/);
    assert.deepEqual(await readdir(outside), []);
    await assert.rejects(writeInside(t.root, 'linked/new.md', 'x'), /leads outside/);
    assert.deepEqual(await readdir(outside), []);
  });

  it('a link at the target that leads outside is refused for whole writes and appends; the far file is untouched', async () => {
    const victim = path.join(outside, 'victim.txt');
    await writeFile(victim, 'original\n');
    await symlink(victim, path.join(t.root, 'FAQ.md'));
    await rm(path.join(t.root, 'BADCASE.md'), { force: true });
    await symlink(victim, path.join(t.root, 'BADCASE.md'));
    await assert.rejects(writeInside(t.root, 'FAQ.md', '# FAQ\n'), /leads outside/);
    await assert.rejects(appendInside(t.root, 'BADCASE.md', 'more\n'), /leads outside/);
    await assert.rejects(t.kb.logBadCase({ question: 'q', answer: 'a', feedback: 'f', source: 's' }), /leads outside/);
    assert.equal(await readFile(victim, 'utf8'), 'original\n');
  });

  it('appendInside does not follow a link even when it stays inside', async () => {
    await writeFile(path.join(t.root, 'target.md'), 'kept\n');
    await symlink(path.join(t.root, 'target.md'), path.join(t.root, 'alias.md'));
    await assert.rejects(appendInside(t.root, 'alias.md', 'more\n'), /symbolic link/);
    assert.equal(await readFile(path.join(t.root, 'target.md'), 'utf8'), 'kept\n');
  });

  it('a real folder inside is written as usual', async () => {
    await mkdir(path.join(t.root, 'real'), { recursive: true });
    await writeInside(t.root, 'real/a.md', 'hello');
    await appendInside(t.root, 'real/a.md', ' world');
    assert.equal(await readFile(path.join(t.root, 'real/a.md'), 'utf8'), 'hello world');
  });
});
