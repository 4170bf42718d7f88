/** FAQ.md: a table of question | answer | usage count, at most `maxEntries` rows. */
import { readTextOr } from './kb-files.ts';
import { formatRow, parseRow } from './markdown-table.ts';
import { dice, tokenize } from './text-tokens.ts';
import type { FaqRow } from './types.ts';

export const FAQ_FILE = 'FAQ.md';

export function parseFaq(content: string): FaqRow[] {
  const rows: FaqRow[] = [];
  let sawHeader = false;
  for (const line of content.split(/\r?\n/)) {
    const cells = parseRow(line);
    if (!cells || cells.length < 2) continue;
    if (!sawHeader) {
      sawHeader = true;
      if (/question|问题/i.test(cells[0]!)) continue;
    }
    const usage = Number.parseInt(cells[2] ?? '0', 10);
    if (!cells[0]) continue;
    rows.push({ question: cells[0]!, answer: cells[1] ?? '', usage: Number.isFinite(usage) ? usage : 0 });
  }
  return rows;
}

export function formatFaq(rows: readonly FaqRow[]): string {
  return [
    '# FAQ',
    '',
    'Frequently asked questions, kept by Docent from answers employees found useful.',
    '',
    '| Question | Answer | Usage |',
    '| --- | --- | --- |',
    ...rows.map((r) => formatRow([r.question, r.answer, String(r.usage)])),
    '',
  ].join('\n');
}

export async function readFaq(file: string): Promise<FaqRow[]> {
  return parseFaq(await readTextOr(file, ''));
}

/** How much a word tells questions apart (the index's idf); without one every word weighs the same. */
export type WordWeight = (term: string) => number;

/**
 * Similarity of two questions (0..1): Dice over content words, each weighed by how rare it is in the
 * knowledge base, with stop words as a tie-breaker. Weighed, "annual leave" and "sick leave" differ by
 * what tells them apart, not by one word in four.
 */
export function questionSimilarity(a: string, b: string, weight?: WordWeight): number {
  const content = weightedDice(new Set(tokenize(a)), new Set(tokenize(b)), weight);
  const all = dice(new Set(tokenize(a, { keepStopWords: true })), new Set(tokenize(b, { keepStopWords: true })));
  return 0.85 * content + 0.15 * all;
}

function weightedDice(a: ReadonlySet<string>, b: ReadonlySet<string>, weight?: WordWeight): number {
  if (!weight) return dice(a, b);
  let common = 0;
  let total = 0;
  for (const t of a) {
    const w = weight(t);
    total += w;
    if (b.has(t)) common += 2 * w;
  }
  for (const t of b) total += weight(t);
  return total > 0 ? common / total : 0;
}

/** The closest row and its similarity. */
export function closestFaq(
  rows: readonly FaqRow[],
  question: string,
  weight?: WordWeight,
): { row: FaqRow; score: number } | undefined {
  let best: { row: FaqRow; score: number } | undefined;
  for (const row of rows) {
    const score = questionSimilarity(question, row.question, weight);
    if (!best || score > best.score) best = { row, score };
  }
  return best;
}

/** Adds a row, evicting the least-used rows (oldest first among equals) past the cap. */
export function addFaqRow(rows: readonly FaqRow[], row: FaqRow, maxEntries: number): FaqRow[] {
  const next = [...rows.filter((r) => questionSimilarity(r.question, row.question) < 0.999), row];
  while (next.length > maxEntries) {
    let victim = 0;
    for (let i = 1; i < next.length - 1; i++) if (next[i]!.usage < next[victim]!.usage) victim = i;
    next.splice(victim, 1);
  }
  return next;
}
