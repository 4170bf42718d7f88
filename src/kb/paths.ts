/** Confines every caller-given path to the knowledge-base root. */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { hasControlCharacters } from './control-chars.ts';
import { KbError } from './types.ts';

const MAX_PATH_LENGTH = 1024;

/** Normalises a caller-given relative path to `a/b/c.md` form, refusing anything that could leave the root. */
export function normaliseRelative(input: string): string {
  if (typeof input !== 'string') throw new KbError('KB_PATH_INVALID', 'Path must be a string');
  if (input.includes('\0')) throw new KbError('KB_PATH_INVALID', 'Path contains a NUL byte');
  if (hasControlCharacters(input)) throw new KbError('KB_PATH_INVALID', 'Path contains control characters');
  if (input.length > MAX_PATH_LENGTH) throw new KbError('KB_PATH_INVALID', 'Path is too long');
  const slashed = input.replace(/\\/g, '/').trim();
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed) || path.isAbsolute(input)) {
    throw new KbError('KB_PATH_OUTSIDE_ROOT', `Absolute paths are not allowed: ${input}`);
  }
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new KbError('KB_PATH_OUTSIDE_ROOT', `Path leaves the knowledge base: ${input}`);
    parts.push(part);
  }
  return parts.join('/');
}

/** normaliseRelative's form of `input`, or undefined where it refuses it. */
export function normalisedOrUndefined(input: string): string | undefined {
  try {
    return normaliseRelative(input);
  } catch {
    return undefined;
  }
}

/** Whether anything is at `abs`; with `lstat`, a symlink itself counts, dangling or not. */
export async function exists(abs: string, check: (p: string) => Promise<unknown> = stat): Promise<boolean> {
  return (await check(abs).catch(() => undefined)) !== undefined;
}

/** True when `candidate` is `root` or below it (both absolute, resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a caller-given path to an absolute path inside `root`. When the
 * target (or its nearest existing ancestor) exists, its real path must also be
 * inside the real root, so a symlink cannot lead out. `knownRealRoot` spares
 * resolving the root again on a hot path.
 */
export async function resolveInside(
  root: string,
  input: string,
  knownRealRoot?: string,
): Promise<{ abs: string; rel: string }> {
  const rel = normaliseRelative(input);
  const abs = path.join(root, rel);
  const realRoot = knownRealRoot ?? (await realpath(root));
  let probe = abs;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(realRoot, real)) {
        throw new KbError('KB_PATH_OUTSIDE_ROOT', `Path leads outside the knowledge base: ${input}`);
      }
      break;
    } catch (error) {
      if (error instanceof KbError) throw error;
      const parent = path.dirname(probe);
      if (parent === probe || !isInside(root, parent)) break;
      probe = parent;
    }
  }
  return { abs, rel };
}

/** Files only administrators may read: BADCASE.md quotes other employees' questions and complaints. */
const ADMIN_ONLY_FILES = new Set(['badcase.md']);

/**
 * Whether a caller-given path names an admin-only file, decided on the same
 * normalised form the read uses (` BADCASE.md\t` and `./BADCASE.md/` are
 * BADCASE.md to the read, so they are to this check too). A path that does not normalise is refused by the read anyway.
 */
export function isAdminOnlyPath(input: string): boolean {
  const rel = normalisedOrUndefined(input);
  return rel !== undefined && ADMIN_ONLY_FILES.has(rel.toLowerCase());
}
