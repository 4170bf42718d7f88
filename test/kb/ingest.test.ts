import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { IngestProgress } from '../../src/kb/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const TRAVEL = `# Travel Policy

## Hotel limits

The hotel limit in London is 220 pounds per night for all employees.

## Per diem

Employees travelling abroad receive a daily allowance of 60 pounds for meals.
`;

describe('ingest()', () => {
  let t: TempKb;
  const upload = async (name: string, data: string | Buffer) => {
    const p = path.join(t.scratch, `${Math.random().toString(36).slice(2)}-${name}`);
    await writeFile(p, data);
    return { name, sourcePath: p };
  };
  beforeEach(async () => {
    t = await tempKb({
      files: {
        'travel/travel_policy.md': TRAVEL,
        'it/printers.md': '# Printers\n\nThe printers on floor 3 need a badge to release print jobs.\n',
      },
    });
  });
  afterEach(() => t.cleanup());

  it('adds a file to the folder of the most similar documents, indexes it and lists it in the README', async () => {
    const progress: IngestProgress[] = [];
    const [result] = await t.kb.ingest(
      [
        await upload(
          'visa-guide.md',
          '# Visa Guide\n\n## Travel visas\n\nEmployees travelling abroad for business apply for visas through the travel desk; hotel and per diem rules follow the travel policy.\n',
        ),
      ],
      { onProgress: (p) => progress.push(p) },
    );
    assert.equal(result!.status, 'added', result!.reason);
    assert.equal(result!.path, 'travel/visa-guide.md');
    assert.deepEqual(
      progress.map((p) => p.stage),
      ['converting', 'checking', 'placing', 'indexing', 'added'],
    );
    assert.ok(progress.every((p) => p.index === 1 && p.total === 1));
    const hits = await t.kb.search('visa travel desk');
    assert.equal(hits[0]?.path, 'travel/visa-guide.md');
    const readme = await readFile(path.join(t.root, 'README.md'), 'utf8');
    assert.match(readme, /\[visa-guide\.md\]\(travel\/visa-guide\.md\) \(\d+(\.\d)? (B|KB)\) — Visa Guide/);
  });

  it('ingest() calls running at once never overwrite each other', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, async (_, i) =>
        t.kb.ingest(
          [await upload('notes.md', `# Notes\n\nMeeting number ${i} discussed the roof ${'garden '.repeat(i)}.\n`)],
          {
            force: true,
          },
        ),
      ),
    );
    const paths = results.map(([r]) => r!.path);
    assert.equal(new Set(paths).size, 4);
    for (const [i, [r]] of results.entries()) {
      assert.match(await readFile(path.join(t.root, r!.path!), 'utf8'), new RegExp(`Meeting number ${i}`));
    }
  });

  it('puts a document on a new subject in a new folder named from its content', async () => {
    const [result] = await t.kb.ingest([
      await upload(
        'garden.md',
        '# Garden Care\n\n## Watering plants\n\nWater the roof garden plants every morning.\n\n## Pruning plants\n\nPrune the plants in spring.\n',
      ),
    ]);
    assert.equal(result!.status, 'added');
    assert.equal(path.posix.dirname(result!.path!), 'plants');
  });

  it('reports a near-duplicate with both passages and adds it only with force', async () => {
    const copy = TRAVEL.replace('# Travel Policy', '# Travel Policy (copy)');
    const [conflict] = await t.kb.ingest([await upload('travel-copy.md', copy)]);
    assert.equal(conflict!.status, 'conflict');
    const duplicate = conflict!.conflicts!.find((c) => c.kind === 'duplicate');
    assert.ok(duplicate);
    assert.equal(duplicate.existingPath, 'travel/travel_policy.md');
    assert.match(duplicate.existingText, /hotel limit in London/);
    assert.match(duplicate.incomingText, /Travel Policy \(copy\)/);
    assert.deepEqual(await readdir(path.join(t.root, 'travel')), ['travel_policy.md']);

    const [forced] = await t.kb.ingest([await upload('travel-copy.md', copy)], { force: true });
    assert.equal(forced!.status, 'added');
  });

  it('reports a section on the same subject whose figures disagree', async () => {
    const [result] = await t.kb.ingest([
      await upload(
        'hotels-2027.md',
        '# Hotels 2027\n\n## Limits\n\nThe hotel limit in London is 250 pounds per night for all employees.\n',
      ),
    ]);
    assert.equal(result!.status, 'conflict');
    const figures = result!.conflicts!.find((c) => c.kind === 'figures');
    assert.ok(figures);
    assert.equal(figures.existingPath, 'travel/travel_policy.md');
    assert.equal(figures.existingLines, '5-5');
    assert.match(figures.existingText, /220 pounds/);
    assert.match(figures.incomingText, /250 pounds/);
  });

  it('does not report figures of a different subject (a swapped word) as a disagreement', async () => {
    const [result] = await t.kb.ingest([
      await upload(
        'paris.md',
        '# Paris office\n\n## Hotels\n\nThe hotel limit in Paris is 180 pounds per night for all employees.\n',
      ),
    ]);
    assert.equal(result!.status, 'added', JSON.stringify(result!.conflicts));
  });

  it('reports files that cannot be converted and leaves nothing behind', async () => {
    const before = await readdir(t.root, { recursive: true });
    const results = await t.kb.ingest([
      await upload('broken.docx', 'garbage'),
      await upload('virus.exe', 'MZ'),
      await upload('empty.md', ''),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['failed', 'failed', 'failed'],
    );
    assert.match(results[0]!.reason!, /corrupt or encrypted/);
    assert.match(results[1]!.reason!, /unsupported file type/);
    const afterwards = (await readdir(t.root, { recursive: true })).filter((p) => !p.startsWith('.'));
    assert.deepEqual(afterwards.sort(), before.filter((p) => !p.startsWith('.')).sort());
  });

  it('writes a contents overview for a file at or above the size threshold', async () => {
    const sections = Array.from(
      { length: 400 },
      (_, i) => `## Topic ${i}\n\nDetails about subject number ${i} with several more words for length.\n`,
    );
    const big = `# Big Manual\n\n${sections.join('\n')}`;
    const [result] = await t.kb.ingest([await upload('big-manual.md', big)]);
    assert.equal(result!.status, 'added');
    assert.ok((await stat(path.join(t.root, result!.path!))).size >= 30 * 1024);
    const overview = await readFile(path.join(t.root, 'contents_overview', 'big-manual_overview.md'), 'utf8');
    assert.match(overview, /Topic 0 \| 3 \|/);
  });

  it('keeps a data file beside its generated description', async () => {
    const [result] = await t.kb.ingest([await upload('headcount.csv', 'team,people\nsales,12\nit,7\n')]);
    assert.equal(result!.status, 'added');
    assert.match(result!.path!, /headcount\.csv\.md$/);
    const dir = path.dirname(path.join(t.root, result!.path!));
    assert.ok((await readdir(dir)).includes('headcount.csv'));
  });
});
