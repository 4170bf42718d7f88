/** BADCASE.md: dated entries of questions Docent could not answer well. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { withoutControlCharacters } from './control-chars.ts';
import { readTextOr } from './kb-files.ts';
import { removeInside, writeInside } from './safe-write.ts';
import type { BadCase } from './types.ts';

export const BADCASE_FILE = 'BADCASE.md';
/**
 * BADCASE.md grows by an entry for every unanswered question: past this size its older half moves to a
 * dated file in BADCASE_ARCHIVE_DIR, so the file the admin pages and the agents read stays small.
 */
export const MAX_BADCASE_BYTES = 512 * 1024;
export const BADCASE_ARCHIVE_DIR = '.docent/badcases';
/** Archived files kept; the oldest goes past this. */
export const MAX_BADCASE_ARCHIVES = 24;
const HEADER =
  '# Bad cases\n\nQuestions the knowledge base did not answer well, for the administrators to fill the gaps.\n';
const FIELDS: readonly [keyof Omit<BadCase, 'date'>, string][] = [
  ['question', 'Question'],
  ['answer', 'Answer given'],
  ['feedback', 'Feedback'],
  ['source', 'Source'],
];

export function formatBadCase(entry: BadCase): string {
  const oneLine = (s: string) =>
    withoutControlCharacters(s)
      .replace(/\s*\r?\n\s*/g, ' ')
      .slice(0, 2000);
  return [`## ${entry.date}`, ...FIELDS.map(([key, label]) => `- **${label}**: ${oneLine(entry[key])}`), ''].join('\n');
}

export function parseBadCases(content: string): BadCase[] {
  const result: BadCase[] = [];
  for (const block of content.split(/^## /m).slice(1)) {
    const [dateLine = '', ...rest] = block.split(/\r?\n/);
    const values: Record<(typeof FIELDS)[number][0], string> = { question: '', answer: '', feedback: '', source: '' };
    for (const line of rest) {
      const m = /^- \*\*(.+?)\*\*:\s?(.*)$/.exec(line);
      if (!m) continue;
      const field = FIELDS.find(([, label]) => label === m[1]);
      if (field) values[field[0]] = m[2]!;
    }
    result.push({ date: dateLine.trim(), ...values });
  }
  return result;
}

export function readBadCaseFile(file: string): Promise<string> {
  return readTextOr(file, HEADER);
}

export function appendBadCase(content: string, entry: BadCase): string {
  const base = content.trim() ? content.replace(/\s*$/, '\n\n') : `${HEADER}\n`;
  return `${base}${formatBadCase(entry)}`;
}

export function nowStamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The entries to archive and the file to keep when `content` is past MAX_BADCASE_BYTES: the newest
 * entries that fit in half of it stay (at least the newest one), the older ones go.
 */
export function splitOldBadCases(content: string): { readonly archived: string; readonly kept: string } | undefined {
  if (Buffer.byteLength(content) <= MAX_BADCASE_BYTES) return undefined;
  const blocks = content.split(/^(?=## )/m);
  const head = blocks[0]!.startsWith('## ') ? HEADER : blocks.shift()!;
  const bytes = (block: string) => Buffer.byteLength(block);
  // blocks[cut..] stay: the newest always, then older ones while they fit in half the limit.
  let cut = blocks.length - 1;
  let kept = bytes(blocks[cut] ?? '');
  while (cut > 0 && kept + bytes(blocks[cut - 1]!) <= MAX_BADCASE_BYTES / 2) kept += bytes(blocks[--cut]!);
  const older = blocks.slice(0, cut);
  if (older.length === 0) return undefined;
  return {
    archived: `${HEADER}\n${older.join('')}`,
    kept: `${head.replace(/\s*$/, '\n\n')}${blocks.slice(cut).join('')}`,
  };
}

/**
 * Under the BADCASE.md lock, after an entry is added: moves the older half of a file past the limit to
 * a dated archive (written first: a kill in between leaves entries twice, never lost) and drops the
 * oldest archives past MAX_BADCASE_ARCHIVES.
 */
export async function archiveOldBadCases(root: string, now = new Date()): Promise<void> {
  const file = path.join(root, BADCASE_FILE);
  if ((await stat(file)).size <= MAX_BADCASE_BYTES) return;
  const split = splitOldBadCases(await readBadCaseFile(file));
  if (!split) return;
  const stamp = now.toISOString().replace(/[-:]/g, '');
  await writeInside(root, `${BADCASE_ARCHIVE_DIR}/BADCASE-${stamp}.md`, split.archived);
  await writeInside(root, BADCASE_FILE, split.kept);
  const archives = (await readdir(path.join(root, BADCASE_ARCHIVE_DIR)))
    .filter((name) => /^BADCASE-\d{8}T\d{6}\.\d{3}Z\.md$/.test(name))
    .sort();
  for (const name of archives.slice(0, Math.max(0, archives.length - MAX_BADCASE_ARCHIVES))) {
    await removeInside(root, `${BADCASE_ARCHIVE_DIR}/${name}`);
  }
}
