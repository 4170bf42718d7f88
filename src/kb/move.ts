/**
 * Organising the knowledge base: a document moves into another folder with its companions (images, the
 * data file it was made of), keeping its name and its README description; its contents overview follows.
 * All or nothing across kill -9 (journal.ts), under the INGEST lock like ingestion and delete.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { KbInternals } from './internals.ts';
import { journaledMoves, recoverInterrupted } from './journal.ts';
import { isHiddenName, isListed, OVERVIEW_DIR, withCompanions } from './kb-files.ts';
import { existingOverviewOf } from './overview.ts';
import { exists, resolveInside } from './paths.ts';
import { KbError, type MoveResult } from './types.ts';

/** Folders deeper than this are refused: a tree an admin can still read. */
const MAX_FOLDER_DEPTH = 6;
/**
 * A folder's whole path, in UTF-8 bytes: a contents overview may be named after the folder and the file
 * (`contents_overview/<folder>__<stem>_overview.md`), and that name must fit a file system's 255 bytes,
 * as placement.ts keeps it for the folders ingestion makes.
 */
const MAX_FOLDER_BYTES = 100;

export async function moveDocument(kb: KbInternals, input: string, folderInput: string): Promise<MoveResult> {
  const { abs, rel } = await resolveInside(kb.root, input);
  const info = await lstat(abs).catch(() => undefined);
  if (!info) throw new KbError('KB_NOT_FOUND', `No such file: ${rel}`);
  if (!info.isFile()) throw new KbError('KB_NOT_A_FILE', `Not a file: ${rel}`);
  if (!isListed(rel)) throw new KbError('KB_PATH_INVALID', `${rel} is a system file and cannot be moved`);
  const folder = documentFolder(folderInput);
  await resolveInside(kb.root, folder || '.');
  const current = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
  if (current === folder) {
    throw new KbError('KB_INPUT_INVALID', `${rel} is already in ${folder || 'the top folder'}`);
  }
  return kb.locks.with('INGEST', async () => {
    await recoverInterrupted(kb);
    const moves = (await withCompanions(kb.root, rel)).map((from) => ({
      from,
      to: folder ? `${folder}/${path.posix.basename(from)}` : path.posix.basename(from),
    }));
    for (const { to } of moves) {
      if (await exists(path.join(kb.root, to), lstat)) {
        throw new KbError('KB_INPUT_INVALID', `${to} already exists; move or rename it first`);
      }
    }
    // The overview names the old path: it goes, and the new one is written for the new path.
    const overview = await existingOverviewOf(kb.root, rel);
    const staleOverview = overview ? [overview] : [];
    const descriptions = moves.map((m) => kb.index.description(m.from));
    // The folder it leaves goes too when nothing is left in it.
    await journaledMoves(kb.root, moves, staleOverview);
    await kb.syncPaths([...moves.flatMap((m) => [m.from, m.to]), ...staleOverview]);
    moves.forEach((m, i) => {
      const description = descriptions[i];
      if (description) kb.index.setDescription(m.to, description);
    });
    await kb.refreshOverview(moves[0]!.to);
    await kb.refreshReadme();
    kb.logger?.info({ from: rel, folder, files: moves.length }, 'document moved');
    return { moved: moves };
  });
}

/** The folder an admin named, as a relative path ('' for the top folder), or a clear refusal. */
function documentFolder(input: string): string {
  const segments = input
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean);
  if (segments.length > MAX_FOLDER_DEPTH) {
    throw new KbError('KB_INPUT_INVALID', `A folder may be at most ${MAX_FOLDER_DEPTH} levels deep`);
  }
  if (Buffer.byteLength(segments.join('/')) > MAX_FOLDER_BYTES) {
    throw new KbError('KB_INPUT_INVALID', `A folder path may be at most ${MAX_FOLDER_BYTES} bytes long`);
  }
  for (const segment of segments) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    const bad = /[\u0000-\u001f\u007f]/.test(segment) || segment === '..' || isHiddenName(segment);
    if (bad || segment === OVERVIEW_DIR) {
      throw new KbError('KB_PATH_INVALID', `"${segment}" cannot be a document folder`);
    }
  }
  return segments.join('/');
}
