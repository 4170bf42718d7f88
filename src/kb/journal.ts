/**
 * All or nothing for the operations that change several files at once: an ingestion moves in a
 * document with its data file or images, a delete removes a file with its companions. A kill -9
 * between two of those files must not leave half of them.
 *
 * Before the first change, the operation writes (atomically) the paths that must be gone should it
 * not finish; once every change is made, it removes that journal. A journal found later means a
 * process stopped in between, and the paths it lists are removed: that one step rolls a half
 * ingestion back (its targets were free when it began, under the same lock) and carries a half
 * delete through. Removing again what is already gone is harmless, so a kill during the recovery is
 * recovered by the next one. A move (a document with its companions into another folder) is carried
 * through instead: each file still at its old place is moved on, and the folder it left goes when
 * empty, as after a move that finished. Everything here runs under the INGEST lock, as the
 * operations do.
 */
import { lstat, readFile, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { KbInternals } from './internals.ts';
import { exists, resolveInside } from './paths.ts';
import { prepareWrite, removeInside, writeInside } from './safe-write.ts';
import { KbError } from './types.ts';

export const JOURNAL_FILE = '.docent-journal.json';

export interface Move {
  readonly from: string;
  readonly to: string;
}

interface Journal {
  readonly operation: 'ingest' | 'delete' | 'move';
  /** Relative paths removed when the operation did not finish. */
  readonly remove: readonly string[];
  /** For a move: the renames still to make. */
  readonly moves?: readonly Move[];
}

/** Runs `apply` with the journal in place; when it throws, what it did is undone or finished as after a kill. */
export async function journaled<T>(
  root: string,
  operation: Journal['operation'],
  removeUnlessFinished: readonly string[],
  apply: () => Promise<T>,
): Promise<T> {
  await writeInside(root, JOURNAL_FILE, JSON.stringify({ operation, remove: removeUnlessFinished }));
  let result: T;
  try {
    result = await apply();
  } catch (error) {
    // Should this fail too, the journal stays and the next operation or open tries again.
    await removeAll(root, removeUnlessFinished).catch(() => undefined);
    throw error;
  }
  await rm(path.join(root, JOURNAL_FILE), { force: true });
  return result;
}

/**
 * Makes `moves` (each a rename within the root), removes the folders they emptied and then `remove`,
 * with the journal in place: a kill in between is carried through by the next recovery. When a rename fails here, those made are
 * undone and the error is thrown.
 */
export async function journaledMoves(root: string, moves: readonly Move[], remove: readonly string[]): Promise<void> {
  await writeInside(root, JOURNAL_FILE, JSON.stringify({ operation: 'move', remove, moves }));
  const done: Move[] = [];
  try {
    for (const move of moves) {
      await rename(path.join(root, move.from), await prepareWrite(root, move.to));
      done.push(move);
    }
  } catch (error) {
    for (const move of done.reverse()) await rename(path.join(root, move.to), path.join(root, move.from));
    await rm(path.join(root, JOURNAL_FILE), { force: true });
    throw error;
  }
  await removeEmptiedFolders(root, moves);
  await removeAll(root, remove);
}

/**
 * Finishes what a stopped operation's journal lists (the caller holds the INGEST lock). Returns the
 * paths removed; throws, leaving the journal, when one of them cannot be removed.
 */
export async function replayJournal(root: string, logger?: Logger): Promise<string[]> {
  const file = path.join(root, JOURNAL_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return [];
  const journal = parseJournal(text);
  if (!journal) {
    // Written whole or not at all (temp file + rename): an unreadable one is not Docent's.
    logger?.warn({ file: JOURNAL_FILE }, 'unreadable operation journal ignored and removed');
    await rm(file, { force: true });
    return [];
  }
  const moved = journal.moves ? await finishMoves(root, journal.moves) : [];
  const removed = [...moved, ...(await removeAll(root, journal.remove, logger))];
  logger?.warn(
    { operation: journal.operation, removed },
    journal.operation === 'ingest'
      ? 'an ingestion stopped part-way (the process was killed) was rolled back'
      : `a ${journal.operation} stopped part-way (the process was killed) was finished`,
  );
  return removed;
}

/** replayJournal for a running knowledge base: the index and README.md follow what it removed. */
export async function recoverInterrupted(kb: KbInternals): Promise<void> {
  const removed = await replayJournal(kb.root, kb.logger);
  if (removed.length === 0) return;
  await kb.syncPaths(removed);
  await kb.refreshReadme();
}

/** The renames a killed move did not make, made now; returns the paths they touched. */
async function finishMoves(root: string, moves: readonly Move[]): Promise<string[]> {
  const touched: string[] = [];
  for (const move of moves) {
    touched.push(move.from, move.to);
    // Checked like every write: a journal edited by hand moves nothing from outside the root.
    const { abs: from } = await resolveInside(root, move.from);
    const pending = (await exists(from, lstat)) && !(await exists(path.join(root, move.to), lstat));
    if (pending) await rename(from, await prepareWrite(root, move.to));
  }
  await removeEmptiedFolders(root, moves);
  return touched;
}

/** The folders the moves left go when nothing is left in them (rmdir removes only an empty one). */
async function removeEmptiedFolders(root: string, moves: readonly Move[]): Promise<void> {
  const folders = new Set(moves.map((m) => path.posix.dirname(m.from)).filter((dir) => dir !== '.'));
  for (const folder of folders) {
    const { abs } = await resolveInside(root, folder);
    await rmdir(abs).catch(() => undefined);
  }
}

async function removeAll(root: string, paths: readonly string[], logger?: Logger): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of paths) {
    try {
      if (!(await exists(path.join(root, rel), lstat))) continue;
      await removeInside(root, rel);
      removed.push(rel);
    } catch (error) {
      // A path that leads outside the root was never written by the operation (safe-write.ts refused it).
      if (!(error instanceof KbError)) throw error;
      logger?.warn({ err: error, path: rel }, 'operation journal names a path outside the knowledge base; skipped');
    }
  }
  await rm(path.join(root, JOURNAL_FILE), { force: true });
  return removed;
}

function parseJournal(text: string): Journal | undefined {
  try {
    const value = JSON.parse(text) as Partial<Journal>;
    const operation = value.operation;
    if (operation !== 'ingest' && operation !== 'delete' && operation !== 'move') return undefined;
    if (!Array.isArray(value.remove) || !value.remove.every((p) => typeof p === 'string')) return undefined;
    const moves = value.moves;
    if (moves === undefined) return { operation, remove: value.remove };
    const isMove = (m: unknown): m is Move =>
      typeof m === 'object' && m !== null && typeof (m as Move).from === 'string' && typeof (m as Move).to === 'string';
    if (!Array.isArray(moves) || !moves.every(isMove)) return undefined;
    return { operation, remove: value.remove, moves };
  } catch {
    return undefined;
  }
}
