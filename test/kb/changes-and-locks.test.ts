import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FolderKnowledgeBase } from '../../src/kb/knowledge-base.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';

const LIMITS = {
  smallFileThresholdBytes: 30 * 1024,
  faqMaxEntries: 50,
  maxSourceBytes: 1024 * 1024,
  maxConvertedBytes: 1024 * 1024,
  maxReadBytes: 1024 * 1024,
};

describe('outside changes and serialised writes', () => {
  it('search() picks up files added, changed and removed on disk by someone else (check on use)', async () => {
    const t = await tempKb({ files: { 'a.md': '# Alpha\n\nThe zebra crossing is painted white.' } });
    const kb = new FolderKnowledgeBase({ root: t.root, limits: LIMITS, watch: false, rescanIntervalMs: 0 });
    try {
      await kb.load();
      assert.equal((await kb.search('zebra'))[0]?.path, 'a.md');
      await writeFile(path.join(t.root, 'b.md'), '# Beta\n\nThe giraffe eats leaves.');
      assert.equal((await kb.search('giraffe'))[0]?.path, 'b.md');
      await writeFile(
        path.join(t.root, 'a.md'),
        '# Alpha\n\nThe crossing is painted yellow now, no zebra stripes at all.',
      );
      const hits = await kb.search('yellow');
      assert.equal(hits[0]?.path, 'a.md');
      await rm(path.join(t.root, 'b.md'));
      assert.deepEqual(await kb.search('giraffe'), []);
    } finally {
      await kb.close();
      await t.cleanup();
    }
  });

  it('read() returns what is on disk now, not the indexed copy, once a file changed (no watcher)', async () => {
    const t = await tempKb({ files: { 'a.md': '# Alpha\n\nOld line.' } });
    const kb = new FolderKnowledgeBase({ root: t.root, limits: LIMITS, watch: false, rescanIntervalMs: 60_000 });
    try {
      await kb.load();
      assert.equal((await kb.read('a.md', { startLine: 3, endLine: 3 })).content, 'Old line.');
      await writeFile(path.join(t.root, 'a.md'), '# Alpha\n\nA new and longer line.\nAnd one more.');
      const slice = await kb.read('a.md');
      assert.equal(slice.totalLines, 4);
      assert.equal(slice.content.split('\n')[2], 'A new and longer line.');
    } finally {
      await kb.close();
      await t.cleanup();
    }
  });

  it('logBadCase() keeps every entry when many are written at once in one process', async () => {
    const t = await tempKb();
    try {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          t.kb.logBadCase({ question: `q${i}`, answer: 'a', feedback: 'f', source: 's' }),
        ),
      );
      const questions = (await t.kb.badCases()).map((c) => c.question).sort();
      assert.equal(questions.length, 25);
      assert.deepEqual(new Set(questions).size, 25);
    } finally {
      await t.cleanup();
    }
  });

  it('logBadCase() keeps every entry when two processes write at once (proper-lockfile)', async () => {
    const t = await tempKb();
    try {
      const script = path.resolve(import.meta.dirname, '../fixtures/write-badcases.ts');
      const run = (tag: string) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, t.root, tag, '15'], { stdio: 'inherit' });
          child.on('error', reject);
          child.on('exit', (code) => resolve(code ?? 1));
        });
      assert.deepEqual(await Promise.all([run('x'), run('y')]), [0, 0]);
      const questions = (await t.kb.badCases()).map((c) => c.question);
      assert.equal(questions.length, 30);
      assert.equal(new Set(questions).size, 30);
    } finally {
      await t.cleanup();
    }
  });
});

