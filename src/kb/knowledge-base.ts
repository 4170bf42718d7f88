/** The knowledge base: one folder, its in-memory index, and the toolset over both. */
import { lstat, open, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import {
  appendBadCase,
  archiveOldBadCases,
  BADCASE_FILE,
  formatBadCase,
  nowStamp,
  parseBadCases,
  readBadCaseFile,
} from './badcase-store.ts';
import { ChangeWatcher } from './change-watcher.ts';
import { IsolatedConverter, type IsolationLimits } from './converters/isolated.ts';
import { DeletePlans } from './delete-plans.ts';
import { addSynonymRow, parseSynonymsTable, SYNONYMS_FILE } from './deployment-synonyms.ts';
import { type ExpertRow, findExpertsTable, loadExperts, pickExpert } from './experts.ts';
import { closestFaq, FAQ_FILE, formatFaq, readFaq } from './faq-store.ts';
import { applyFeedback } from './feedback.ts';
import { ingestSources } from './ingest.ts';
import { badCaseSchema, feedbackSchema, ingestSourcesSchema, parseInput, synonymsSchema } from './input-schemas.ts';
import type { KbInternals, KbLimits } from './internals.ts';
import { JOURNAL_FILE, replayJournal } from './journal.ts';
import { type FileStamp, isHiddenName, isListed, isSearchable, OVERVIEW_DIR, walkFiles } from './kb-files.ts';
import { buildTree, countFiles } from './kb-listing.ts';
import { type CrossProcessLock, WriteLocks } from './locks.ts';
import { moveDocument } from './move.ts';
import { overviewPathFor, writeOverview } from './overview.ts';
import { exists, normalisedOrUndefined, resolveInside } from './paths.ts';
import {
  buildReadmes,
  describeMarkdown,
  GENERATED_MARK,
  parseDescriptions,
  README_FILE,
  readmeIntro,
} from './readme-index.ts';
import { appendInside, removeInside, writeInside } from './safe-write.ts';
import { SearchIndex } from './search-index.ts';
import {
  type BadCase,
  type DeletePlan,
  type Expert,
  type FaqRow,
  type FeedbackInput,
  type FeedbackResult,
  type FileSlice,
  type IngestOptions,
  type IngestResult,
  type IngestSource,
  KbError,
  type KbStats,
  type KnowledgeBase,
  type MoveResult,
  type SearchHit,
  type SynonymsInput,
  type SynonymsResult,
  type TreeNode,
} from './types.ts';

/** A close FAQ match answers at once. */
export const FAQ_MATCH_THRESHOLD = 0.72;
const MAX_SEARCH_LIMIT = 50;
const MAX_QUERY_CHARS = 2000;
const MAX_INDEXED_FILE_BYTES = 8 * 1024 * 1024;
const MAX_SYNONYMS_FILE_BYTES = 1024 * 1024;

export interface KnowledgeBaseOptions {
  readonly root: string;
  readonly limits: KbLimits;
  /** Bounds of the conversion thread (CONVERT_TIMEOUT_MS, CONVERT_MAX_MEMORY_MB). */
  readonly isolation?: Partial<IsolationLimits>;
  /** Watch the folder for outside changes (else re-check on use). @default true */
  readonly watch?: boolean;
  /** Without a watcher, how often (at most, on use) the whole folder is re-checked. @default 3000 */
  readonly rescanIntervalMs?: number;
  readonly logger?: Logger;
  /** Called when the watcher marks a path changed (for tests). */
  readonly onDirty?: (rel: string) => void;
  /**
   * Several nodes: the lock that serialises writes across them (the cluster's
   * KB writer lease) instead of proper-lockfile; once it is held, the index
   * catches up with what the previous holder wrote. @default proper-lockfile
   */
  readonly crossProcessLock?: CrossProcessLock;
}

export class FolderKnowledgeBase implements KnowledgeBase {
  readonly root: string;
  readonly #index = new SearchIndex();
  readonly #locks: WriteLocks;
  readonly #limits: KbLimits;
  readonly #logger: Logger | undefined;
  readonly #watcher: ChangeWatcher;
  readonly #deletes = new DeletePlans();
  readonly #internals: KbInternals;
  readonly #converter: IsolatedConverter;
  #experts: { file: string; mtimeMs: number; rows: ExpertRow[] } | undefined;
  #syncing: Promise<void> | undefined;
  #faqCache: (FileStamp & { rows: FaqRow[] }) | undefined;
  /** No change to FAQ.md reported since its stamp was last checked. */
  #faqUnchanged = false;
  #realRoot: string | undefined;
  /** Stamp of the synonyms file last loaded ('' when there was none). */
  #synonymsStamp: string | undefined;

  constructor(options: KnowledgeBaseOptions) {
    this.root = options.root;
    this.#limits = options.limits;
    this.#logger = options.logger;
    this.#locks = new WriteLocks(
      options.root,
      options.crossProcessLock ? { crossProcess: options.crossProcessLock, afterAcquire: () => this.#catchUp() } : {},
    );
    this.#converter = new IsolatedConverter(options.isolation);
    this.#watcher = new ChangeWatcher(options.root, {
      enabled: options.watch ?? true,
      rescanIntervalMs: options.rescanIntervalMs ?? 3000,
      logger: options.logger,
      onDirty: options.onDirty,
    });
    this.#internals = {
      root: this.root,
      index: this.#index,
      locks: this.#locks,
      limits: this.#limits,
      logger: this.#logger,
      converter: this.#converter,
      syncPaths: (paths) => this.#syncPaths(paths),
      refreshReadme: () => this.#refreshReadme(),
      refreshOverview: (rel) => this.#refreshOverview(rel),
      updateFaq: (change) => this.#updateFaq(change),
      appendBadCase: (entry) => this.logBadCase(entry),
    };
  }

  /** The index, for benchmarks and diagnostics. */
  get index(): SearchIndex {
    return this.#index;
  }

  /** Re-reads one file into the index (or drops it when gone); what a watcher event leads to. */
  async reindexFile(input: string): Promise<void> {
    const { rel } = await resolveInside(this.root, input);
    await this.#syncPaths([rel]);
  }

  /**
   * Paths another node changed (its change notice): re-checked on the next
   * use, as a watcher event would be. Paths that are not plain relative
   * paths inside the root are ignored.
   */
  markChanged(paths: readonly string[]): void {
    this.#watcher.markDirty(paths.filter(isPlainRelative));
  }

  /** Changes may have been missed (another node's notices were lost): the next use re-checks the whole folder. */
  requestRescan(): void {
    this.#watcher.requestRescan();
  }

  /**
   * Finishes an ingestion or delete that a killed process left part-way (journal.ts), before load().
   * Under the INGEST lock: a journal whose process still runs is that process's to finish.
   */
  async recoverInterrupted(): Promise<void> {
    if (!(await exists(path.join(this.root, JOURNAL_FILE)))) return;
    await this.#locks.with('INGEST', () => replayJournal(this.root, this.#logger));
  }

  /** Reads every document into the index and the README descriptions into it. */
  async load(): Promise<void> {
    this.#index.clear();
    this.#synonymsStamp = undefined;
    await this.#refreshSynonyms();
    const files = await walkFiles(this.root);
    // READMEs first: a description they give is not replaced by one made from the document.
    for (const file of files) if (isReadme(file.path)) await this.#loadDescriptionsFrom(file.path);
    for (const file of files) if (isSearchable(file.path)) await this.#indexFile(file.path, file);
    this.#index.prime();
    await this.#watcher.ready;
    this.#watcher.markRescanned();
    this.#watcher.takeDirty();
  }

  async search(query: string, options?: { readonly limit?: number }): Promise<SearchHit[]> {
    await this.#catchUp();
    await this.#refreshSynonyms();
    const limit = Math.min(Math.max(1, options?.limit ?? 10), MAX_SEARCH_LIMIT);
    return this.#index.search(String(query).slice(0, MAX_QUERY_CHARS), limit);
  }

  async read(input: string, range?: { readonly startLine?: number; readonly endLine?: number }): Promise<FileSlice> {
    const { rel, lines } = (await this.#watchedLines(input)) ?? (await this.#readLines(input));
    const total = lines.length;
    const start = clampLine(range?.startLine ?? 1, total);
    const end = Math.max(start, clampLine(range?.endLine ?? total, total));
    return {
      path: rel,
      content: lines.slice(start - 1, end).join('\n'),
      startLine: start,
      endLine: end,
      totalLines: total,
    };
  }

  /**
   * An indexed file the watcher has reported no change to: its lines from
   * memory, with no stat or realpath (answers read sections every turn). Its
   * path is one the index holds, so it is inside the root and free of symlinks.
   */
  async #watchedLines(input: string): Promise<{ rel: string; lines: readonly string[] } | undefined> {
    const rel = normalisedOrUndefined(input);
    if (!this.#watcher.watching || rel === undefined) return undefined;
    await this.#catchUp();
    const stamp = this.#index.stamp(rel);
    const lines = this.#index.lines(rel);
    if (!stamp || !lines || stamp.size > this.#limits.maxReadBytes) return undefined;
    return { rel, lines };
  }

  async #readLines(input: string): Promise<{ rel: string; lines: readonly string[] }> {
    this.#realRoot ??= await realpath(this.root);
    const { abs, rel } = await resolveInside(this.root, input, this.#realRoot);
    // Hidden entries (.git, .env, dot-folders) and node_modules are never part of
    // the knowledge base, even under its root: read like files that do not exist.
    const hidden = rel.split('/').some(isHiddenName);
    const info = hidden ? undefined : await stat(abs).catch(() => undefined);
    if (!info) throw new KbError('KB_NOT_FOUND', `No such file: ${rel || '/'}`);
    if (!info.isFile()) throw new KbError('KB_NOT_A_FILE', `Not a file: ${rel || '/'}`);
    if (info.size > this.#limits.maxReadBytes) {
      throw new KbError('KB_TOO_LARGE', `${rel} is larger than ${this.#limits.maxReadBytes} bytes`);
    }
    // An indexed file unchanged since (same mtime and size) is served from memory: answers read sections every turn.
    const stamp = this.#index.stamp(rel);
    let lines = sameStamp(stamp, info) ? this.#index.lines(rel) : undefined;
    if (!lines) {
      const buffer = await readFile(abs);
      if (buffer.subarray(0, 8000).includes(0)) {
        throw new KbError('KB_UNSUPPORTED_TYPE', `${rel} is a binary file; read its Markdown description instead`);
      }
      lines = buffer.toString('utf8').split(/\r?\n/);
      if (isSearchable(rel)) void this.#syncPaths([rel]).catch(() => undefined);
    }
    return { rel, lines };
  }

  async tree(): Promise<TreeNode> {
    await this.#catchUp();
    return buildTree(this.root, (rel) => this.#index.description(rel));
  }

  async stats(): Promise<KbStats> {
    return countFiles(this.root, (await this.faq()).length, (await this.badCases()).length);
  }

  /**
   * FAQ rows, re-read only when FAQ.md changed (it is read on every question):
   * while the folder is watched, only when the watcher reported it; else
   * when its stamp differs.
   */
  async faq(): Promise<FaqRow[]> {
    await this.#catchUp();
    if (this.#faqCache && this.#faqUnchanged && this.#watcher.watching) return [...this.#faqCache.rows];
    this.#faqUnchanged = true;
    const file = path.join(this.root, FAQ_FILE);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      this.#faqCache = undefined;
      return [];
    }
    if (sameStamp(this.#faqCache, info)) return [...this.#faqCache.rows];
    const rows = await readFaq(file);
    this.#faqCache = { mtimeMs: info.mtimeMs, size: info.size, rows };
    return [...rows];
  }

  async badCases(): Promise<BadCase[]> {
    return parseBadCases(await readBadCaseFile(path.join(this.root, BADCASE_FILE)));
  }

  async matchFaq(
    question: string,
    options?: { readonly countUse?: boolean; readonly threshold?: number },
  ): Promise<{ readonly row: FaqRow; readonly score: number } | undefined> {
    const best = closestFaq(await this.faq(), question, (term) => this.#index.idf(term));
    if (!best || best.score < (options?.threshold ?? FAQ_MATCH_THRESHOLD)) return undefined;
    if (!options?.countUse) return best;
    let updated = best;
    await this.#updateFaq((rows) => {
      const i = rows.findIndex((r) => r.question === best.row.question);
      if (i < 0) return undefined;
      const row = { ...rows[i]!, usage: rows[i]!.usage + 1 };
      updated = { row, score: best.score };
      return rows.map((r, j) => (j === i ? row : r));
    });
    return updated;
  }

  async feedback(input: FeedbackInput): Promise<FeedbackResult> {
    return applyFeedback(this.#internals, parseInput(feedbackSchema, input, 'feedback'));
  }

  async logBadCase(input: Omit<BadCase, 'date'>): Promise<void> {
    const entry = parseInput(badCaseSchema, input, 'bad case');
    await this.#locks.with(BADCASE_FILE, async () => {
      const file = path.join(this.root, BADCASE_FILE);
      const record = { date: nowStamp(), ...entry };
      // Appending keeps each entry O(1) as the log grows; a new or oddly ended file is rewritten whole.
      const tail = await readTail(file, 2).catch(() => '');
      if (tail.endsWith('\n')) {
        await appendInside(this.root, BADCASE_FILE, `${tail === '\n\n' ? '' : '\n'}${formatBadCase(record)}`);
      } else {
        const content = await readBadCaseFile(file);
        await writeInside(this.root, BADCASE_FILE, appendBadCase(content, record));
      }
      await archiveOldBadCases(this.root);
    });
  }

  async findExpert(question: string): Promise<Expert | undefined> {
    const file = await findExpertsTable(this.root);
    if (!file) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    if (!this.#experts || this.#experts.file !== file || this.#experts.mtimeMs !== info.mtimeMs) {
      const rows = await loadExperts(file).catch((error: unknown) => {
        this.#logger?.warn({ err: error, file }, 'experts table unreadable');
        return [];
      });
      this.#experts = { file, mtimeMs: info.mtimeMs, rows };
    }
    await this.#refreshSynonyms();
    return pickExpert(this.#experts.rows, question, this.#index.lexicon);
  }

  async ingest(sources: readonly IngestSource[], options?: IngestOptions): Promise<IngestResult[]> {
    const checked = parseInput(ingestSourcesSchema, sources, 'files to ingest');
    await this.#catchUp();
    return ingestSources(this.#internals, checked, options ?? {});
  }

  planDelete(input: string): Promise<DeletePlan> {
    return this.#deletes.plan(this.#internals, input);
  }

  confirmDelete(token: string): Promise<{ readonly deleted: readonly string[] }> {
    return this.#deletes.confirm(this.#internals, String(token));
  }

  async move(input: string, folder: string): Promise<MoveResult> {
    await this.#catchUp();
    return moveDocument(this.#internals, String(input), String(folder));
  }

  async addSynonyms(input: SynonymsInput): Promise<SynonymsResult> {
    const { term, sameAs } = parseInput(synonymsSchema, input, 'synonyms');
    const added = await this.#locks.with(SYNONYMS_FILE, async () => {
      const file = path.join(this.root, SYNONYMS_FILE);
      const info = await stat(file).catch(() => undefined);
      if (info && info.size > MAX_SYNONYMS_FILE_BYTES) {
        throw new KbError('KB_TOO_LARGE', `${SYNONYMS_FILE} is over ${MAX_SYNONYMS_FILE_BYTES} bytes; trim it first`);
      }
      const before = info?.isFile() ? await readFile(file, 'utf8') : undefined;
      const edit = addSynonymRow(before, term, sameAs);
      if (edit.content !== undefined) await writeInside(this.root, SYNONYMS_FILE, edit.content);
      return edit.added;
    });
    // Read back now, not at the next search's stat: a rewrite within the same millisecond keeps the stamp.
    this.#synonymsStamp = undefined;
    await this.#refreshSynonyms();
    this.#logger?.info({ file: SYNONYMS_FILE, term, added }, 'synonyms added');
    return { file: SYNONYMS_FILE, term, added };
  }

  async rebuildIndex(): Promise<void> {
    await this.load();
    await this.#locks.with('INGEST', async () => {
      for (const rel of this.#index.paths()) await this.#refreshOverview(rel);
    });
    await this.#refreshReadme();
  }

  /**
   * Writes missing overviews, and brings README.md (and its sub-READMEs) in line with the files on disk:
   * a process killed between moving a document into place (or removing one) and rewriting the index
   * left it listing what is not there, or missing what is.
   */
  async ensureGenerated(): Promise<void> {
    for (const rel of this.#index.paths()) {
      const stamp = this.#index.stamp(rel);
      if (stamp && stamp.size >= this.#limits.smallFileThresholdBytes) {
        const overview = await overviewPathFor(this.root, rel);
        if (!(await exists(path.join(this.root, overview)))) {
          await this.#locks.with('INGEST', () => this.#refreshOverview(rel));
        }
      }
    }
    await this.#refreshReadme();
  }

  /** Starts the document-conversion thread ahead of the first upload. */
  warmConverter(): void {
    this.#converter.warm();
  }

  async close(): Promise<void> {
    this.#watcher.close();
    await this.#converter.close();
  }

  /** Reads the deployment's synonyms (.docent/synonyms.md) when it appeared, changed or went away: one stat a search. */
  async #refreshSynonyms(): Promise<void> {
    const file = path.join(this.root, SYNONYMS_FILE);
    const stats = await stat(file).catch(() => undefined);
    const info = stats?.isFile() ? stats : undefined;
    const stamp = info ? `${info.mtimeMs}:${info.size}` : '';
    if (stamp === this.#synonymsStamp) return;
    this.#synonymsStamp = stamp;
    if (!info || info.size > MAX_SYNONYMS_FILE_BYTES) {
      if (info) this.#logger?.warn({ file: SYNONYMS_FILE, size: info.size }, 'synonyms file too large; ignored');
      this.#index.setSynonyms([]);
      return;
    }
    const content = await readFile(file, 'utf8').catch(() => '');
    const groups = parseSynonymsTable(content);
    this.#index.setSynonyms(groups);
    this.#logger?.info({ file: SYNONYMS_FILE, groups: groups.length }, 'synonyms loaded');
  }

  /** Applies outside changes reported by the watcher (or found by a periodic check) before a use. */
  async #catchUp(): Promise<void> {
    if (this.#syncing) return this.#syncing;
    const dirty = this.#watcher.takeDirty();
    const rescan = this.#watcher.needsRescan();
    if (dirty.length === 0 && !rescan) return;
    this.#syncing = (async () => {
      if (rescan) {
        this.#watcher.markRescanned();
        this.#faqUnchanged = false;
        const onDisk = await walkFiles(this.root);
        const seen = new Set(onDisk.map((f) => f.path));
        const changed = onDisk.filter((f) => isSearchable(f.path) && !sameStamp(this.#index.stamp(f.path), f));
        const gone = this.#index.paths().filter((p) => !seen.has(p));
        await this.#syncPaths([...changed.map((f) => f.path), ...gone, ...dirty]);
      } else {
        await this.#syncPaths(dirty);
      }
    })().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncPaths(paths: readonly string[]): Promise<void> {
    for (const rel of new Set(paths)) {
      if (rel === FAQ_FILE) this.#faqUnchanged = false;
      if (isReadme(rel)) {
        await this.#loadDescriptionsFrom(rel);
        continue;
      }
      if (!isSearchable(rel)) {
        // A folder may have been removed or renamed: drop what lived under it.
        for (const p of this.#index.paths()) if (p.startsWith(`${rel}/`)) await this.#syncPaths([p]);
        continue;
      }
      const info = await lstat(path.join(this.root, rel)).catch(() => undefined);
      if (!info?.isFile()) {
        this.#index.remove(rel);
        continue;
      }
      if (sameStamp(this.#index.stamp(rel), info)) continue;
      await this.#indexFile(rel, info);
    }
  }

  async #indexFile(rel: string, info: { size: number; mtimeMs: number }): Promise<void> {
    if (info.size > MAX_INDEXED_FILE_BYTES) {
      this.#logger?.warn({ path: rel, size: info.size }, 'file too large to index; skipped');
      return;
    }
    const content = await readFile(path.join(this.root, rel), 'utf8').catch(() => undefined);
    if (content === undefined) {
      this.#index.remove(rel);
      return;
    }
    this.#index.upsert(rel, content, info);
    if (!this.#index.description(rel)) this.#index.setDescription(rel, describeMarkdown(content, rel));
  }

  async #loadDescriptionsFrom(readmeRel: string): Promise<void> {
    const content = await readFile(path.join(this.root, readmeRel), 'utf8').catch(() => '');
    const base = path.posix.dirname(readmeRel);
    for (const [rel, description] of parseDescriptions(content, base === '.' ? '' : base)) {
      this.#index.setDescription(rel, description);
    }
  }

  /** Writes README.md and its sub-READMEs from the files on disk (those whose content changed), under the README lock. */
  async #refreshReadme(): Promise<void> {
    await this.#locks.with(README_FILE, async () => {
      const files = (await walkFiles(this.root)).filter((f) => isListed(f.path));
      const entries = files.map((f) => ({
        path: f.path,
        size: f.size,
        description: this.#index.description(f.path) ?? describeData(f.path),
      }));
      const intro = readmeIntro(await readFile(path.join(this.root, README_FILE), 'utf8').catch(() => ''));
      const readmes = buildReadmes(entries, intro);
      for (const [rel, content] of readmes) {
        const before = await readFile(path.join(this.root, rel), 'utf8').catch(() => undefined);
        if (before !== content) await writeInside(this.root, rel, content);
      }
      // Sub-READMEs Docent wrote earlier that the layout no longer needs.
      for (const f of await walkFiles(this.root)) {
        if (!f.path.endsWith(`/${README_FILE}`) || readmes.has(f.path)) continue;
        const content = await readFile(path.join(this.root, f.path), 'utf8').catch(() => '');
        if (content.includes(GENERATED_MARK)) await removeInside(this.root, f.path);
      }
    });
  }

  async #refreshOverview(rel: string): Promise<void> {
    const stamp = this.#index.stamp(rel);
    const lines = this.#index.lines(rel);
    if (!stamp || !lines || stamp.size < this.#limits.smallFileThresholdBytes) return;
    await writeOverview(this.root, rel, lines.join('\n'), stamp.size);
  }

  async #updateFaq(change: (rows: FaqRow[]) => FaqRow[] | undefined): Promise<FaqRow[]> {
    return this.#locks.with(FAQ_FILE, async () => {
      const file = path.join(this.root, FAQ_FILE);
      const rows = await readFaq(file);
      const next = change(rows);
      if (!next) return rows;
      await writeInside(this.root, FAQ_FILE, formatFaq(next.slice(-this.#limits.faqMaxEntries)));
      // After the write: a faq() that ran meanwhile may have cached the old rows.
      this.#faqCache = undefined;
      return next;
    });
  }
}

async function readTail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(bytes, size));
    await handle.read(buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function describeData(rel: string): string {
  const ext = path.extname(rel).slice(1).toUpperCase() || 'binary';
  return rel.startsWith(`${OVERVIEW_DIR}/`) ? 'Contents overview' : `${ext} file`;
}

function sameStamp(known: FileStamp | undefined, now: FileStamp): known is FileStamp {
  return known !== undefined && known.mtimeMs === now.mtimeMs && known.size === now.size;
}

function clampLine(n: number, total: number): number {
  if (!Number.isFinite(n)) return 1;
  return Math.min(Math.max(1, Math.trunc(n)), Math.max(1, total));
}

function isReadme(rel: string): boolean {
  return rel === README_FILE || rel.endsWith(`/${README_FILE}`);
}

/** Already in the `a/b/c.md` form normaliseRelative gives, and not the root itself. */
function isPlainRelative(rel: string): boolean {
  return rel !== '' && normalisedOrUndefined(rel) === rel;
}
