/**
 * Cuts a section's lines into answer units: sentences of paragraphs, list
 * items (with their continuation lines) and table rows (which remember their
 * header), each with its line number, so an answer can quote only what is
 * relevant and cite exact lines.
 */

export type AnswerUnit =
  | { readonly kind: 'sentence'; readonly line: number; readonly text: string; readonly paragraph: number }
  | { readonly kind: 'item'; readonly line: number; readonly endLine: number; readonly text: string }
  | {
      readonly kind: 'row';
      readonly line: number;
      readonly text: string;
      readonly table: number;
      readonly headerLine: number;
      readonly header: string;
    };

const LIST_ITEM = /^\s*(?:(?:[-*+•]|\d+[.)])\s+|(?:\d+、|[（(]\d+[）)]|[一二三四五六七八九十]+、)\s*)/;
const TABLE_LINE = /^\s*\|.*\|\s*$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s/;
/** A line of bold text alone is a heading too (see sections.ts): the label says it already. */
const BOLD_HEADING = /^ {0,3}\*\*([^*\n]{2,80})\*\*[:：]?\s*$/;
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"“(])|(?<=[。！？；])/;

export function splitUnits(lines: readonly string[], firstLine: number): AnswerUnit[] {
  const units: AnswerUnit[] = [];
  let paragraph = 0;
  let table = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const lineNo = firstLine + i;
    if (!line.trim() || HEADING.test(line) || BOLD_HEADING.test(line) || /^\s*(```|~~~|<!--)/.test(line)) {
      i++;
      continue;
    }
    if (TABLE_LINE.test(line)) {
      table++;
      const hasHeader = i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]!);
      const header = hasHeader ? line.trim() : '';
      const headerLine = lineNo;
      i += hasHeader ? 2 : 0;
      while (i < lines.length && TABLE_LINE.test(lines[i]!)) {
        if (!TABLE_SEPARATOR.test(lines[i]!)) {
          units.push({ kind: 'row', line: firstLine + i, text: lines[i]!.trim(), table, headerLine, header });
        }
        i++;
      }
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const start = i;
      const parts = [line.trim()];
      i++;
      while (i < lines.length && lines[i]!.trim() && !LIST_ITEM.test(lines[i]!) && /^\s{2,}/.test(lines[i]!)) {
        parts.push(lines[i]!.trim());
        i++;
      }
      units.push({ kind: 'item', line: firstLine + start, endLine: firstLine + i - 1, text: parts.join(' ') });
      continue;
    }
    // A paragraph: consecutive plain lines, cut into sentences (each keeps the line it starts on).
    paragraph++;
    while (i < lines.length && lines[i]!.trim() && !LIST_ITEM.test(lines[i]!) && !TABLE_LINE.test(lines[i]!)) {
      if (HEADING.test(lines[i]!) || BOLD_HEADING.test(lines[i]!)) break;
      for (const sentence of lines[i]!.trim().split(SENTENCE_END)) {
        if (sentence.trim()) units.push({ kind: 'sentence', line: firstLine + i, text: sentence.trim(), paragraph });
      }
      i++;
    }
  }
  return units;
}

/** Markdown for chosen units, in document order: sentences of one paragraph joined, tables with their header. */
export function renderUnits(units: readonly AnswerUnit[]): string {
  const blocks: string[] = [];
  let current: { key: string; lines: string[] } | undefined;
  const flush = () => {
    if (current) blocks.push(current.key.startsWith('p') ? joinSentences(current.lines) : current.lines.join('\n'));
    current = undefined;
  };
  for (const unit of [...units].sort((a, b) => a.line - b.line)) {
    const key = unit.kind === 'sentence' ? `p${unit.paragraph}` : unit.kind === 'row' ? `t${unit.table}` : 'list';
    if (!current || current.key !== key) {
      flush();
      current = { key, lines: [] };
      if (unit.kind === 'row' && unit.header) {
        const columns = (unit.header.match(/(?<!\\)\|/g)?.length ?? 2) - 1;
        current.lines.push(unit.header, `|${' --- |'.repeat(Math.max(1, columns))}`);
      }
    }
    current.lines.push(unit.text);
  }
  flush();
  return blocks.join('\n\n');
}

/** Sentences of one paragraph: a space after Western punctuation, none after Chinese. */
function joinSentences(sentences: readonly string[]): string {
  return sentences.reduce(
    (text, next) => (text === '' ? next : /[。！？；：，]$/.test(text) ? text + next : `${text} ${next}`),
    '',
  );
}

/** First and last line the units occupy (table headers included). */
export function lineSpan(units: readonly AnswerUnit[]): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const unit of units) {
    const first = unit.kind === 'row' && unit.header ? unit.headerLine : unit.line;
    const last = unit.kind === 'item' ? unit.endLine : unit.line;
    start = Math.min(start, first);
    end = Math.max(end, last);
  }
  return { start, end };
}