describe('folder watcher', () => {
  it('search() picks up a file written by someone else once the watcher reports it', async () => {
    const t = await tempKb({ files: { 'docs/a.md': '# Alpha\n\nThe zebra crossing is painted white.' } });
    let reported: (rel: string) => void = () => {};
    const seen = new Promise<string>((resolve) => {
      reported = resolve;
    });
    const kb = new FolderKnowledgeBase({
      root: t.root,
      limits: LIMITS,
      watch: true,
      rescanIntervalMs: 24 * 3600_000,
      onDirty: (rel) => {
        if (rel === 'docs/b.md') reported(rel);
      },
    });
    try {
      await kb.load();
      await writeFile(path.join(t.root, 'docs', 'b.md'), '# Beta\n\nThe okapi lives in the forest.');
      assert.equal(await seen, 'docs/b.md');
      assert.equal((await kb.search('okapi'))[0]?.path, 'docs/b.md');
    } finally {
      await kb.close();
      await t.cleanup();
    }
  });

  it('read() and faq() serve what the watcher left unchanged from memory, and what someone else edited once it reports it', async () => {
    const t = await tempKb({
      files: {
        'docs/a.md': '# Alpha\n\nThe zebra crossing is painted white.',
        'FAQ.md':
          '# FAQ\n\n| Question | Answer | Usage |\n|---|---|---|\n| Where is the zebra? | At the crossing. | 0 |\n',
      },
    });
    const waits = new Map<string, () => void>();
    const reportedFor = (rel: string) => new Promise<void>((resolve) => waits.set(rel, resolve));
    const kb = new FolderKnowledgeBase({
      root: t.root,
      limits: LIMITS,
      watch: true,
      rescanIntervalMs: 24 * 3600_000,
      onDirty: (rel) => waits.get(rel)?.(),
    });
    try {
      await kb.load();
      assert.match((await kb.read('docs/a.md')).content, /white/);
      assert.equal((await kb.faq())[0]?.question, 'Where is the zebra?');
      const docReported = reportedFor('docs/a.md');
      await writeFile(path.join(t.root, 'docs', 'a.md'), '# Alpha\n\nThe crossing is painted yellow now.');
      await docReported;
      assert.match((await kb.read('./docs/a.md')).content, /yellow/);
      const faqReported = reportedFor('FAQ.md');
      await writeFile(
        path.join(t.root, 'FAQ.md'),
        '# FAQ\n\n| Question | Answer | Usage |\n|---|---|---|\n| Who paints it? | The city. | 0 |\n',
      );
      await faqReported;
      assert.deepEqual(
        (await kb.faq()).map((row) => row.question),
        ['Who paints it?'],
      );
      const goneReported = reportedFor('docs/a.md');
      await rm(path.join(t.root, 'docs', 'a.md'));
      await goneReported;
      await assert.rejects(kb.read('docs/a.md'), { code: 'KB_NOT_FOUND' });
      await assert.rejects(kb.read('../outside.md'), { code: 'KB_PATH_OUTSIDE_ROOT' });
    } finally {
      await kb.close();
      await t.cleanup();
    }
  });

  it("markChanged() (another node's notice) re-reads paths inside the root; one that would leave it indexes nothing", async () => {
    const t = await tempKb({ files: { 'a.md': '# Alpha\n\nThe zebra crossing is painted white.' } });
    const outside = path.join(path.dirname(t.root), `outside-${path.basename(t.root)}.md`);
    await writeFile(outside, '# Outside\n\nThe quokka must never be indexed.');
    const kb = new FolderKnowledgeBase({ root: t.root, limits: LIMITS, watch: false, rescanIntervalMs: 24 * 3600_000 });
    try {
      await kb.load();
      await writeFile(path.join(t.root, 'b.md'), '# Beta\n\nThe okapi lives in the forest.');
      kb.markChanged([`../${path.basename(outside)}`, outside, 'b.md']);
      assert.equal((await kb.search('okapi'))[0]?.path, 'b.md');
      assert.deepEqual(await kb.search('quokka'), []);
    } finally {
      await kb.close();
      await rm(outside, { force: true });
      await t.cleanup();
    }
  });
});
