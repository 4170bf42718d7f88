/**
 * In-memory BM25 index over heading-delimited sections.
 *
 *   postings: term -> (sectionId -> weighted tf)
 *   files:    path -> { sections, title, description terms, mtime/size }
 *
 * Heading words count three times and the document title/path once more, so
 * a section titled "Annual leave" wins over a passing mention. A file's
 * README description and title give a small boost. Query terms missing from
 * the vocabulary fall back to prefix and edit-distance matches.
 */
import { firstTitle, splitSections } from './sections.ts';
import { synonymsOf } from './synonyms.ts';
import { editDistanceWithin, hasCjk, tokenize } from './text-tokens.ts';

const K1 = 1.2;
const B = 0.75;
const HEADING_WEIGHT = 3;
const PREFIX_WEIGHT = 0.55;
const FUZZY_WEIGHT = 0.6;
const SYNONYM_WEIGHT = 0.7;
const MAX_EXPANSIONS = 12;
const MAX_QUERY_TERMS = 48;

interface IndexedSection {
  readonly id: number;
  readonly path: string;
  readonly heading: string;
  readonly trail: readonly string[];
  readonly startLine: number;
  readonly endLine: number;
  readonly length: number;
  readonly terms: readonly string[];
}

interface IndexedFile {
  readonly path: string;
  readonly title: string;
  readonly lines: readonly string[];
  readonly sectionIds: readonly number[];
  readonly mtimeMs: number;
  readonly size: number;
  labelTerms: Set<string>;
}

export interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
}

export interface IndexHit {
  readonly path: string;
  readonly title: string;
  readonly heading: string;
  readonly trail: readonly string[];
  readonly startLine: number;
  readonly endLine: number;
  readonly score: number;
  /** Share of the query's weight (idf) this section matches, 0..1. */
  readonly coverage: number;
  /** Index terms of the query (with expansions) found in the section. */
  readonly matchedTerms: readonly string[];
  /** Weight of each matched term: its idf times its match weight (1 exact, less for prefix/fuzzy/synonym). */
  readonly termWeights: Readonly<Record<string, number>>;
  readonly snippet: string;
}

interface QueryTerm {
  readonly term: string;
  readonly idf: number;
  readonly expansions: readonly { readonly term: string; readonly weight: number }[];
}

export class SearchIndex {
  #postings = new Map<string, Map<number, number>>();
  #sections = new Map<number, IndexedSection>();
  #files = new Map<string, IndexedFile>();
  #descriptions = new Map<string, string>();
  #nextId = 1;
  #totalLength = 0;
  #sortedVocab: string[] | undefined;

  get fileCount(): number {
    return this.#files.size;
  }

  get sectionCount(): number {
    return this.#sections.size;
  }

