/**
 * The knowledge base's toolset as its users see it: the offline engine, the
 * Claude engine's MCP tools, the HTTP routes and the CLI all call this one
 * interface. Paths are always relative to the knowledge-base root, with `/`.
 */

export interface SearchHit {
  readonly path: string;
  readonly heading: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly score: number;
  readonly snippet: string;
  /** Title of the document (first H1, else its file name). */
  readonly title?: string;
  /** Headings from the document's top down to this section. */
  readonly trail?: readonly string[];
  /** Share of the query's weight this section matches, 0..1: how well it answers, not just ranks. */
  readonly coverage?: number;
  /** Index terms of the query (with prefix/fuzzy expansions) found in this section. */
  readonly matchedTerms?: readonly string[];
  /** Weight of each matched term (idf times match quality), for picking the most telling sentences. */
  readonly termWeights?: Readonly<Record<string, number>>;
  /** Each word of the question, with the index term through which this section best matches it (if any). */
  readonly questionWords?: readonly QuestionWordMatch[];
}

export interface QuestionWordMatch {
  /** The question's word (stemmed), or a lexicon phrase of it ("clock in"). */
  readonly word: string;
  readonly idf: number;
  /** The index term of the section that stands for it: the word, a translation, a synonym... */
  readonly matchedAs?: string;
  /** 1 for the word itself, less for a translation, synonym or piece; 0 when unmatched. */
  readonly weight: number;
  /** Whether the knowledge base holds the word, or one of its expansions, anywhere. */
  readonly known: boolean;
  /** A common word that frames the question rather than naming its subject (see QueryTerm.framing). */
  readonly framing?: boolean;
}

export interface FileSlice {
  readonly path: string;
  readonly content: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly totalLines: number;
}

export interface TreeNode {
  readonly name: string;
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly description?: string;
  readonly children?: readonly TreeNode[];
}

export interface KbStats {
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  readonly byExtension: Readonly<Record<string, number>>;
  readonly faqEntries: number;
  readonly badCases: number;
}

export interface FaqRow {
  readonly question: string;
  readonly answer: string;
  readonly usage: number;
}

export interface BadCase {
  readonly date: string;
  readonly question: string;
  readonly answer: string;
  readonly feedback: string;
  readonly source: string;
}

export interface Expert {
  readonly domain: string;
  readonly name: string;
  readonly contact: string;
}

export interface FeedbackInput {
  readonly question: string;
  /** The answer as the user saw it (its citations tell FAQ from document answers). */
  readonly answer: string;
  readonly satisfied: boolean;
  readonly reason?: string;
  /**
   * Who vouches for an answer that cites no document (a domain expert's reply):
   * with it, a satisfied rating adds the answer to the FAQ like a document answer.
   */
  readonly vouchedBy?: string;
}

export interface FeedbackResult {
  readonly action: 'faq_usage_incremented' | 'faq_added' | 'faq_removed' | 'badcase_logged' | 'none';
  readonly message: string;
}

export interface IngestSource {
  /** The name the user gave the file (used for its title and stored name). */
  readonly name: string;
  /** Absolute path of the uploaded bytes, inside Docent's upload directory. */
  readonly sourcePath: string;
}

export interface Conflict {
  readonly kind: 'duplicate' | 'figures';
  readonly existingPath: string;
  readonly existingLines: string;
  readonly existingText: string;
  readonly incomingText: string;
}

/** The steps of one file's ingestion, then how it ended. */
export type IngestStage = 'converting' | 'checking' | 'placing' | 'indexing' | IngestResult['status'];

export interface IngestProgress {
  /** 1-based position of the file being worked on. */
  readonly index: number;
  readonly total: number;
  readonly name: string;
  readonly stage: IngestStage;
  readonly message?: string;
}

export interface IngestResult {
  readonly name: string;
  readonly status: 'added' | 'conflict' | 'failed' | 'skipped';
  /** Where it was written, when added. */
  readonly path?: string;
  /** Why it was not added; for an added one, what derived file (its overview, the README) could not be written. */
  readonly reason?: string;
  readonly conflicts?: readonly Conflict[];
  /** Where an added document went, and why. */
  readonly placement?: Placement;
}

