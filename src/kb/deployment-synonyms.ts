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
import { formatRow, parseRow } from './markdown-table.ts';

export const SYNONYMS_FILE = '.docent/synonyms.md';
/** Bounds on what one file can add. */
const MAX_ROWS = 5000;
const MAX_WORDINGS_PER_ROW = 32;
const WORDING_SEPARATORS = /[,，、;；/]/;
const TABLE_HEAD = '| term | same as |\n| --- | --- |\n';
const NEW_FILE = `# Synonyms\n\nWordings that mean the same in this knowledge base's questions and documents.\n\n${TABLE_HEAD}`;

export interface SynonymsEdit {
  /** The file's new text; undefined when every wording was there already. */
  readonly content: string | undefined;
  /** The wordings the row did not have before. */
  readonly added: readonly string[];
}

/**
 * Adds `sameAs` to the row of `term` (compared without case), or a new row for it at the table's end;
 * the rest of the file is kept as written. `content` undefined: there is no file yet.
 */
export function addSynonymRow(content: string | undefined, term: string, sameAs: readonly string[]): SynonymsEdit {
  const lines = (content ?? NEW_FILE).split('\n');
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  let tableEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const cells = parseRow(lines[i]!);
    if (/^\s*\|/.test(lines[i]!)) tableEnd = i;
    if (!cells || cells.length < 2 || !same(cells[0]!, term)) continue;
    const wordings = cells
      .slice(1)
      .join(',')
      .split(WORDING_SEPARATORS)
      .map((w) => w.trim())
      .filter(Boolean);
    const added = unique(sameAs).filter((w) => !same(w, term) && !wordings.some((x) => same(x, w)));
    if (added.length === 0) return { content: undefined, added };
    lines[i] = formatRow([cells[0]!, [...wordings, ...added].join(', ')]);
    return { content: lines.join('\n'), added };
  }
  const added = unique(sameAs).filter((w) => !same(w, term));
  if (added.length === 0) return { content: undefined, added };
  const row = formatRow([term, added.join(', ')]);
  if (tableEnd < 0) {
    // A file with no table yet (or only prose): the table goes at its end.
    const text = lines.join('\n').replace(/\n*$/, '');
    return { content: `${text}${text ? '\n\n' : ''}${TABLE_HEAD}${row}\n`, added };
  }
  lines.splice(tableEnd + 1, 0, row);
  return { content: lines.join('\n'), added };
}

function unique(words: readonly string[]): string[] {
  const seen = new Set<string>();
  return words.filter((w) => {
    const key = w.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Lexicon groups of the file's table rows (the header row and malformed rows are skipped). */
export function parseSynonymsTable(content: string): string[] {
  const groups: string[] = [];
  for (const line of content.split(/\r?\n/)) {
    const cells = parseRow(line);
    if (!cells || cells.length < 2) continue;
    const [term, same] = [cells[0]!, cells.slice(1).join(',')];
    if (/^term$/i.test(term.trim()) && /^same\s*as$/i.test(cells[1]!.trim())) continue;
    const wordings = [term, ...same.split(WORDING_SEPARATORS)]
      .map((w) => w.trim().replace(/\s+/g, '-'))
      .filter((w) => w.length > 0 && w.length <= 80)
      .slice(0, MAX_WORDINGS_PER_ROW);
    if (wordings.length >= 2) groups.push(wordings.join(' '));
    if (groups.length >= MAX_ROWS) break;
  }
  return groups;
}
