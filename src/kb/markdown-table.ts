/** Reading and writing one-line Markdown table cells. */
import { withoutControlCharacters } from './control-chars.ts';

export function escapeCell(text: string): string {
  return withoutControlCharacters(text).replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|').trim();
}

export function unescapeCell(text: string): string {
  return text
    .trim()
    .replace(/\\\|/g, '|')
    .replace(/<br\s*\/?>/gi, '\n');
}

/** Cells of a `| a | b |` row, or undefined for a non-row or a separator row. */
export function parseRow(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  if (/^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(trimmed)) return undefined;
  const inner = trimmed.replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map(unescapeCell);
}

export function formatRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}