export interface Placement {
  readonly folder: string;
  /** True when the folder did not exist before. */
  readonly created: boolean;
  /** In words: the similar documents that decided it, or why none did. */
  readonly reason: string;
  /** What decided it, for a reply in the admin's language (`reason` is English). */
  readonly basis: PlacementBasis;
}

export type PlacementBasis =
  /** Most like these documents, with this share (0..1) of the similarity to existing documents. */
  | { readonly kind: 'similar'; readonly examples: readonly string[]; readonly share: number }
  /** No folder clearly closest (the best one and its share); named after the headings. */
  | { readonly kind: 'unclear'; readonly best: string; readonly share: number }
  /** Nothing alike in the knowledge base; named after the headings. */
  | { readonly kind: 'new' }
  | { readonly kind: 'chosen' };

export interface IngestOptions {
  /** Add even when a conflict is found. */
  readonly force?: boolean;
  /** Put the document in this folder (relative to the root) instead of choosing one. */
  readonly folder?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
}

export interface DeletePlan {
  /** Pass to confirmDelete() to carry it out; expires after a few minutes. */
  readonly token: string;
  /** Every path that will go (the file, its images folder, its overview). */
  readonly paths: readonly string[];
}

/**
 * An expansion of a question word weighted at least this much is the word
 * itself or its translation; below it are same-language synonyms and pieces.
 * Search, coverage and answer checks all draw the line here.
 */
export const TRANSLATION_FLOOR = 0.8;

export const KB_ERROR_CODES = [
  'KB_PATH_OUTSIDE_ROOT',
  'KB_PATH_INVALID',
  'KB_NOT_FOUND',
  'KB_NOT_A_FILE',
  'KB_TOO_LARGE',
  'KB_DELETE_TOKEN_INVALID',
  'KB_CONVERT_FAILED',
  'KB_UNSUPPORTED_TYPE',
  'KB_INPUT_INVALID',
  'KB_BUSY',
  'KB_LEASE_LOST',
] as const;

export type KbErrorCode = (typeof KB_ERROR_CODES)[number];

/**
 * Error with a fixed code for bad paths, missing files, bad tokens, failed
 * conversions. The API's status for each code is in src/http/errors.ts.
 */
export class KbError extends Error {
  constructor(
    readonly code: KbErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KbError';
  }
}

export interface KnowledgeBase {
  /** Absolute root folder (never shown to unauthenticated callers). */
  readonly root: string;
  search(query: string, options?: { readonly limit?: number }): Promise<SearchHit[]>;
  read(path: string, range?: { readonly startLine?: number; readonly endLine?: number }): Promise<FileSlice>;
  tree(): Promise<TreeNode>;
  stats(): Promise<KbStats>;
  faq(): Promise<FaqRow[]>;
  badCases(): Promise<BadCase[]>;
  /** The closest FAQ row when it is close enough; `countUse` adds one to its usage (a FAQ answer given). */
  matchFaq(
    question: string,
    options?: { readonly countUse?: boolean; readonly threshold?: number },
  ): Promise<{ readonly row: FaqRow; readonly score: number } | undefined>;
  feedback(input: FeedbackInput): Promise<FeedbackResult>;
  logBadCase(entry: Omit<BadCase, 'date'>): Promise<void>;
  findExpert(question: string): Promise<Expert | undefined>;
  ingest(sources: readonly IngestSource[], options?: IngestOptions): Promise<IngestResult[]>;
  planDelete(path: string): Promise<DeletePlan>;
  confirmDelete(token: string): Promise<{ readonly deleted: readonly string[] }>;
  /** Moves a document, with its images and data file, into `folder` ('' for the top folder), keeping its name. */
  move(path: string, folder: string): Promise<MoveResult>;
  rebuildIndex(): Promise<void>;
  /**
   * Adds wordings to the deployment's synonyms table (`.docent/synonyms.md`): to the row of `term`, or a
   * new row. Searches use them at once.
   */
  addSynonyms(input: SynonymsInput): Promise<SynonymsResult>;
  close(): Promise<void>;
}

export interface MoveResult {
  /** Each file moved, the document first. */
  readonly moved: readonly { readonly from: string; readonly to: string }[];
}

export interface SynonymsInput {
  readonly term: string;
  readonly sameAs: readonly string[];
}

export interface SynonymsResult {
  readonly file: string;
  readonly term: string;
  /** The wordings the row did not hold before (empty: it had them all). */
  readonly added: readonly string[];
}
