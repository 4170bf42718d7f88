/** contents_overview/<name>_overview.md: a table of contents with line numbers for large files. */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OVERVIEW_DIR } from './kb-files.ts';
import { writeInside } from './safe-write.ts';
import { splitSections } from './sections.ts';

const MAX_ENTRIES = 400;

export function overviewName(rel: string): string {
  const stem = path.posix.basename(rel).replace(/\.[^.]+$/, '');
  return `${OVERVIEW_DIR}/${stem}_overview.md`;
}

/** Where the overview of `rel` lives (folder-qualified when another file already owns the plain name). */
export async function overviewPathFor(root: string, rel: string): Promise<string> {
  const plain = overviewName(rel);
  if (!(await ownedByOther(root, plain, rel))) return plain;
  return `${OVERVIEW_DIR}/${rel.replace(/\.[^.]+$/, '').replace(/\//g, '__')}_overview.md`;
}

async function ownedByOther(root: string, overviewRel: string, rel: string): Promise<boolean> {
  try {
    await access(path.join(root, overviewRel));
  } catch {
    return false;
  }
  return !(await names(root, overviewRel, rel));
}

/** The overview file of `rel` when there is one (a file removed or moved takes it along). */
export async function existingOverviewOf(root: string, rel: string): Promise<string | undefined> {
  const overview = await overviewPathFor(root, rel);
  return (await names(root, overview, rel)) ? overview : undefined;
}

/** True when the overview file exists and its head names `rel`. */
async function names(root: string, overviewRel: string, rel: string): Promise<boolean> {
  const head = await readFile(path.join(root, overviewRel), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return head.slice(0, 600).includes(`\`${rel}\``);
}

export function buildOverview(rel: string, content: string, size: number): string {
  const lines = content.split(/\r?\n/);
  const rows: string[] = [];
  let lastKey = '';
  for (const section of splitSections(content)) {
    const key = section.trail.join(' > ');
    if (key === lastKey) continue;
    lastKey = key;
    const depth = Math.max(0, section.trail.length - 1);
    const label = `${'&nbsp;&nbsp;'.repeat(depth)}${(section.heading || '(preamble)').replace(/\|/g, '\\|')}`;
    rows.push(`| ${label} | ${section.startLine} |`);
    if (rows.length >= MAX_ENTRIES) break;
  }
  return [
    `# Contents of \`${rel}\``,
    '',
    `${lines.length} lines, ${(size / 1024).toFixed(1)} KB. Read a part with its line numbers.`,
    '',
    '| Section | Line |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export async function writeOverview(root: string, rel: string, content: string, size: number): Promise<string> {
  const target = await overviewPathFor(root, rel);
  await writeInside(root, target, buildOverview(rel, content, size));
  return target;
}
