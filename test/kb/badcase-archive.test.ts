// BADCASE.md gains an entry for every unanswered question: past its size limit the older half moves
// to a dated archive, so what the admin pages and the agents read stays bounded over months.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  BADCASE_ARCHIVE_DIR,
  BADCASE_FILE,
  MAX_BADCASE_ARCHIVES,
  MAX_BADCASE_BYTES,
  parseBadCases,
  splitOldBadCases,
} from '../../src/kb/badcase-store.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';

/** A BADCASE.md of `count` entries, about 300 bytes each, numbered from 0 (oldest). */
function badCaseFile(count: number): string {
  const entries = Array.from(
    { length: count },
    (_, i) =>
      `## 2026-01-01 00:00 UTC\n- **Question**: question number ${i} ${'x'.repeat(200)}\n- **Answer given**: none\n- **Feedback**: unanswered\n- **Source**: none\n`,
  );
  return `# Bad cases\n\nQuestions the knowledge base did not answer well.\n\n${entries.join('\n')}`;
}

const numbers = (content: string) =>
  parseBadCases(content).map((entry) => Number(/question number (\d+)/.exec(entry.question)?.[1] ?? -1));

describe('BADCASE.md size bound', () => {
  it('leaves a file within the limit as it is', () => {
    assert.equal(splitOldBadCases(badCaseFile(10)), undefined);
  });

  it('keeps the newest entries within half the limit and archives the rest, losing none', () => {
    const count = Math.ceil((MAX_BADCASE_BYTES * 1.2) / 300);
    const split = splitOldBadCases(badCaseFile(count));
    assert.ok(split);
    assert.ok(Buffer.byteLength(split.kept) <= MAX_BADCASE_BYTES / 2 + 200);
    assert.ok(split.kept.startsWith('# Bad cases'), 'the kept file keeps its header');
    const kept = numbers(split.kept);
    const archived = numbers(split.archived);
    assert.equal(kept.at(-1), count - 1, 'the newest entry stays');
    assert.deepEqual(
      [...archived, ...kept],
      Array.from({ length: count }, (_, i) => i),
    );
  });

  it('archives when an entry takes the file past the limit, and keeps at most the set number of archives', async () => {
    const t = await tempKb();
    try {
      const count = Math.ceil(MAX_BADCASE_BYTES / 300) + 10;
      await writeFile(path.join(t.root, BADCASE_FILE), badCaseFile(count));
      const archiveDir = path.join(t.root, BADCASE_ARCHIVE_DIR);
      // Older archives already there, more than are kept.
      await t.kb.logBadCase({ question: 'seed', answer: '-', feedback: '-', source: '-' });
      for (let i = 0; i < MAX_BADCASE_ARCHIVES; i++) {
        await writeFile(
          path.join(archiveDir, `BADCASE-2025010${i % 10}T0000${String(i).padStart(2, '0')}.000Z.md`),
          '# old\n',
        );
      }
      await writeFile(path.join(t.root, BADCASE_FILE), badCaseFile(count));
      await t.kb.logBadCase({ question: 'the newest question', answer: '-', feedback: '-', source: '-' });

      assert.ok((await stat(path.join(t.root, BADCASE_FILE))).size <= MAX_BADCASE_BYTES / 2 + 1000);
      const current = await t.kb.badCases();
      assert.equal(current.at(-1)?.question, 'the newest question');
      const archives = (await readdir(archiveDir)).sort();
      assert.equal(archives.length, MAX_BADCASE_ARCHIVES, archives.join(' '));
      assert.ok(!archives.includes('BADCASE-20250100T000000.000Z.md'), 'the oldest archive went');
      const newest = await readFile(path.join(archiveDir, archives.at(-1)!), 'utf8');
      assert.equal(numbers(newest)[0], 0, 'the newest archive starts with the oldest entry');
      // Nothing is lost: the newest archive and the current file hold every entry once.
      const all = [
        ...numbers(newest),
        ...current.map((e) => Number(/question number (\d+)/.exec(e.question)?.[1] ?? -1)),
      ];
      assert.deepEqual(
        all.slice(0, count),
        Array.from({ length: count }, (_, i) => i),
      );
    } finally {
      await t.cleanup();
    }
  });
});
