/**
 * In-memory BM25 index over heading-delimited sections.
 *
 *   postings: term -> { ids[], tfs[] }   (parallel arrays, appended to)
 *   sections: id -> { path, heading, lines, length }, `dead` marks removed ids
 *   files:    path -> { section ids, content, title, label terms, mtime/size }
 *
 * Removing or re-indexing a file only marks its sections dead; postings are
 * compacted once dead entries pass a quarter of the index, so one changed
 * file costs milliseconds.
 */

import { acronymGroups } from './acronyms.ts';
import { type AnswerType, answerTypeOf } from './answer-type.ts';
import {
  Bm25Scorer,
  coverageIdf,
  indexOfSorted,
  type Posting,
  type QueryTerm,
  type ScoredSection,
} from './bm25-scorer.ts';
import type { FileStamp } from './kb-files.ts';
import { Lexicon } from './lexicon.ts';
import { holdsAny, type Quantity, quantitiesOf } from './quantities.ts';
import { type ExpandOptions, QueryExpansion } from './query-expansion.ts';
import { plainWords, queryTermsOf } from './query-terms.ts';
import { firstTitle, splitSections } from './sections.ts';
import { GENERAL_GROUPS } from './synonyms.ts';
import { isEnglishStopWord, tokenize } from './text-tokens.ts';
import type { QuestionWordMatch, SearchHit } from './types.ts';

const HEADING_WEIGHT = 3;
/** How much a section's own heading matching the query lifts it (times the matched share of the query's idf). */
const HEADING_BOOST = 0.5;
/** How much a section whose stated range holds the question's figure ("8万" in "5万至20万元") is lifted. */
const RANGE_BOOST = 1.25;
/**
 * The kind of answer asked for ("how often") as a share of an average question word. 0.5 and 0.7 score
 * the same on every question set; 1 loses a held-out answer ("how much vacation", refused).
 */
const ANSWER_TYPE_SHARE = 0.5;
/** Candidates kept after the first scoring pass, before the description boost re-orders them. */
const FIRST_PASS = 64;
/** Files whose split lines are kept between queries. */
const RECENT_LINES_FILES = 256;

type Section = Pick<IndexHit, 'path' | 'heading' | 'trail' | 'startLine' | 'endLine'> & { readonly length: number };

interface IndexedFile extends FileStamp {
  readonly path: string;
  readonly title: string;
  readonly content: string;
  readonly sectionIds: readonly number[];
  labelTerms: Set<string>;
}

/** A search hit with every field the index knows filled in. */
export type IndexHit = Required<SearchHit>;

export class SearchIndex {
  #postings = new Map<string, Posting>();
  #sections: (Section | undefined)[] = [undefined];
  #dead = new Uint8Array(1024);
  #deadCount = 0;
  #liveSections = 0;
  #files = new Map<string, IndexedFile>();
  #descriptions = new Map<string, string>();
  #totalLength = 0;
  readonly #expansion = new QueryExpansion(
    (term) => this.#postings.has(term),
    () => this.#postings.keys(),
    (phrase) => (this.#postingOf(phrase)?.ids.length ?? 0) > 0,
    () => this.lexicon,
  );
  /** The deployment's synonym groups (its .docent/synonyms.md). */
  #deploymentGroups: readonly string[] = [];
  /** Acronym groups each file defines ("cfo chief-financial-officer"). */
  readonly #acronyms = new Map<string, readonly string[]>();
  /** General + deployment + acronym groups, rebuilt on the next query after any of them changed. */
  #lexicon: Lexicon | undefined;
  /** Postings of the phrases the current query looks up, built on demand (see #phrasePosting). */
  readonly #phrasePostings = new Map<string, Posting | undefined>();
  // Scratch space for scoring, grown with the section count and reused between queries.
  #lengths = new Float64Array(1024);
  readonly #scorer = new Bm25Scorer();
  readonly #recentLines = new Map<IndexedFile, readonly string[]>();

