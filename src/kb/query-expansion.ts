/**
 * Widens a query word to the index terms that should also count for it, each inexact match weighted
 * below 1. Keeps the sorted vocabulary that prefix and edit-distance lookups need.
 */

import { chineseSynonymsOf, loadBilingualDictionary, translationsOf } from './bilingual-dictionary.ts';
import { lowerBound } from './bm25-scorer.ts';
import type { Lexicon } from './lexicon.ts';
import { GENERAL_LEXICON } from './synonyms.ts';
import { editDistanceWithin, stem } from './text-tokens.ts';
import { TRANSLATION_FLOOR } from './types.ts';
import { isWordnetLemma, loadWordnet, wordnetSynonymsOf } from './wordnet.ts';

const PREFIX_WEIGHT = 0.55;
const FUZZY_WEIGHT = 0.6;
const SYNONYM_WEIGHT = 0.7;
/** A WordNet synonym: general, so less sure than a lexicon row written for these documents. */
const WORDNET_WEIGHT = 0.5;
/**
 * A dictionary translation (CC-CEDICT): general, and of any sense of the word. 0.7 answered "公司有健身房吗"
 * (a gym) from a purchasing policy; 0.5 keeps every refusal, so a question met only through the
 * dictionary ranks its section first but covers half of itself: it is not answered on that alone.
 */
const DICTIONARY_WEIGHT = 0.5;
const TRANSLATION_WEIGHT = 0.85;
/** At the translation floor, so the piece still covers the word. */
const TRANSLATION_PIECE_WEIGHT = TRANSLATION_FLOOR;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const MAX_EXPANSIONS = 12;
/** Past this many single insertions, re-sorting once is cheaper. */
const MAX_INSERTS = 2000;

export interface Expansion {
  readonly term: string;
  readonly weight: number;
  /**
   * A general-language synonym (WordNet): it adds to a section's match but does not make the question
   * word one the knowledge base knows ("manager" is not the subject of a section because another says
   * "director").
   */
  readonly loose?: boolean;
}

export interface ExpandOptions {
  /** false: leave WordNet out (a document compared with documents has words enough of its own). */
  readonly wordnet?: boolean;
}

export class QueryExpansion {
  readonly #has: (term: string) => boolean;
  readonly #terms: () => Iterable<string>;
  readonly #hasPhrase: (phrase: string) => boolean;
  readonly #lexicon: () => Lexicon;
  #sorted: string[] | undefined;
  #inserts = 0;

  /**
   * `hasPhrase`: whether some section holds every word of a phrase ("leav the company");
   * `lexicon`: the synonyms in force (the general ones, the deployment's and the documents' acronyms).
   */
  constructor(
    has: (term: string) => boolean,
    terms: () => Iterable<string>,
    hasPhrase: (phrase: string) => boolean = () => false,
    lexicon: () => Lexicon = () => GENERAL_LEXICON,
  ) {
    this.#has = has;
    this.#terms = terms;
    this.#hasPhrase = hasPhrase;
    this.#lexicon = lexicon;
  }

