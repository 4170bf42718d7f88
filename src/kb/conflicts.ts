/**
 * Conflict checks for an incoming document against the knowledge base:
 *  - duplicate: most of its word 5-grams already appear in one existing file;
 *  - figures: a statement about the same subject (same words) with different numbers.
 */
import type { SearchIndex } from './search-index.ts';
import { dice, tokenize } from './text-tokens.ts';
import type { Conflict } from './types.ts';

const SHINGLE = 5;
const DUPLICATE_CONTAINMENT = 0.8;
const SAME_SUBJECT = 0.6;
const MAX_CONFLICTS = 5;
const PASSAGE_CHARS = 500;

/** Existing files most like the incoming text (by its most distinctive words). */
export function similarFiles(index: SearchIndex, markdown: string, limit = 5): { path: string; score: number }[] {
  const counts = new Map<string, number>();
  for (const t of tokenize(markdown.slice(0, 200_000))) counts.set(t, (counts.get(t) ?? 0) + 1);
  const top = [...counts]
    .filter(([t]) => !/^\d/.test(t))
    .map(([t, n]) => [t, Math.log(1 + n) * index.idf(t)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 16)
    .map(([t]) => t);
  const seen = new Map<string, number>();
  for (const hit of index.search(top.join(' '), 30, { wordnet: false })) {
    // A section sharing one of the text's distinctive words ("December", "welcome") is chance, not likeness.
    if (hit.matchedTerms.length < 2) continue;
    seen.set(hit.path, (seen.get(hit.path) ?? 0) + hit.score);
  }
  return [...seen]
    .map(([path, score]) => ({ path, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

export function findConflicts(index: SearchIndex, markdown: string): Conflict[] {
  const conflicts: Conflict[] = [];
  const incomingWords = words(markdown);
  // Short documents are compared on word pairs, long ones on 5-word runs.
  const size = incomingWords.length >= 50 ? SHINGLE : 2;
  const incomingShingles = shingleSet(incomingWords, size);
  const incomingFacts = figureStatements(markdown.split(/\r?\n/));
  for (const candidate of similarFiles(index, markdown)) {
    const lines = index.lines(candidate.path);
    if (!lines) continue;
    const text = lines.join('\n');
    const existing = shingleSet(words(text), size);
    if (incomingShingles.size >= 3 && existing.size >= 3) {
      let common = 0;
      for (const s of incomingShingles) if (existing.has(s)) common++;
      const containment = common / Math.min(incomingShingles.size, existing.size);
      if (containment >= DUPLICATE_CONTAINMENT) {
        conflicts.push({
          kind: 'duplicate',
          existingPath: candidate.path,
          existingLines: `1-${lines.length}`,
          existingText: clip(text),
          incomingText: clip(markdown),
        });
        continue;
      }
    }
    for (const fact of figureStatements(lines)) {
      for (const incoming of incomingFacts) {
        if (conflicts.length >= MAX_CONFLICTS) return conflicts;
        if (!sameSubject(fact.subject, incoming.subject)) continue;
        if (sameNumbers(fact.numbers, incoming.numbers)) continue;
        conflicts.push({
          kind: 'figures',
          existingPath: candidate.path,
          existingLines: `${fact.line}-${fact.line}`,
          existingText: fact.text,
          incomingText: incoming.text,
        });
      }
    }
    if (conflicts.length >= MAX_CONFLICTS) break;
  }
  return conflicts;
}

function words(text: string): readonly string[] {
  return tokenize(text.slice(0, 400_000), { keepStopWords: true, bigrams: false });
}

function shingleSet(list: readonly string[], size: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + size <= list.length; i++) out.add(list.slice(i, i + size).join(' '));
  return out;
}

interface FigureStatement {
  readonly line: number;
  readonly text: string;
  readonly subject: Set<string>;
  readonly numbers: string[];
}

/** Lines (sentences) that state a figure: their words without the numbers, and the numbers. */
function figureStatements(lines: readonly string[]): FigureStatement[] {
  const out: FigureStatement[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || /^#/.test(line) || /^\|?\s*:?-{3,}/.test(line) || line.length > 600) return;
    const numbers = line.match(/\d+(?:[.,]\d+)*%?/g);
    if (!numbers) return;
    const subject = new Set(tokenize(line).filter((t) => !/^\d/.test(t)));
    if (subject.size < 3) return;
    out.push({ line: i + 1, text: line, subject, numbers: numbers.map((n) => n.replace(/,/g, '')) });
  });
  return out;
}

/**
 * Two statements are about the same thing when they share most words and one
 * only adds words to the other. A swapped word ("sick" for "annual") means a
 * different subject, not a disagreement.
 */
function sameSubject(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (dice(a, b) < SAME_SUBJECT) return false;
  const onlyA = [...a].some((t) => !b.has(t));
  const onlyB = [...b].some((t) => !a.has(t));
  return !(onlyA && onlyB);
}

function sameNumbers(a: readonly string[], b: readonly string[]): boolean {
  const key = (numbers: readonly string[]) => [...new Set(numbers)].sort().join(' ');
  return key(a) === key(b);
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > PASSAGE_CHARS ? `${t.slice(0, PASSAGE_CHARS - 3)}...` : t;
}
