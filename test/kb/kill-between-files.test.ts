/**
 * kill -9 between the files of one ingestion or delete (a CSV and its Markdown): a child process stops
 * right after the first file is moved in or removed and is killed there; reopening the knowledge base
 * must leave the pair whole or gone, and README.md and the index in line with what is on disk.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { type FolderKnowledgeBase, openKnowledgeBase } from '../../src/kb/index.ts';
import { walkFiles } from '../../src/kb/kb-files.ts';
import { exists } from '../../src/kb/paths.ts';
import { parseDescriptions } from '../../src/kb/readme-index.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const CHILD = path.resolve(import.meta.dirname, '../fixtures/kill-between-files.ts');
const CSV = 'region,quarterly_rate\nnorthwind,12\nsouthgate,15\n';
const PAIR = ['finance/rates.csv', 'finance/rates.csv.md'];

/** Runs the child until it reports it is between two files, then kills it with SIGKILL. */
function killBetweenFiles(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('paused\n')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the child ended without stopping between files: ${out}${err}`));
    });
  });
}

/** Every path the READMEs list. */
async function listed(root: string): Promise<Set<string>> {
  const paths = new Set<string>();
  for (const f of await walkFiles(root)) {
    if (path.posix.basename(f.path) !== 'README.md') continue;
    const base = path.posix.dirname(f.path);
    const content = await readFile(path.join(root, f.path), 'utf8');
    for (const rel of parseDescriptions(content, base === '.' ? '' : base).keys()) paths.add(rel);
  }
  return paths;
}

async function assertWholeOrGone(kb: FolderKnowledgeBase, root: string): Promise<boolean> {
  const [data, doc] = await Promise.all(PAIR.map((rel) => exists(path.join(root, rel))));
  assert.equal(data, doc, `rates.csv is ${data ? 'there' : 'gone'} but rates.csv.md is ${doc ? 'there' : 'gone'}`);
  const readme = await listed(root);
  for (const rel of PAIR) assert.equal(readme.has(rel), doc, `README.md ${doc ? 'misses' : 'lists'} ${rel}`);
  assert.equal(kb.index.paths().includes(PAIR[1]!), doc, 'the index agrees with the disk');
  assert.equal((await kb.search('northwind southgate quarterly rate')).length > 0, doc);
  return doc;
}

describe('kill -9 between the two files of one operation', () => {
  let t: TempKb;
  let reopened: FolderKnowledgeBase | undefined;
  afterEach(async () => {
    await reopened?.close();
    reopened = undefined;
    await t.cleanup();
  });

  /** A knowledge base holding the CSV and its Markdown, closed for a child process to change it. */
  const withIngestedPair = async () => {
    const kb = await tempKb({ files: { 'it/printers.md': '# Printers\n\nThe printers on floor 3 need a badge.\n' } });
    const upload = path.join(kb.scratch, 'rates.csv');
    await writeFile(upload, CSV);
    const [result] = await kb.kb.ingest([{ name: 'rates.csv', sourcePath: upload }], { folder: 'finance' });
    assert.equal(result?.path, PAIR[1]);
    await kb.kb.close();
    return kb;
  };

  const reopen = async () => {
    reopened = await openKnowledgeBase({ root: t.root, smallFileThresholdKb: 30, faqMaxEntries: 50, watch: false });
    return reopened;
  };

  it('an ingestion killed after moving in the Markdown and before the CSV is rolled back on reopen', async () => {
    t = await tempKb({ files: { 'it/printers.md': '# Printers\n\nThe printers on floor 3 need a badge.\n' } });
    await t.kb.close();
    const upload = path.join(t.scratch, 'rates.csv');
    await writeFile(upload, CSV);
    await killBetweenFiles([t.root, 'ingest', upload, 'finance']);
    const kb = await reopen();
    assert.equal(await assertWholeOrGone(kb, t.root), false, 'an ingestion that never finished leaves nothing');
    // The same upload goes in whole afterwards.
    const [result] = await kb.ingest([{ name: 'rates.csv', sourcePath: upload }], { folder: 'finance' });
    assert.equal(result?.path, PAIR[1]);
    assert.equal(await assertWholeOrGone(kb, t.root), true);
  });

  it('a process that keeps running finishes what another one killed left, at its next ingestion', async () => {
    t = await tempKb({ files: { 'it/printers.md': '# Printers\n\nThe printers on floor 3 need a badge.\n' } });
    const upload = path.join(t.scratch, 'rates.csv');
    await writeFile(upload, CSV);
    await killBetweenFiles([t.root, 'ingest', upload, 'finance']);
    const visas = path.join(t.scratch, 'visas.md');
    await writeFile(visas, '# Visa Guide\n\nBusiness visas are requested through the travel desk.\n');
    const [result] = await t.kb.ingest([{ name: 'visas.md', sourcePath: visas }], { folder: 'travel' });
    assert.equal(result?.status, 'added');
    assert.equal(await assertWholeOrGone(t.kb, t.root), false);
    assert.ok((await listed(t.root)).has('travel/visas.md'));
  });

  it('a delete killed after removing the CSV and before its Markdown is finished on reopen', async () => {
    t = await withIngestedPair();
    await killBetweenFiles([t.root, 'delete', PAIR[0]!]);
    const kb = await reopen();
    assert.equal(await assertWholeOrGone(kb, t.root), false, 'a confirmed delete is carried out whole');
  });

  it('a move killed after moving the Markdown and before its CSV is carried through on reopen, its emptied folder gone', async () => {
    t = await withIngestedPair();
    await killBetweenFiles([t.root, 'move', PAIR[1]!, 'archive']);
    const kb = await reopen();
    for (const rel of PAIR) assert.equal(await exists(path.join(t.root, rel)), false, `${rel} left behind`);
    const moved = PAIR.map((rel) => rel.replace('finance/', 'archive/'));
    for (const rel of moved) assert.ok(await exists(path.join(t.root, rel)), `${rel} missing`);
    assert.ok((await listed(t.root)).has(moved[1]!), 'README.md lists the moved document');
    assert.ok(kb.index.paths().includes(moved[1]!), 'the index has it at its new place');
    assert.equal(await exists(path.join(t.root, 'finance')), false, 'the folder it emptied is gone');
  });
});
