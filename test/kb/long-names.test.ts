/**
 * A document's name as a client sends it becomes a file name in the
 * knowledge base: however long, in whatever script, the file Docent answers
 * with is the file on disk, and an ingestion that says "added" has all its
 * files (the document and its overview) within the file system's 255 bytes.
 */
import assert from 'node:assert/strict';
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

describe('long and unusual document names', () => {
  let t: TempKb;
  let n = 0;
  const upload = async (name: string) => {
    const p = path.join(t.scratch, `src-${++n}`);
    await writeFile(p, `# Document ${n}\n\nA paragraph about the quarterly zebra${n} inventory of warehouse ${n}.\n`);
    return { name, sourcePath: p };
  };
  beforeEach(async () => {
    t = await tempKb({ thresholdKb: 0, files: { 'ops/intro.md': '# Intro\n\nOperations overview.\n' } });
  });
  afterEach(() => t.cleanup());

  for (const [what, name] of [
    ['120 Chinese characters', `${'问'.repeat(120)}.md`],
    ['50 characters outside the BMP (two UTF-16 units each)', `a${'𠀀'.repeat(50)}.md`],
    ['250 ASCII characters', `${'x'.repeat(250)}.md`],
    ['a data file with 100 Chinese characters', `${'表'.repeat(100)}.csv`],
  ] as const) {
    it(`${what}: added under a well-formed name that is the file on disk, overview included`, async () => {
      const [result] = await t.kb.ingest([await upload(name)], { folder: 'ops' });
      assert.equal(result?.status, 'added', JSON.stringify(result));
      const rel = (result as { path: string }).path;
      assert.doesNotMatch(rel, /\p{Cs}/u, 'no lone surrogate');
      await access(path.join(t.root, rel));
      for (const segment of rel.split('/')) assert.ok(Buffer.byteLength(segment) <= 255);
      const overviews = await readdir(path.join(t.root, 'contents_overview'));
      const stem = path.basename(rel).replace(/(\.csv)?\.md$/, '');
      assert.ok(
        overviews.some((o) => o.startsWith(stem)),
        `an overview for ${stem} in ${overviews.join(', ')}`,
      );
    });
  }

  it('an overview that cannot be written leaves the document added and says so, not "failed" with the document in', async () => {
    // A folder where the overview file would go: its write fails after the document was moved in.
    await mkdir(path.join(t.root, 'contents_overview', 'report_overview.md'), { recursive: true });
    const [result] = await t.kb.ingest([await upload('report.md')], { folder: 'ops' });
    await access(path.join(t.root, 'ops', 'report.md'));
    assert.equal(result?.status, 'added', JSON.stringify(result));
    assert.equal((result as { path: string }).path, 'ops/report.md');
    assert.match(String(result?.reason), /overview/);
  });
});
