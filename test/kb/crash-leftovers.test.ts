/**
 * What a process killed mid-write (kill -9) leaves in the knowledge base, and
 * what the next open makes of it. Each test builds the state a kill at one
 * point leaves on disk, then reopens the folder as a restart would.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { openKnowledgeBase } from '../../src/kb/index.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const PRINTERS = '# Printers\n\nThe printers on floor 3 need a badge to release print jobs.\n';
const VISAS = '# Visa Guide\n\nBusiness visas are requested through the travel desk two weeks ahead.\n';

async function reopen(t: TempKb) {
  await t.kb.close();
  return openKnowledgeBase({ root: t.root, smallFileThresholdKb: 30, faqMaxEntries: 50, watch: false });
}

describe('reopening after a kill', () => {
  let t: TempKb;
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const kb of opened.splice(0)) await kb.close();
    await t.cleanup();
  });

  it('README.md lists a document moved into place before the kill, and no longer one removed before it', async () => {
    t = await tempKb({ files: { 'it/printers.md': PRINTERS, 'travel/old.md': '# Old travel rules\n\nGone soon.\n' } });
    const before = await readFile(path.join(t.root, 'README.md'), 'utf8');
    assert.match(before, /travel\/old\.md/);
    // Ingestion moved the document in and deletion removed one; the kill came before README.md was rewritten.
    await mkdir(path.join(t.root, 'travel'), { recursive: true });
    await writeFile(path.join(t.root, 'travel', 'visa-guide.md'), VISAS);
    await rm(path.join(t.root, 'travel', 'old.md'));
    const kb = await reopen(t);
    opened.push(kb);
    const readme = await readFile(path.join(t.root, 'README.md'), 'utf8');
    assert.match(readme, /travel\/visa-guide\.md/, 'the added document is listed');
    assert.doesNotMatch(readme, /travel\/old\.md/, 'the removed document is not');
    assert.match(readme, /it\/printers\.md/);
  });

  it('an unchanged README.md is not rewritten on open', async () => {
    t = await tempKb({ files: { 'it/printers.md': PRINTERS } });
    const file = path.join(t.root, 'README.md');
    const content = await readFile(file, 'utf8');
    const { mtimeMs } = await stat(file);
    const kb = await reopen(t);
    opened.push(kb);
    assert.equal(await readFile(file, 'utf8'), content);
    assert.equal((await stat(file)).mtimeMs, mtimeMs);
  });

  it('a seeding of the sample cut short is finished on the next open, torn files included', async () => {
    t = await tempKb({ files: {} });
    const sample = path.join(await mkdtemp(path.join(os.tmpdir(), 'docent-sample-')), 'kb');
    try {
      await mkdir(path.join(sample, 'it'), { recursive: true });
      await mkdir(path.join(sample, 'travel'), { recursive: true });
      await writeFile(path.join(sample, 'it/printers.md'), PRINTERS);
      await writeFile(path.join(sample, 'travel/visas.md'), VISAS);
      // What a kill during the copy leaves: the marker, one file torn, the other not there yet.
      const root = path.join(t.root, 'seeded');
      await mkdir(path.join(root, 'it'), { recursive: true });
      await writeFile(path.join(root, '.docent-seeding'), '');
      await writeFile(path.join(root, 'it/printers.md'), PRINTERS.slice(0, 20));
      const open = () =>
        openKnowledgeBase({ root, smallFileThresholdKb: 30, faqMaxEntries: 50, watch: false, seedFrom: sample });
      const kb = await open();
      opened.push(kb);
      assert.equal(await readFile(path.join(root, 'it/printers.md'), 'utf8'), PRINTERS);
      assert.equal(await readFile(path.join(root, 'travel/visas.md'), 'utf8'), VISAS);
      await assert.rejects(stat(path.join(root, '.docent-seeding')), { code: 'ENOENT' });
      assert.equal((await kb.search('business visas travel desk'))[0]?.path, 'travel/visas.md');
      // Once finished, an administrator's edit is not overwritten by a later open.
      await writeFile(path.join(root, 'it/printers.md'), '# Printers\n\nBadges are no longer needed.\n');
      await kb.close();
      opened.splice(0);
      opened.push(await open());
      assert.match(await readFile(path.join(root, 'it/printers.md'), 'utf8'), /no longer needed/);
    } finally {
      await rm(path.dirname(sample), { recursive: true, force: true });
    }
  });

  it('files staged by an ingestion killed mid-way are cleared by the next ingestion', async () => {
    t = await tempKb({ files: { 'it/printers.md': PRINTERS } });
    const leftover = path.join(t.root, '.docent-staging', 'killed-ingest', 'doc.md');
    await mkdir(path.dirname(leftover), { recursive: true });
    await writeFile(leftover, VISAS);
    const source = path.join(path.dirname(t.root), `visas-${process.pid}.md`);
    await writeFile(source, VISAS);
    try {
      const [result] = await t.kb.ingest([{ name: 'visas.md', sourcePath: source }]);
      assert.equal(result?.status, 'added');
      await assert.rejects(stat(path.dirname(leftover)), { code: 'ENOENT' });
    } finally {
      await rm(source, { force: true });
    }
  });
});
