/** Opens a knowledge-base folder (seeding it from the sample when empty) and returns its toolset. */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { SYNONYMS_FILE } from './deployment-synonyms.ts';
import { walkFiles } from './kb-files.ts';
import { FolderKnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.ts';
import { exists } from './paths.ts';

export { FolderKnowledgeBase } from './knowledge-base.ts';
export { isAdminOnlyPath } from './paths.ts';

export interface OpenKnowledgeBaseOptions
  extends Pick<
    KnowledgeBaseOptions,
    'root' | 'logger' | 'isolation' | 'watch' | 'rescanIntervalMs' | 'crossProcessLock'
  > {
  /** Files at or above this many KB get a contents overview. */
  readonly smallFileThresholdKb: number;
  readonly faqMaxEntries: number;
  /** Copied into `root` when `root` is missing or empty. */
  readonly seedFrom?: string;
  /** Largest file ingestion accepts. @default 50 MiB */
  readonly maxSourceBytes?: number;
  /** Most cells a spreadsheet may span. @default 2,000,000 */
  readonly maxCells?: number;
}

/** Present in the root while the sample is being copied in. */
const SEEDING_MARKER = '.docent-seeding';

export async function openKnowledgeBase(options: OpenKnowledgeBaseOptions): Promise<FolderKnowledgeBase> {
  const root = path.resolve(options.root);
  await mkdir(root, { recursive: true });
  if (options.seedFrom) {
    const entries = (await readdir(root)).filter((e) => !e.startsWith('.'));
    // A seeding cut short (the process killed while copying) left part of the sample, some files torn:
    // the marker says so, and the copy is done again over what it left.
    const marker = path.join(root, SEEDING_MARKER);
    const interrupted = await exists(marker);
    if (entries.length === 0 || interrupted) {
      await writeFile(marker, '');
      await cp(path.resolve(options.seedFrom), root, { recursive: true, errorOnExist: false, force: interrupted });
      await rm(marker, { force: true });
      options.logger?.info({ root, seedFrom: options.seedFrom, interrupted }, 'knowledge base seeded from the sample');
    } else {
      await addSampleSynonyms(root, path.resolve(options.seedFrom), options.logger);
    }
  }
  const kb = new FolderKnowledgeBase({
    root,
    logger: options.logger,
    watch: options.watch,
    rescanIntervalMs: options.rescanIntervalMs,
    crossProcessLock: options.crossProcessLock,
    isolation: options.isolation,
    limits: {
      smallFileThresholdBytes: options.smallFileThresholdKb * 1024,
      faqMaxEntries: options.faqMaxEntries,
      maxSourceBytes: options.maxSourceBytes ?? 50 * 1024 * 1024,
      maxConvertedBytes: 20 * 1024 * 1024,
      maxReadBytes: 20 * 1024 * 1024,
      maxCells: options.maxCells,
    },
  });
  try {
    await kb.recoverInterrupted().catch((error: unknown) => {
      // The files it names could not be removed: the knowledge base still serves, and the next
      // ingestion or delete tries again (and reports why it cannot).
      options.logger?.error({ err: error, root }, 'an interrupted ingestion or delete could not be finished');
    });
    await kb.load();
    await kb.ensureGenerated();
  } catch (error) {
    await kb.close();
    throw error;
  }
  return kb;
}

/**
 * A knowledge base seeded from the sample before the sample's wordings moved into its synonyms table
 * (they were code until then) gets the table, so an upgrade does not lose them. Only where most of the
 * sample's documents are still there and there is no table: a deployment's own table is never touched.
 */
async function addSampleSynonyms(root: string, sample: string, logger: Logger | undefined): Promise<void> {
  if ((await exists(path.join(root, SYNONYMS_FILE))) || !(await exists(path.join(sample, SYNONYMS_FILE)))) return;
  const documents = (await walkFiles(sample)).map((f) => f.path);
  if (documents.length === 0) return;
  let kept = 0;
  for (const rel of documents) if (await exists(path.join(root, rel))) kept++;
  if (kept * 2 < documents.length) return;
  await mkdir(path.dirname(path.join(root, SYNONYMS_FILE)), { recursive: true });
  await cp(path.join(sample, SYNONYMS_FILE), path.join(root, SYNONYMS_FILE), { errorOnExist: false, force: false });
  logger?.info({ root, file: SYNONYMS_FILE }, "the sample's synonyms table was added (seeded before it existed)");
}
