/** Writes README.md and its sub-READMEs from the files on disk, under the README lock. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isListed, OVERVIEW_DIR, walkFiles } from './kb-files.ts';
import type { WriteLocks } from './locks.ts';
import { buildReadmes, GENERATED_MARK, README_FILE, readmeIntro } from './readme-index.ts';
import { removeInside, writeInside } from './safe-write.ts';

export async function writeReadmes(
  root: string,
  locks: WriteLocks,
  descriptionOf: (rel: string) => string | undefined,
): Promise<void> {
  await locks.with(README_FILE, async () => {
    const files = (await walkFiles(root)).filter((f) => isListed(f.path));
    const entries = files.map((f) => ({
      path: f.path,
      size: f.size,
      description: descriptionOf(f.path) ?? describeData(f.path),
    }));
    const intro = readmeIntro(await readFile(path.join(root, README_FILE), 'utf8').catch(() => ''));
    const readmes = buildReadmes(entries, intro);
    for (const [rel, content] of readmes) await writeInside(root, rel, content);
    // Sub-READMEs Docent wrote earlier that the layout no longer needs.
    for (const f of await walkFiles(root)) {
      if (!f.path.endsWith(`/${README_FILE}`) || readmes.has(f.path)) continue;
      const content = await readFile(path.join(root, f.path), 'utf8').catch(() => '');
      if (content.includes(GENERATED_MARK)) await removeInside(root, f.path);
    }
  });
}

function describeData(rel: string): string {
  const ext = path.extname(rel).slice(1).toUpperCase() || 'binary';
  return rel.startsWith(`${OVERVIEW_DIR}/`) ? 'Contents overview' : `${ext} file`;
}
