/**
 * The deployment's own vocabulary: `.docent/synonyms.md` in the knowledge base, a Markdown table an
 * administrator edits —
 *
 *   | term | same as |
 *   | --- | --- |
 *   | Fleet Manager | FM, 车队管理系统 |
 *
 * Each row is one lexicon group: the term and every wording in "same as" (separated by commas, 、, ; or /).
 * A wording of several words is a phrase.
 */
import { parseRow } from './markdown-table.ts';

export const SYNONYMS_FILE = '.docent/synonyms.md';
/** Bounds on what one file can add. */
const MAX_ROWS = 5000;
const MAX_WORDINGS_PER_ROW = 32;

/** Lexicon groups of the file's table rows (the header row and malformed rows are skipped). */
export function parseSynonymsTable(content: string): string[] {
  const groups: string[] = [];
  for (const line of content.split(/\r?\n/)) {
    const cells = parseRow(line);
    if (!cells || cells.length < 2) continue;
    const [term, same] = [cells[0]!, cells.slice(1).join(',')];
    if (/^term$/i.test(term.trim()) && /^same\s*as$/i.test(cells[1]!.trim())) continue;
    const wordings = [term, ...same.split(/[,，、;；/]/)]
      .map((w) => w.trim().replace(/\s+/g, '-'))
      .filter((w) => w.length > 0 && w.length <= 80)
      .slice(0, MAX_WORDINGS_PER_ROW);
    if (wordings.length >= 2) groups.push(wordings.join(' '));
    if (groups.length >= MAX_ROWS) break;
  }
  return groups;
}
