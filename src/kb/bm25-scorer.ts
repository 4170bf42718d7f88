/**
 * BM25 scoring of sections for one query, over typed arrays reused between
 * queries. Two passes: the first brings in candidates (exact matches of the
 * less common words, and every expansion of a word with no exact match); the
 * second only adds to those candidates (very common words, and the inexact
 * same-language expansions of words that also matched exactly), so a query
 * full of common words does not walk every posting list in the index.
 */
import { hasCjk } from './text-tokens.ts';
import { TRANSLATION_FLOOR } from './types.ts';

const K1 = 1.2;
const B = 0.75;
/** A word in more than this share of sections only re-scores candidates the rarer words found. */
const COMMON_SHARE = 0.05;
/** Below this many sections a posting list is cheap to walk whole. */
const MIN_COMMON_SECTIONS = 2000;

/** Section ids (ascending) and the weighted term frequency in each. */
export interface Posting {
  ids: number[];
  tfs: number[];
}

export interface QueryTerm {
  readonly term: string;
  readonly idf: number;
  /** Best first: a section is credited with the first expansion it contains. */
  readonly expansions: readonly { readonly term: string; readonly weight: number; readonly loose?: boolean }[];
  /** The question's word this one is half of, written apart ("pay day" for payday's pay and day). */
  readonly compoundOf?: string;
  /**
   * A phrase the documents never name otherwise, as the question writes it ("pay day", "get paid"): it
   * matches fully only where a section writes these words together; elsewhere only as much as one of its words.
   */
  readonly writtenTogether?: string;
  /** A common word that frames the question ("who is *allowed*"), weighed less than its subject. */
  readonly framing?: boolean;
}

export interface ScoringView {
  /** The posting of an index term, or of a phrase (the sections holding all its words). */
  posting(term: string): Posting | undefined;
  /** Length (in terms) of each section, by id. */
  readonly lengths: Float64Array;
  /** 1 for removed section ids. */
  readonly dead: Uint8Array;
  /** One past the highest section id. */
  readonly idLimit: number;
  readonly liveSections: number;
  readonly totalLength: number;
  idf(term: string): number;
}

export interface ScoredSection {
  readonly id: number;
  score: number;
  /** Share of the query's idf the section matches, 0..1. */
  coverage: number;
}

interface Step {
  readonly q: QueryTerm;
  readonly bit: number;
  readonly term: string;
  readonly weight: number;
  /** What a section matching this step adds to its coverage. */
  readonly covers: number;
  readonly posting: Posting;
  later: boolean;
}

export class Bm25Scorer {
  #scores = new Float64Array(0);
  #covered = new Float64Array(0);
  #masks = new Uint32Array(0);

  /** Grows the scratch arrays ahead of time (after a bulk load). */
  reserve(size: number): void {
    if (this.#scores.length >= size) return;
    const capacity = Math.max(size, Math.ceil(this.#scores.length * 1.5), 1024);
    this.#scores = new Float64Array(capacity);
    this.#covered = new Float64Array(capacity);
    this.#masks = new Uint32Array(capacity);
  }

  /** The best `keep` sections (unordered beyond that): BM25 scaled by coverage. */
  score(view: ScoringView, queryTerms: readonly QueryTerm[], keep: number): ScoredSection[] {
    this.reserve(view.idLimit);
    const scores = this.#scores;
    const covered = this.#covered;
    const masks = this.#masks;
    const { lengths, dead } = view;
    const avgLength = view.totalLength / Math.max(1, view.liveSections);
    const touched: number[] = [];
    const common = Math.max(MIN_COMMON_SECTIONS, view.liveSections * COMMON_SHARE);

    const steps: Step[] = [];
    queryTerms.forEach((q, qi) => {
      const hasExact = q.expansions[0]?.weight === 1;
      let exactLater: boolean = false;
      for (const { term, weight } of q.expansions) {
        const posting = view.posting(term);
        if (!posting) continue;
        // A synonym in the other language may find the only document in that language.
        const crossLanguage = hasCjk(term) !== hasCjk(q.term);
        const later: boolean = exactLater || posting.ids.length > common || (hasExact && weight < 1 && !crossLanguage);
        if (weight === 1) exactLater = later;
        // A translation ranks a little below the word itself but covers the question as fully.
        const covers = coverageIdf(q.idf) * (crossLanguage && weight >= TRANSLATION_FLOOR ? 1 : weight);
        steps.push({ q, bit: 2 ** qi, term, weight, covers, posting, later });
      }
    });

    const apply = (step: Step, onlyCandidates: boolean) => {
      const { bit, weight } = step;
      const { ids, tfs } = step.posting;
      const idf = view.idf(step.term);
      const add = (id: number, tf: number) => {
        // Each query word counts once per section, through its best expansion there
        // (a word's steps run best first): "leave" and its synonym "holiday" do not add up.
        if ((masks[id]! & bit) !== 0) return;
        if (masks[id] === 0) touched.push(id);
        masks[id]! |= bit;
        const norm = tf + K1 * (1 - B + (B * lengths[id]!) / avgLength);
        scores[id]! += (weight * idf * (tf * (K1 + 1))) / norm;
        covered[id]! += step.covers;
      };
      const candidates = touched.length;
      if (!onlyCandidates) {
        for (let i = 0; i < ids.length; i++) if (!dead[ids[i]!]) add(ids[i]!, tfs[i]!);
      } else if (candidates * Math.log2(ids.length + 1) < ids.length) {
        for (let k = 0; k < candidates; k++) {
          const at = indexOfSorted(ids, touched[k]!);
          if (at >= 0) add(ids[at]!, tfs[at]!);
        }
      } else {
        for (let i = 0; i < ids.length; i++) if (masks[ids[i]!] !== 0) add(ids[i]!, tfs[i]!);
      }
    };

    if (!steps.some((x) => !x.later && x.weight === 1)) {
      // No specific exact match: the least common exact match brings candidates too.
      const seed = steps.filter((x) => x.weight === 1).sort((a, b) => a.posting.ids.length - b.posting.ids.length)[0];
      if (seed) seed.later = false;
    }
    for (const step of steps) if (!step.later) apply(step, false);
    const restrict = touched.length > 0;
    for (const step of steps) if (step.later) apply(step, restrict);

    const totalIdf = queryTerms.reduce((sum, q) => sum + coverageIdf(q.idf), 0);
    const top: ScoredSection[] = [];
    let floor = 0;
    for (const id of touched) {
      const coverage = totalIdf > 0 ? Math.min(1, covered[id]! / totalIdf) : 0;
      const score = scores[id]! * (0.35 + coverage);
      scores[id] = 0;
      covered[id] = 0;
      masks[id] = 0;
      if (top.length >= keep && score <= floor) continue;
      top.push({ id, score, coverage });
      if (top.length > keep * 2) {
        top.sort((a, b) => b.score - a.score);
        top.length = keep;
        floor = top[keep - 1]!.score;
      }
    }
    return top;
  }
}

/** Position of `id` in an ascending array, or -1 (posting ids only ever grow). */
export function indexOfSorted(ids: readonly number[], id: number): number {
  const at = lowerBound(ids, id);
  return ids[at] === id ? at : -1;
}

/** The first position in an ascending array whose value is not below `key`. */
export function lowerBound<T extends number | string>(sorted: readonly T[], key: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Coverage weighs words by a flattened idf: one rare word alone must not pass for the whole question. */
export function coverageIdf(idf: number): number {
  return idf ** 0.6;
}
