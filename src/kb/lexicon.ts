/**
 * A table of words that mean the same for retrieval, built from groups ("hotel accommodation 住宿 酒店"):
 * each word meets every other word of its groups. Words are stemmed on load; a hyphenated entry
 * ("time-off") is a phrase, keyed as its words ("time off") and, for two short parts, as the joined word
 * the tokeniser also yields ("timeoff"). Used to widen queries, never the index.
 */
import { stem } from './text-tokens.ts';

const ARTICLES = new Set(['a', 'an', 'the']);

export interface PhraseMatch {
  /** The phrase as the lexicon keys it ("clock in"). */
  readonly key: string;
  readonly parts: readonly string[];
}

export class Lexicon {
  readonly #table = new Map<string, Set<string>>();
  /** Lexicon phrases as their stemmed words ("clock in" → [clock, in]), longest first. */
  readonly #phrases: string[][] = [];

  /** `groups`: space-separated words of one meaning each. */
  constructor(groups: readonly string[]) {
    for (const group of groups) this.#addGroup(group.split(/\s+/).filter(Boolean));
    this.#phrases.sort((a, b) => b.length - a.length);
  }

  #addGroup(words: readonly string[]): void {
    const terms = [...new Set(words.flatMap((w) => this.#keysOf(w)))];
    for (const term of terms) {
      const set = this.#table.get(term) ?? new Set<string>();
      for (const other of terms) if (other !== term) set.add(other);
      this.#table.set(term, set);
    }
  }

  #keysOf(word: string): string[] {
    if (/[\u4e00-\u9fff]/.test(word)) return [word];
    const parts = word.toLowerCase().split('-').filter(Boolean);
    if (parts.length === 0) return [];
    if (parts.length === 1) return [stem(parts[0]!)];
    const stemmed = parts.map((w) => stem(w));
    if (!this.#phrases.some((p) => p.join(' ') === stemmed.join(' '))) this.#phrases.push(stemmed);
    const keys = [stemmed.join(' ')];
    if (parts.length === 2 && parts.every((p) => p.length <= 5)) keys.push(stem(parts.join('')));
    return keys;
  }

  /** Other index terms that mean the same as `term` (already stemmed/segmented); a phrase synonym is its words joined by a space. */
  synonymsOf(term: string): readonly string[] {
    const set = this.#table.get(term);
    return set ? [...set] : [];
  }

  /** Lexicon phrases found in a run of stemmed words (stop words kept), longest first, not overlapping. */
  phrasesIn(question: readonly string[]): PhraseMatch[] {
    const out: PhraseMatch[] = [];
    // "miss a clock-in" says "missed clock-in": an article inside a phrase changes nothing.
    const words = question.filter((w) => !ARTICLES.has(w));
    const used = new Uint8Array(words.length);
    for (const phrase of this.#phrases) {
      const core = phrase.filter((w) => !ARTICLES.has(w));
      for (let i = 0; i + core.length <= words.length; i++) {
        if (core.some((w, k) => words[i + k] !== w || used[i + k])) continue;
        used.fill(1, i, i + core.length);
        if (!out.some((m) => m.key === phrase.join(' '))) out.push({ key: phrase.join(' '), parts: phrase });
      }
    }
    return out;
  }
}
