/**
 * Chooses the folder for a new document: the existing folder whose documents
 * the same retrieval the answers use finds most like it, and a new topical
 * folder only when no folder clearly wins. The reason goes into the ingest
 * result, so an admin sees why and can pick another folder.
 */
import { similarFiles } from './conflicts.ts';
import type { SearchIndex } from './search-index.ts';
import { splitSections } from './sections.ts';
import { hasCjk, tokenize } from './text-tokens.ts';
import type { Placement } from './types.ts';

/** How many similar documents vote. */
const VOTERS = 10;
/** The winning folder wins with this share of all votes, or with this lead over the runner-up. */
const MIN_SHARE = 0.4;
const MIN_LEAD = 1.8;
/** The best match's retrieval score (a BM25 sum): below it, "most similar" is noise. */
const MIN_BEST_SCORE = 1.5;
/** Generated or special folders that never receive documents. */
const NOT_FOR_DOCUMENTS = new Set(['contents_overview', '.docent', '.staging']);

function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

export function chooseFolder(index: SearchIndex, markdown: string, fallbackName: string): Placement {
  const votes = new Map<string, { score: number; examples: string[] }>();
  let best = 0;
  for (const { path, score } of similarFiles(index, markdown, VOTERS)) {
    const folder = folderOf(path);
    if (!folder || NOT_FOR_DOCUMENTS.has(folder.split('/')[0]!)) continue;
    best = Math.max(best, score);
    const vote = votes.get(folder) ?? { score: 0, examples: [] };
    vote.score += score;
    if (vote.examples.length < 2) vote.examples.push(path);
    votes.set(folder, vote);
  }
  const total = [...votes.values()].reduce((sum, v) => sum + v.score, 0);
  const ranked = [...votes].sort((a, b) => b[1].score - a[1].score);
  const winner = ranked[0];
  const runnerUp = ranked[1]?.[1].score ?? 0;
  const clear = winner && (winner[1].score / total >= MIN_SHARE || winner[1].score >= MIN_LEAD * runnerUp);
  const share = winner ? winner[1].score / total : 0;
  if (winner && best >= MIN_BEST_SCORE && clear) {
    return {
      folder: winner[0],
      created: false,
      reason: `most like ${winner[1].examples.join(' and ')} (${Math.round(100 * share)}% of the similarity to existing documents)`,
      basis: { kind: 'similar', examples: winner[1].examples, share },
    };
  }
  const folder = newFolderName(markdown, fallbackName);
  const existing = index.paths().some((p) => folderOf(p) === folder || folderOf(p).startsWith(`${folder}/`));
  return {
    folder,
    created: !existing,
    reason: winner
      ? `no existing folder is clearly closest (best: ${winner[0]}, ${Math.round(100 * share)}% of the similarity); named after the document's headings`
      : "nothing in the knowledge base is like it; named after the document's headings",
    basis: winner ? { kind: 'unclear', best: winner[0], share } : { kind: 'new' },
  };
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

/** Longest segment, in characters and in UTF-8 bytes (see sanitiseSegment). */
const SEGMENT_MAX_CHARS = 80;
const SEGMENT_MAX_BYTES = 100;

/**
 * A safe single path segment: letters (any script), digits, '-' and '_'; at
 * most 80 characters and 100 UTF-8 bytes, cut between characters (never
 * inside a surrogate pair). File systems allow 255 bytes a name, and the
 * longest name made of segments, `contents_overview/<folder>__<stem>_overview.md`
 * written through its `.<name>.<hex>.tmp`, must fit: 1 + 100 + 2 + 100 + 12 + 13.
 */
export function sanitiseSegment(text: string): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/\.[a-z0-9]{1,8}$/i, '')
    .replace(/[^\p{L}\p{N}_-]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '');
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const char of cleaned) {
    bytes += Buffer.byteLength(char);
    if (++chars > SEGMENT_MAX_CHARS || bytes > SEGMENT_MAX_BYTES) break;
    out += char;
  }
  return out.replace(/[_.-]+$/, '');
}
