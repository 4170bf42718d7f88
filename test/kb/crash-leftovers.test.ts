/**
 * What a process killed mid-write (kill -9) leaves in the knowledge base, and
 * what the next open makes of it. Each test builds the state a kill at one
 * point leaves on disk, then reopens the folder as a restart would.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
});