  paths(): string[] {
    return [...this.#files.keys()];
  }

  stamp(path: string): FileStamp | undefined {
    return this.#files.get(path);
  }

  has(path: string): boolean {
    return this.#files.has(path);
  }

  lines(path: string): readonly string[] | undefined {
    return this.#files.get(path)?.lines;
  }

  title(path: string): string | undefined {
    return this.#files.get(path)?.title;
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
    const title = firstTitle(content) ?? stemOf(path);
    const lines = content.split(/\r?\n/);
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
      const id = this.#nextId++;
      const length = bodyTerms.length + 4;
      for (const [term, tf] of counts) {
        let posting = this.#postings.get(term);
        if (!posting) {
          posting = new Map();
          this.#postings.set(term, posting);
          this.#sortedVocab = undefined;
        }
        posting.set(id, tf);
      }
      this.#sections.set(id, {
        id,
        path,
        heading: section.heading,
        trail: section.trail,
        startLine: section.startLine,
        endLine: section.endLine,
        length,
        terms: [...counts.keys()],
      });
      this.#totalLength += length;
      sectionIds.push(id);
    }
    this.#files.set(path, {
      path,
      title,
      lines,
      sectionIds,
      mtimeMs: stamp.mtimeMs,
      size: stamp.size,
      labelTerms: labelTerms(path, title, this.#descriptions.get(path)),
    });
  }

  remove(path: string): void {
    const file = this.#files.get(path);
    if (!file) return;
    for (const id of file.sectionIds) {
      const section = this.#sections.get(id);
      if (!section) continue;
      for (const term of section.terms) {
        const posting = this.#postings.get(term);
        if (!posting) continue;
        posting.delete(id);
        if (posting.size === 0) {
          this.#postings.delete(term);
          this.#sortedVocab = undefined;
        }
      }
      this.#totalLength -= section.length;
      this.#sections.delete(id);
    }
    this.#files.delete(path);
  }

  clear(): void {
    this.#postings.clear();
    this.#sections.clear();
    this.#files.clear();
    this.#totalLength = 0;
    this.#sortedVocab = undefined;
  }

  /** Document frequency of a term (for callers weighing words). */
  idf(term: string): number {
    const n = this.#sections.size;
    const df = this.#postings.get(term)?.size ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  search(query: string, limit = 10): IndexHit[] {
    const queryTerms = this.#queryTerms(query);
    if (queryTerms.length === 0 || this.#sections.size === 0) return [];
    const avgLength = this.#totalLength / this.#sections.size;
    const totalIdf = queryTerms.reduce((sum, q) => sum + q.idf, 0);
    // Per section: BM25 sum, and per query term the best match weight (for coverage).
    const scores = new Map<number, { bm25: number; covered: number[] }>();
    queryTerms.forEach((q, qi) => {
      for (const { term, weight } of q.expansions) {
        const posting = this.#postings.get(term);
        if (!posting) continue;
        const idf = Math.log(1 + (this.#sections.size - posting.size + 0.5) / (posting.size + 0.5));
        for (const [id, tf] of posting) {
          const section = this.#sections.get(id)!;
          const norm = tf + K1 * (1 - B + (B * section.length) / avgLength);
          let entry = scores.get(id);
          if (!entry) {
            entry = { bm25: 0, covered: new Array(queryTerms.length).fill(0) };
            scores.set(id, entry);
          }
          entry.bm25 += (weight * idf * (tf * (K1 + 1))) / norm;
          if (weight > entry.covered[qi]!) entry.covered[qi] = weight;
        }
      }
    });

    const ranked: { id: number; score: number; coverage: number }[] = [];
    for (const [id, entry] of scores) {
      const section = this.#sections.get(id)!;
      const file = this.#files.get(section.path)!;
      let covered = 0;
      let labelled = 0;
      queryTerms.forEach((q, qi) => {
        covered += q.idf * entry.covered[qi]!;
        if (q.expansions.some((e) => file.labelTerms.has(e.term))) labelled += q.idf;
      });
      const coverage = totalIdf > 0 ? covered / totalIdf : 0;
      const labelShare = totalIdf > 0 ? labelled / totalIdf : 0;
      const score = entry.bm25 * (0.35 + coverage) * (1 + 0.3 * labelShare);
      ranked.push({ id, score, coverage });
    }
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, limit).map(({ id, score, coverage }) => this.#hit(id, score, coverage, queryTerms));
  }

  #hit(id: number, score: number, coverage: number, queryTerms: readonly QueryTerm[]): IndexHit {
    const section = this.#sections.get(id)!;
    const file = this.#files.get(section.path)!;
    const sectionTerms = new Set(section.terms);
    const termWeights: Record<string, number> = {};
    for (const q of queryTerms) {
      for (const e of q.expansions) {
        if (!sectionTerms.has(e.term)) continue;
        const weight = Math.round(q.idf * e.weight * 1000) / 1000;
        termWeights[e.term] = Math.max(termWeights[e.term] ?? 0, weight);
      }
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
      snippet: snippetOf(file.lines, section.startLine, section.endLine, new Set(matchedTerms)),
    };
  }

  #queryTerms(query: string): QueryTerm[] {
    const unique = [...new Set(tokenize(query.slice(0, 2000)))].slice(0, MAX_QUERY_TERMS);
    const longCjk = unique.filter((t) => t.length >= 3 && hasCjk(t));
    const result: QueryTerm[] = [];
    for (const term of unique) {
      const expansions = this.#expand(term);
      if (expansions.length === 0 && hasCjk(term)) {
        // Unknown Chinese words are carried by their bigrams (and an unknown bigram or
        // single character is segmentation noise, not a missing subject).
        if (term.length >= 3 || term.length === 1) continue;
        if (longCjk.some((w) => w !== term && w.includes(term))) continue;
      }
      // A word the knowledge base never uses still counts against coverage (with the highest idf).
      const idf = expansions.length > 0 ? this.idf(expansions[0]!.term) : this.idf(term);
      result.push({ term, idf, expansions });
    }
    return result;
  }

  #expand(term: string): { term: string; weight: number }[] {
    const out = this.#expandSpelling(term);
    const known = new Set(out.map((e) => e.term));
    for (const synonym of synonymsOf(term)) {
      if (!known.has(synonym) && this.#postings.has(synonym)) out.push({ term: synonym, weight: SYNONYM_WEIGHT });
    }
    return out;
  }

  #expandSpelling(term: string): { term: string; weight: number }[] {
    const out: { term: string; weight: number }[] = [];
    if (this.#postings.has(term)) out.push({ term, weight: 1 });
    const latin = /^[a-z][a-z0-9]*$/.test(term);
    if (!latin || term.length < 4) return out;
    const vocab = this.#vocab();
    // Prefix: "reimburs" meets "reimbursement", "vpn" meets "vpnclient".
    for (let i = lowerBound(vocab, term); i < vocab.length && out.length < MAX_EXPANSIONS; i++) {
      const candidate = vocab[i]!;
      if (!candidate.startsWith(term)) break;
      if (candidate !== term && candidate.length <= term.length + 6)
        out.push({ term: candidate, weight: PREFIX_WEIGHT });
    }
    if (out.length > 0 || term.length < 4) return out;
    // Light fuzziness for unknown words: one edit (two for long words), same first letter.
    const maxEdits = term.length >= 8 ? 2 : 1;
    const first = term[0]!;
    for (let i = lowerBound(vocab, first); i < vocab.length && out.length < MAX_EXPANSIONS; i++) {
      const candidate = vocab[i]!;
      if (candidate[0] !== first) break;
      if (Math.abs(candidate.length - term.length) > maxEdits) continue;
      if (editDistanceWithin(term, candidate, maxEdits)) out.push({ term: candidate, weight: FUZZY_WEIGHT });
    }
    return out;
  }

  #vocab(): string[] {
    if (!this.#sortedVocab) this.#sortedVocab = [...this.#postings.keys()].sort();
    return this.#sortedVocab;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function stemOf(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ');
}

function labelTerms(path: string, title: string, description: string | undefined): Set<string> {
  return new Set(tokenize(`${path.replace(/[/_.-]+/g, ' ')} ${title} ${description ?? ''}`));
}

function snippetOf(lines: readonly string[], start: number, end: number, terms: ReadonlySet<string>): string {
  let best = '';
  let bestHits = -1;
  for (let n = start; n <= end && n - start < 200; n++) {
    const line = lines[n - 1]?.trim() ?? '';
    if (!line || /^#{1,6}\s/.test(line) || /^\|?\s*:?-{3,}/.test(line)) continue;
    const hits = tokenize(line).filter((t) => terms.has(t)).length;
    if (hits > bestHits) {
      best = line;
      bestHits = hits;
    }
  }
  return best.length > 240 ? `${best.slice(0, 237)}...` : best;
}
