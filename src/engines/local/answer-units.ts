/** A section cut into answer units, each with its lines, so an answer can quote only what is relevant and cite exact lines. */
import { markdownBlocks } from '../../kb/markdown-blocks.ts';

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
    }
  | { readonly kind: 'code'; readonly line: number; readonly endLine: number; readonly text: string };

/** Enumerations Markdown does not know (bullets and Chinese numbering from converted documents): items too. */
const PLAIN_ITEM = /^(?:•|\d+、|[（(]\d+[）)]|[一二三四五六七八九十]+、)\s*/;
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"“(])|(?<=[。！？；])/;

export function splitUnits(lines: readonly string[], firstLine: number): AnswerUnit[] {
  const units: AnswerUnit[] = [];
  let paragraph = 0;
  let table = 0;
  for (const block of markdownBlocks(lines.join('\n'), firstLine)) {
    if (block.kind === 'item' || block.kind === 'code') units.push(block);
    else if (block.kind === 'table') {
      table++;
      const { line: headerLine, header } = block;
      for (const row of block.rows) units.push({ kind: 'row', ...row, table, headerLine, header });
    } else if (block.kind === 'paragraph') {
      paragraph++;
      // Each sentence keeps the line it starts on.
      for (const [i, text] of block.lines.entries()) {
        const line = block.line + i;
        if (PLAIN_ITEM.test(text)) units.push({ kind: 'item', line, endLine: line, text });
        else
          for (const s of text.split(SENTENCE_END))
            if (s.trim()) units.push({ kind: 'sentence', line, text: s.trim(), paragraph });
      }
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
    const key =
      unit.kind === 'sentence'
        ? `p${unit.paragraph}`
        : unit.kind === 'row'
          ? `t${unit.table}`
          : unit.kind === 'code'
            ? `c${unit.line}`
            : 'list';
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
    const last = unit.kind === 'item' || unit.kind === 'code' ? unit.endLine : unit.line;
    start = Math.min(start, first);
    end = Math.max(end, last);
  }
  return { start, end };
}