  /** The synonyms in force: the general lexicon, the deployment's groups and the documents' acronyms. */
  get lexicon(): Lexicon {
    this.#lexicon ??= new Lexicon([
      ...GENERAL_GROUPS,
      ...this.#deploymentGroups,
      ...[...this.#acronyms.values()].flat(),
    ]);
    return this.#lexicon;
  }

  /** Replaces the deployment's synonym groups (space-separated wordings; a hyphenated wording is a phrase). */
  setSynonyms(groups: readonly string[]): void {
    this.#deploymentGroups = [...groups];
    this.#lexicon = undefined;
  }

  get sectionCount(): number {
    return this.#liveSections;
  }

  paths(): string[] {
    return [...this.#files.keys()];
  }

  stamp(path: string): FileStamp | undefined {
    return this.#files.get(path);
  }

  /** The file's lines as indexed (shared: never mutate). */
  lines(path: string): readonly string[] | undefined {
    const file = this.#files.get(path);
    return file ? this.#linesOf(file) : undefined;
  }

  /** The lines of a section (the first-pass corrections read the candidates' text). */
  #sectionLines(id: number): readonly string[] {
    const section = this.#sections[id]!;
    return this.#linesOf(this.#files.get(section.path)!).slice(section.startLine - 1, section.endLine);
  }

  #sectionText(id: number): string {
    return this.#sectionLines(id).join('\n');
  }

  /** Split once per file and kept for the few files recently answered from. */
  #linesOf(file: IndexedFile): readonly string[] {
    const cached = this.#recentLines.get(file);
    if (cached) return cached;
    const lines = file.content.split(/\r?\n/);
    if (this.#recentLines.size >= RECENT_LINES_FILES) this.#recentLines.delete(this.#recentLines.keys().next().value!);
    this.#recentLines.set(file, lines);
    return lines;
  }

  /** Prepares lookup structures after a bulk load. */
  prime(): void {
    this.#expansion.prime();
    this.#scorer.reserve(this.#sections.length);
  }

  /** Sets the README description of a file (kept even before the file is indexed). */
  setDescription(path: string, description: string | undefined): void {
    if (description) this.#descriptions.set(path, description);
    else this.#descriptions.delete(path);
    const file = this.#files.get(path);
    if (file) file.labelTerms = labelTerms(path, file.title, description);
  }

  description(path: string): string | undefined {
    return this.#descriptions.get(path);
  }

  upsert(path: string, content: string, stamp: FileStamp): void {
    this.remove(path);
    const title = firstTitle(content) ?? firstLineTitle(content) ?? stemOf(path);
    const pathTerms = tokenize(`${stemOf(path)} ${title}`);
    const sectionIds: number[] = [];
    for (const section of splitSections(content)) {
      const counts = new Map<string, number>();
      const add = (terms: readonly string[], weight: number) => {
        for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + weight);
      };
      const bodyStart = section.heading ? section.text.indexOf('\n') + 1 : 0;
      const bodyTerms = tokenize(bodyStart > 0 ? section.text.slice(bodyStart) : section.text);
      add(bodyTerms, 1);
      add(tokenize(section.heading), HEADING_WEIGHT);
      add(tokenize(section.trail.slice(0, -1).join(' ')), 1);
      add(pathTerms, 1);
      const id = this.#sections.length;
      const length = bodyTerms.length + 4;
      this.#sections.push({
        path,
        heading: section.heading,
        trail: section.trail,
        startLine: section.startLine,
        endLine: section.endLine,
        length,
      });
      for (const [term, tf] of counts) {
        let posting = this.#postings.get(term);
        if (!posting) {
          posting = { ids: [], tfs: [] };
          this.#postings.set(term, posting);
          this.#expansion.added(term);
        }
        posting.ids.push(id);
        posting.tfs.push(tf);
      }
      if (id >= this.#lengths.length) {
        const grown = new Float64Array(Math.max(id + 1, this.#lengths.length * 2));
        grown.set(this.#lengths);
        this.#lengths = grown;
      }
      this.#lengths[id] = length;
      this.#totalLength += length;
      this.#liveSections++;
      sectionIds.push(id);
    }
    const acronyms = acronymGroups(content);
    if (acronyms.length > 0) {
      this.#acronyms.set(path, acronyms);
      this.#lexicon = undefined;
    }
    this.#files.set(path, {
      path,
      title,
      content,
      sectionIds,
      mtimeMs: stamp.mtimeMs,
      size: stamp.size,
      labelTerms: labelTerms(path, title, this.#descriptions.get(path)),
    });
  }

  remove(path: string): void {
    const file = this.#files.get(path);
    if (!file) return;
    this.#ensureDeadCapacity(this.#sections.length);
    for (const id of file.sectionIds) {
      const section = this.#sections[id];
      if (!section || this.#dead[id]) continue;
      this.#dead[id] = 1;
      this.#deadCount++;
      this.#liveSections--;
      this.#totalLength -= section.length;
      this.#sections[id] = undefined;
    }
    this.#files.delete(path);
    this.#recentLines.delete(file);
    if (this.#acronyms.delete(path)) this.#lexicon = undefined;
    if (this.#deadCount > 1000 && this.#deadCount > this.#liveSections / 4) this.#compact();
  }

  clear(): void {
    this.#postings.clear();
    this.#sections = [undefined];
    this.#lengths = new Float64Array(1024);
    this.#dead = new Uint8Array(1024);
    this.#deadCount = 0;
    this.#liveSections = 0;
    this.#files.clear();
    this.#recentLines.clear();
    this.#acronyms.clear();
    this.#lexicon = undefined;
    this.#totalLength = 0;
    this.#expansion.reset();
  }

  idf(term: string): number {
    const n = this.#liveSections;
    const df = this.#postingOf(term)?.ids.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  #postingOf(term: string): Posting | undefined {
    if (!term.includes(' ')) return this.#postings.get(term);
    if (!this.#phrasePostings.has(term)) this.#phrasePostings.set(term, this.#phrasePosting(term));
    return this.#phrasePostings.get(term);
  }

  /**
   * The sections that hold every content word of a phrase, as often as its scarcest word there: a phrase
   * translation (离职 → "leave the company") has no posting of its own. Costs one walk of the shortest
   * word's posting, with a binary search in each other one.
   */
  #phrasePosting(phrase: string): Posting | undefined {
    const words = phrase.split(' ').filter((w) => !isEnglishStopWord(w));
    // "carry over", "roll over": one content word is the phrase as the index holds it ("carried over").
    if (words.length === 1) return this.#postings.get(words[0]!);
    if (words.length === 0) return undefined;
    const lists: Posting[] = [];
    for (const word of words) {
      const posting = this.#postings.get(word);
      if (!posting) return undefined;
      lists.push(posting);
    }
    lists.sort((a, b) => a.ids.length - b.ids.length);
    const [shortest, ...others] = lists as [Posting, ...Posting[]];
    const out: Posting = { ids: [], tfs: [] };
    for (let i = 0; i < shortest.ids.length; i++) {
      const id = shortest.ids[i]!;
      if (this.#dead[id]) continue;
      let tf = shortest.tfs[i]!;
      for (const other of others) {
        const at = indexOfSorted(other.ids, id);
        tf = at < 0 ? 0 : Math.min(tf, other.tfs[at]!);
        if (tf === 0) break;
      }
      if (tf === 0) continue;
      out.ids.push(id);
      out.tfs.push(tf);
    }
    return out.ids.length > 0 ? out : undefined;
  }

  search(query: string, limit = 10, options: ExpandOptions = {}): IndexHit[] {
    this.#phrasePostings.clear();
    this.#ensureDeadCapacity(this.#sections.length);
    const queryTerms = queryTermsOf(query, {
      has: (term) => this.#postings.has(term),
      expand: (term) => this.#expansion.expand(term, options),
      idf: (term) => this.idf(term),
      lexicon: this.lexicon,
    });
    if (queryTerms.length === 0 || this.#liveSections === 0) return [];
    const top = this.#scorer.score(
      {
        posting: (term) => this.#postingOf(term),
        lengths: this.#lengths,
        dead: this.#dead,
        idLimit: this.#sections.length,
        liveSections: this.#liveSections,
        totalLength: this.#totalLength,
        idf: (term) => this.idf(term),
      },
      queryTerms,
      Math.max(FIRST_PASS, limit * 4),
    );
    this.#discountLooseCompounds(top, queryTerms);
    this.#discountPhrasesApart(top, queryTerms);
    this.#creditRangesHeld(top, queryTerms, quantitiesOf(query));
    this.#weighAnswerType(top, queryTerms, answerTypeOf(query));
    // The README description, title and path of a file lift its sections a little.
    const totalIdf = queryTerms.reduce((sum, q) => sum + q.idf, 0);
    for (const candidate of top) {
      const section = this.#sections[candidate.id]!;
      const file = this.#files.get(section.path)!;
      let labelled = 0;
      for (const q of queryTerms) if (q.expansions.some((e) => file.labelTerms.has(e.term))) labelled += q.idf;
      // A section whose own heading names what is asked ("vacation" → Annual Leave) beats one that only mentions it.
      const heading = new Set(tokenize(section.heading));
      let headed = 0;
      for (const q of queryTerms) {
        let best = 0;
        for (const e of q.expansions) if (heading.has(e.term)) best = Math.max(best, e.weight);
        headed += q.idf * best;
      }
      candidate.score *=
        (1 + (0.3 * labelled) / Math.max(totalIdf, 1e-9)) * (1 + (HEADING_BOOST * headed) / Math.max(totalIdf, 1e-9));
    }
    top.sort((a, b) => b.score - a.score);
    return top.slice(0, limit).map(({ id, score, coverage }) => this.#hit(id, score, coverage, queryTerms));
  }

  /**
   * "payday" split into pay + day counts as both words only where the section writes them together
   * ("Pay Day", "pay-day"): one that says "payment ... 30 days" or "5 paid days" matches half of it.
   * Only a query with such a split pays for this, on the first-pass candidates.
   */
  #discountLooseCompounds(candidates: ScoredSection[], queryTerms: readonly QueryTerm[]): void {
    const compounds = new Set(queryTerms.flatMap((q) => (q.compoundOf ? [q.compoundOf] : [])));
    if (compounds.size === 0) return;
    const totalIdf = queryTerms.reduce((sum, q) => sum + coverageIdf(q.idf), 0);
    for (const compound of compounds) {
      const [head, tail] = compound.split(' ') as [string, string];
      const together = new RegExp(`\\b${head}[\\s_-]*${tail}`, 'i');
      const halvesIdf = queryTerms.reduce((sum, q) => sum + (q.compoundOf === compound ? coverageIdf(q.idf) : 0), 0);
      for (const candidate of candidates) {
        if (together.test(this.#sectionText(candidate.id))) continue;
        candidate.coverage = Math.max(0, candidate.coverage - halvesIdf / 2 / Math.max(totalIdf, 1e-9));
      }
    }
  }

  /**
   * A phrase the documents name no other way ("pay day", "get paid") is said by a section that writes its
   * words together, not by one that holds them apart ("payment ... 30 days"): there it covers only as much
   * as one of its words does. Coverage and score are corrected to that (the scorer only knows postings).
   * Only a query with such a phrase pays for this, on the first-pass candidates.
   */
  #discountPhrasesApart(candidates: ScoredSection[], queryTerms: readonly QueryTerm[]): void {
    const phrases = queryTerms.filter((q) => q.writtenTogether);
    if (phrases.length === 0) return;
    const totalIdf = queryTerms.reduce((sum, q) => sum + coverageIdf(q.idf), 0);
    for (const candidate of candidates) {
      const written = ` ${plainWords(this.#sectionText(candidate.id)).join(' ')} `;
      for (const phrase of phrases) {
        // Scored as the phrase where the section holds all its content words, else through one of them.
        const posting = this.#postingOf(phrase.term);
        const asPhrase = posting !== undefined && indexOfSorted(posting.ids, candidate.id) >= 0;
        const apart = Math.max(0, ...phrase.expansions.filter((e) => e.term !== phrase.term).map((e) => e.weight));
        const scored = asPhrase ? 1 : apart;
        const deserved = written.includes(` ${phrase.writtenTogether} `) ? 1 : apart;
        const before = candidate.coverage;
        candidate.coverage = Math.min(
          1,
          Math.max(0, before + ((deserved - scored) * coverageIdf(phrase.idf)) / totalIdf),
        );
        candidate.score *= (0.35 + candidate.coverage) / (0.35 + before);
      }
    }
  }

  /**
   * "How often…", "how long…", "how much…": the kind of answer asked for counts as half a question word
   * of average weight, met by a section that states such an answer ("every 90 days") and missed by one
   * that cannot. Only a question that says the kind pays for this, on the first-pass candidates.
   */
  #weighAnswerType(candidates: ScoredSection[], queryTerms: readonly QueryTerm[], type: AnswerType | undefined): void {
    if (!type) return;
    const totalIdf = queryTerms.reduce((sum, q) => sum + coverageIdf(q.idf), 0);
    const typeIdf = (ANSWER_TYPE_SHARE * totalIdf) / queryTerms.length;
    for (const candidate of candidates) {
      const met = type.holds(this.#sectionText(candidate.id)) ? typeIdf : 0;
      candidate.coverage = (candidate.coverage * totalIdf + met) / (totalIdf + typeIdf);
    }
  }

  /**
   * A question's figure ("£12,000", "8万", "3 days") is met by a section that states a range or bound
   * holding it ("£5,001 – £25,000", "5万至20万元", "more than 2 days"), not only by the same digits: such
   * a section is credited with the figure's share of the question and lifted a little.
   */
  #creditRangesHeld(candidates: ScoredSection[], queryTerms: readonly QueryTerm[], figures: readonly Quantity[]): void {
    if (figures.length === 0) return;
    const numberTerms = queryTerms.filter((q) => /^\d/.test(q.term));
    const totalIdf = queryTerms.reduce((sum, q) => sum + coverageIdf(q.idf), 0);
    for (const candidate of candidates) {
      if (!this.#sectionLines(candidate.id).some((line) => holdsAny(line, figures))) continue;
      const before = candidate.coverage;
      for (const q of numberTerms) {
        const posting = this.#postingOf(q.term);
        if (posting && indexOfSorted(posting.ids, candidate.id) >= 0) continue;
        candidate.coverage = Math.min(1, candidate.coverage + coverageIdf(q.idf) / Math.max(totalIdf, 1e-9));
      }
      candidate.score *= (RANGE_BOOST * (0.35 + candidate.coverage)) / (0.35 + before);
    }
  }

  #hit(id: number, score: number, coverage: number, queryTerms: readonly QueryTerm[]): IndexHit {
    const section = this.#sections[id]!;
    const file = this.#files.get(section.path)!;
    const lines = this.#linesOf(file).slice(section.startLine - 1, section.endLine);
    const termWeights: Record<string, number> = {};
    const questionWords: QuestionWordMatch[] = [];
    for (const q of queryTerms) {
      let best: QuestionWordMatch = {
        word: q.term,
        idf: q.idf,
        weight: 0,
        known: false,
        ...(q.framing && { framing: true }),
      };
      for (const e of q.expansions) {
        // The postings already say which terms the section (with its trail, path and title) holds.
        const posting = this.#postingOf(e.term);
        if (posting && !e.loose) best = { ...best, known: true };
        if (!posting || indexOfSorted(posting.ids, id) < 0) continue;
        if (e.weight > best.weight) best = { ...best, matchedAs: e.term, weight: e.weight };
        const weight = Math.round(q.idf * e.weight * 1000) / 1000;
        // A phrase is credited through its words: they are what the section's sentences hold.
        for (const term of e.term.includes(' ') ? e.term.split(' ').filter((w) => !isEnglishStopWord(w)) : [e.term]) {
          termWeights[term] = Math.max(termWeights[term] ?? 0, weight);
        }
      }
      questionWords.push(best);
    }
    const matchedTerms = Object.keys(termWeights);
    return {
      path: section.path,
      title: file.title,
      heading: section.heading,
      trail: section.trail,
      startLine: section.startLine,
      endLine: section.endLine,
      score: Math.round(score * 1000) / 1000,
      coverage: Math.round(coverage * 1000) / 1000,
      matchedTerms,
      termWeights,
      questionWords,
      snippet: snippetOf(lines, new Set(matchedTerms)),
    };
  }

  /** Drops dead entries from every posting list and renumbers nothing (ids stay valid). */
  #compact(): void {
    const dead = this.#dead;
    for (const [term, posting] of this.#postings) {
      const ids: number[] = [];
      const tfs: number[] = [];
      for (let i = 0; i < posting.ids.length; i++) {
        if (dead[posting.ids[i]!]) continue;
        ids.push(posting.ids[i]!);
        tfs.push(posting.tfs[i]!);
      }
      if (ids.length === 0) {
        this.#postings.delete(term);
        this.#expansion.reset();
      } else {
        posting.ids = ids;
        posting.tfs = tfs;
      }
    }
    // Dead ids are never reused, so they stay marked; only the count of entries to skip resets.
    this.#deadCount = 0;
  }

  #ensureDeadCapacity(size: number): void {
    if (this.#dead.length >= size) return;
    const next = new Uint8Array(Math.max(size, this.#dead.length * 2));
    next.set(this.#dead);
    this.#dead = next;
  }
}

/** A plain-text document's title: a short first line that is not a sentence ("Travel Policy"). */
function firstLineTitle(content: string): string | undefined {
  const first = content.slice(0, 200).split(/\r?\n/, 1)[0]!.trim();
  return first.length >= 3 && first.length <= 80 && !/[.。:：,，;；|]$/.test(first) && !first.startsWith('|')
    ? first.replace(/^#+\s*/, '')
    : undefined;
}

function stemOf(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ');
}

function labelTerms(path: string, title: string, description: string | undefined): Set<string> {
  return new Set(tokenize(`${path.replace(/[/_.-]+/g, ' ')} ${title} ${description ?? ''}`));
}

function snippetOf(lines: readonly string[], terms: ReadonlySet<string>): string {
  let best = '';
  let bestHits = -1;
  for (const raw of lines.slice(0, 200)) {
    const line = raw.trim();
    if (!line || /^#{1,6}\s/.test(line) || /^\|?\s*:?-{3,}/.test(line)) continue;
    const hits = tokenize(line).filter((t) => terms.has(t)).length;
    if (hits > bestHits) {
      best = line;
      bestHits = hits;
    }
  }
  return best.length > 240 ? `${best.slice(0, 237)}...` : best;
}
