/**
 * Every write into the knowledge base goes through here, so that a symlinked
 * folder (or file) cannot carry a write outside the root. Reads are confined
 * by resolveInside (paths.ts); a write must also check the folder it lands
 * in after creating it, since `mkdir -p` through a link creates folders on
 * the far side. Under a held write lock (locks.ts), each write first checks
 * the lock is still held and records the path it changes.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { heldWrite } from './locks.ts';
import { isInside, resolveInside } from './paths.ts';
import { KbError } from './types.ts';

/** The absolute path to write `rel` at, with its folder made and checked to be inside the real root. */
export async function prepareWrite(root: string, rel: string): Promise<string> {
  const realRoot = await realpath(root);
  const { abs, rel: inside } = await resolveInside(root, rel, realRoot);
  await announce(inside);
  const dir = path.dirname(abs);
  await mkdir(dir, { recursive: true });
  if (!isInside(realRoot, await realpath(dir))) {
    throw new KbError('KB_PATH_OUTSIDE_ROOT', `Refusing to write through a link that leads outside: ${rel}`);
  }
  return abs;
}

/** Replaces the file whole (temp file + rename: a link at the target is replaced, never followed). */
export async function writeInside(root: string, rel: string, data: string | Uint8Array): Promise<string> {
  const abs = await prepareWrite(root, rel);
  const temp = path.join(path.dirname(abs), `.${path.basename(abs)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, abs);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return abs;
}

/** Appends without following a link at the target (a link there is refused). */
export async function appendInside(root: string, rel: string, data: string): Promise<void> {
  const abs = await prepareWrite(root, rel);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(abs, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw new KbError('KB_PATH_OUTSIDE_ROOT', `Refusing to append through a symbolic link: ${rel}`);
  }
  try {
    await handle.appendFile(data);
  } finally {
    await handle.close();
  }
}

/** Removes a file or folder of the knowledge base (a link is removed, never followed). */
export async function removeInside(root: string, rel: string): Promise<void> {
  const { abs, rel: inside } = await resolveInside(root, rel);
  await announce(inside);
  await rm(abs, { recursive: true, force: true });
}

/** Under a held lock: refuses the write when the lock lapsed, and records the path for the other nodes. */
async function announce(rel: string): Promise<void> {
  const held = heldWrite();
  if (!held) return;
  await held.check();
  // Docent's own hidden files (staging, locks) concern no index.
  if (!rel.split('/').some((segment) => segment.startsWith('.'))) held.changed(rel);
}
