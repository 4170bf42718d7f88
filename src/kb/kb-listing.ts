/** The folder tree and the statistics of a knowledge base, read from disk. */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isHiddenName, isListed, walkFiles } from './kb-files.ts';
import type { KbStats, TreeNode } from './types.ts';

const MAX_DEPTH = 24;

/** Every folder and file under root (hidden ones left out), with sizes and README descriptions. */
export async function buildTree(root: string, descriptionOf: (rel: string) => string | undefined): Promise<TreeNode> {
  const build = async (abs: string, rel: string, depth: number): Promise<TreeNode> => {
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    const children: TreeNode[] = [];
    let size = 0;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (isHiddenName(entry.name)) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = path.join(abs, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) {
        const node = await build(childAbs, childRel, depth + 1);
        size += node.size;
        children.push(node);
      } else if (entry.isFile()) {
        const info = await lstat(childAbs).catch(() => undefined);
        const fileSize = info?.size ?? 0;
        size += fileSize;
        const description = descriptionOf(childRel);
        children.push({
          name: entry.name,
          path: childRel,
          type: 'file',
          size: fileSize,
          ...(description ? { description } : {}),
        });
      }
    }
    return { name: rel ? path.basename(rel) : '', path: rel, type: 'dir', size, children };
  };
  return build(root, '', 0);
}

/** Counts of the listed documents (not the index files), by folder and extension. */
export async function countFiles(root: string, faqEntries: number, badCases: number): Promise<KbStats> {
  const files = (await walkFiles(root)).filter((f) => isListed(f.path));
  const folders = new Set<string>();
  const byExtension: Record<string, number> = {};
  let bytes = 0;
  for (const file of files) {
    bytes += file.size;
    const ext = path.extname(file.path).toLowerCase() || '(none)';
    byExtension[ext] = (byExtension[ext] ?? 0) + 1;
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return { files: files.length, folders: folders.size, bytes, byExtension, faqEntries, badCases };
}
