/** Which files of the knowledge base are documents, and walking them. */
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const OVERVIEW_DIR = 'contents_overview';
export const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);
const SYSTEM_FILES = new Set(['README.md', 'FAQ.md', 'BADCASE.md']);
/** Walks stop here: a runaway tree must not hang start-up. */
const MAX_FILES = 200_000;
const MAX_DEPTH = 24;

/** What tells a changed file from an unchanged one. */
export interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
}

export interface WalkedFile extends FileStamp {
  readonly path: string;
}

/** Hidden entries and Docent's own staging area are never part of the knowledge base. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** True for files the index holds: Markdown/text documents that are not the system files or overviews. */
export function isSearchable(rel: string): boolean {
  return isListed(rel) && TEXT_EXTENSIONS.has(path.extname(rel).toLowerCase());
}

/** True for files the README lists: every document and data file, not the index files or generated folders. */
export function isListed(rel: string): boolean {
  const base = rel.split('/').pop() ?? rel;
  if (rel.split('/').some(isHiddenName)) return false;
  if (rel.startsWith(`${OVERVIEW_DIR}/`)) return false;
  if (SYSTEM_FILES.has(base)) return false;
  return !/_images\//.test(rel);
}

/** A file's text, or `missing` when there is no such file (other errors are thrown). */
export async function readTextOr(file: string, missing: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw error;
  }
}

/** Every regular file under root (relative paths with '/'), hidden entries skipped, symlinks not followed. */
export async function walkFiles(root: string): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const visit = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const files: Promise<void>[] = [];
    for (const entry of entries) {
      if (isHiddenName(entry.name)) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(abs, childRel, depth + 1);
      else if (entry.isFile() && out.length < MAX_FILES) {
        files.push(
          stat(abs).then(
            (info) => {
              out.push({ path: childRel, size: info.size, mtimeMs: info.mtimeMs });
            },
            () => undefined,
          ),
        );
      }
    }
    await Promise.all(files);
  };
  await visit(root, '', 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A document with the files that go wherever it goes: its images folder (`x_images`), the Markdown made
 * of a data file (`x.csv` → `x.csv.md`) or the data file a Markdown was made of. The document comes first.
 */
export async function withCompanions(root: string, rel: string): Promise<string[]> {
  const paths = [rel];
  const stem = rel.replace(/\.[^./]+$/, '');
  for (const companion of [`${stem}_images`, `${rel}.md`, rel.endsWith('.md') ? rel.slice(0, -3) : '']) {
    if (!companion || companion === rel) continue;
    if (
      await lstat(path.join(root, companion)).then(
        () => true,
        () => false,
      )
    )
      paths.push(companion);
  }
  return paths;
}
