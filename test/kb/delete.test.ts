import assert from 'node:assert/strict';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KbError } from '../../src/kb/types.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('two-step delete', () => {
  it('planDelete() lists the file, its images folder and its overview, and deletes nothing', async () => {
    const big = `# Manual\n\n${'## Part\n\nText about the manual and its parts.\n\n'.repeat(50)}`;
    const t = await tempKb({ files: { 'docs/manual.md': big, 'docs/keep.md': '# Keep\n\nStays.' }, thresholdKb: 1 });
    try {
      await mkdir(path.join(t.root, 'docs', 'manual_images'));
      await writeFile(path.join(t.root, 'docs', 'manual_images', 'image1.png'), 'png');
      const plan = await t.kb.planDelete('docs/manual.md');
      assert.deepEqual(plan.paths, ['docs/manual.md', 'docs/manual_images', 'contents_overview/manual_overview.md']);
      assert.ok(await exists(path.join(t.root, 'docs', 'manual.md')));

      const { deleted } = await t.kb.confirmDelete(plan.token);
      assert.deepEqual(deleted, plan.paths);
      for (const p of plan.paths) assert.equal(await exists(path.join(t.root, p)), false);
      assert.ok(await exists(path.join(t.root, 'docs', 'keep.md')));
      assert.deepEqual(await t.kb.search('manual parts'), []);
      const readme = await readFile(path.join(t.root, 'README.md'), 'utf8');
      assert.doesNotMatch(readme, /manual\.md/);
      assert.match(readme, /keep\.md/);
    } finally {
      await t.cleanup();
    }
  });

  it('confirmDelete() refuses an unknown token and a token used twice', async () => {
    const t = await tempKb({ files: { 'a.md': '# A\n\ntext' } });
    try {
      const isInvalid = (e: unknown) => e instanceof KbError && e.code === 'KB_DELETE_TOKEN_INVALID';
      await assert.rejects(t.kb.confirmDelete('nope'), isInvalid);
      const plan = await t.kb.planDelete('a.md');
      await t.kb.confirmDelete(plan.token);
      await assert.rejects(t.kb.confirmDelete(plan.token), isInvalid);
    } finally {
      await t.cleanup();
    }
  });

  it('planDelete() of a data file includes its generated description', async () => {
    const t = await tempKb({ files: { 'data/people.csv': 'a,b\n1,2\n', 'data/people.csv.md': '# people\n\nData.' } });
    try {
      const plan = await t.kb.planDelete('data/people.csv');
      assert.deepEqual(plan.paths, ['data/people.csv', 'data/people.csv.md']);
    } finally {
      await t.cleanup();
    }
  });
});