  /** A new term entered the index. */
  added(term: string): void {
    if (!this.#sorted) return;
    if (++this.#inserts > MAX_INSERTS) {
      this.reset();
      return;
    }
    this.#sorted.splice(lowerBound(this.#sorted, term), 0, term);
  }

  /** Terms left the index (or everything changed): sort again on the next lookup. */
  reset(): void {
    this.#sorted = undefined;
    this.#inserts = 0;
  }

  /** Sorts the vocabulary now (after a bulk load), so the first query does not pay for it. */
  prime(): void {
    this.#vocab();
    loadWordnet();
    loadBilingualDictionary();
  }

  /** Best first: exact, synonyms (the lexicon's, then WordNet's for an English word), then prefix and fuzzy matches. */
  expand(term: string, options: ExpandOptions = {}): Expansion[] {
    const out = this.#spelling(term);
    const known = new Set(out.map((e) => e.term));
    const cjk = CJK.test(term);
    for (const synonym of this.#lexicon().synonymsOf(term)) {
      // A translation is a closer equivalent than a same-language near-synonym.
      const weight = CJK.test(synonym) === cjk ? SYNONYM_WEIGHT : TRANSLATION_WEIGHT;
      if (this.#has(synonym)) {
        // The word itself may already be in as a piece of a longer synonym (补打卡 → 打卡): it counts whole.
        const i = out.findIndex((e) => e.term === synonym);
        if (i < 0) out.push({ term: synonym, weight });
        else if (out[i]!.weight < weight) out[i] = { term: synonym, weight };
        known.add(synonym);
        continue;
      }
      // A word's phrase synonym (离职 → "leave the company", gatekeeper → "yard marshal") meets the sections
      // that hold its words. Not an English phrase's: "get paid" → "pay day" met every section saying "pay".
      if (synonym.includes(' ') && (cjk || !term.includes(' ')) && this.#hasPhrase(synonym)) {
        out.push({ term: synonym, weight });
        known.add(synonym);
        continue;
      }
      // A Chinese word the documents' segmentation cut apart (会议室 → 会议|室) still meets its longest piece.
      if (CJK.test(synonym) && synonym.length >= 3) {
        for (let i = 0; i + 2 <= synonym.length; i++) {
          const piece = synonym.slice(i, i + 2);
          if (known.has(piece) || !this.#has(piece)) continue;
          // A translation's piece still stands for the translation (远程办公 → 远程): it covers the word.
          out.push({ term: piece, weight: weight === TRANSLATION_WEIGHT ? TRANSLATION_PIECE_WEIGHT : weight * 0.8 });
          known.add(piece);
          break;
        }
      }
    }
    const addLoose = (terms: readonly string[], weight: number) => {
      for (const t of terms) {
        if (known.has(t) || !(t.includes(' ') ? this.#hasPhrase(t) : this.#has(t))) continue;
        out.push({ term: t, weight, loose: true });
        known.add(t);
      }
    };
    if (options.wordnet !== false) {
      if (!cjk) addLoose(wordnetSynonymsOf(term), WORDNET_WEIGHT);
      addLoose(translationsOf(term), DICTIONARY_WEIGHT);
      // Two Chinese words with one English word among their translations say the same (急着 and 紧急: urgent).
      if (cjk) addLoose(chineseSynonymsOf(term), DICTIONARY_WEIGHT);
    }
    return out.sort((a, b) => b.weight - a.weight);
  }

  #spelling(term: string): Expansion[] {
    const out: Expansion[] = [];
    // A phrase of the question ("first day") is itself found where all its words are.
    if (this.#has(term) || (term.includes(' ') && this.#hasPhrase(term))) out.push({ term, weight: 1 });
    if (!/^[a-z][a-z0-9]*$/.test(term) || term.length < 4) return out;
    // The stemmer keeps a short word's final e but drops it with a suffix (reuse → reuse, reused → reus):
    // the documents' inflected forms, stemmed as the stemmer does, are the same word.
    const inflected = term.endsWith('e') ? stem(`${term}d`) : term;
    if (inflected !== term && this.#has(inflected)) out.push({ term: inflected, weight: 1 });
    const vocab = this.#vocab();
    // Prefix: "reimburs" meets "reimbursement", "config" meets "configuration".
    for (let i = lowerBound(vocab, term); i < vocab.length && out.length < MAX_EXPANSIONS; i++) {
      const candidate = vocab[i]!;
      if (!candidate.startsWith(term)) break;
      if (candidate !== term && candidate.length <= term.length + 6) {
        out.push({ term: candidate, weight: PREFIX_WEIGHT });
      }
    }
    if (out.length > 0) return out;
    // Light fuzziness for unknown words: one edit (two for long words), same first letter. A word of the
    // dictionary is no misspelling ("file" is not "fine"): it only meets another ending of itself (decid,
    // decis: decided, decision).
    const maxEdits = term.length >= 8 ? 2 : 1;
    const stemLength = Math.max(3, term.length - 2);
    const from = isWordnetLemma(term) ? term.slice(0, stemLength) : term[0]!;
    for (let i = lowerBound(vocab, from); i < vocab.length && out.length < MAX_EXPANSIONS; i++) {
      const candidate = vocab[i]!;
      if (!candidate.startsWith(from)) break;
      if (Math.abs(candidate.length - term.length) > maxEdits) continue;
      if (editDistanceWithin(term, candidate, maxEdits)) out.push({ term: candidate, weight: FUZZY_WEIGHT });
    }
    return out;
  }

  #vocab(): string[] {
    if (!this.#sorted) {
      this.#sorted = [...this.#terms()].sort();
      this.#inserts = 0;
    }
    return this.#sorted;
  }
}
