/** Chooses the folder for a new document: where the most similar documents live, else a new topical folder. */
import { similarFiles } from './conflicts.ts';
import type { SearchIndex } from './search-index.ts';
import { splitSections } from './sections.ts';
import { dice, hasCjk, tokenize } from './text-tokens.ts';

const MIN_SHARE = 0.45;
const MIN_SIMILARITY = 0.1;

export function chooseFolder(index: SearchIndex, markdown: string, fallbackName: string): string {
  const incoming = contentTerms(markdown);
  const votes = new Map<string, number>();
  let best = 0;
  for (const { path } of similarFiles(index, markdown, 8)) {
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const lines = index.lines(path);
    if (!folder || !lines) continue;
    // Shared vocabulary, not one shared rare word, decides that two documents belong together.
    const similarity = dice(incoming, contentTerms(lines.join('\n')));
    best = Math.max(best, similarity);
    votes.set(folder, (votes.get(folder) ?? 0) + similarity);
  }
  const total = [...votes.values()].reduce((a, b) => a + b, 0);
  const winner = [...votes].sort((a, b) => b[1] - a[1])[0];
  if (winner && best >= MIN_SIMILARITY && winner[1] / total >= MIN_SHARE) return winner[0];
  return newFolderName(markdown, fallbackName);
}

function contentTerms(text: string): Set<string> {
  return new Set(tokenize(text.slice(0, 200_000)).filter((t) => !/^\d/.test(t)));
}

/** The most frequent meaningful word of the headings (then body), as a folder name. */
export function newFolderName(markdown: string, fallbackName: string): string {
  const headings = splitSections(markdown)
    .map((s) => s.heading)
    .join(' ');
  const words = (text: string) =>
    (text.toLowerCase().match(/[\u4e00-\u9fff]+|[a-z][a-z-]{3,}/g) ?? []).flatMap((w) =>
      hasCjk(w) ? tokenize(w, { bigrams: false }).filter((t) => t.length >= 2) : tokenize(w).length > 0 ? [w] : [],
    );
  const count = (list: string[]) => {
    const counts = new Map<string, number>();
    for (const w of list) counts.set(w, (counts.get(w) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  };
  const generic = /^(page|slide|sheet|section|chapter|introduction|overview|notes|data|table|第|页)/;
  const pick = count(words(headings).filter((w) => !generic.test(w))) ?? count(words(markdown.slice(0, 20_000)));
  const name = sanitiseSegment(pick ?? fallbackName);
  return name || 'general';
}

/** A safe single path segment: letters (any script), digits, '-' and '_'. */
export function sanitiseSegment(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\.[a-z0-9]{1,8}$/i, '')
    .replace(/[^\p{L}\p{N}_-]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '')
    .slice(0, 80);
}
