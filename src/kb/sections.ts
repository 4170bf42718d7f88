/** Splits Markdown into heading-delimited sections with 1-based line ranges. */
import { markdownBlocks, stripInlineMarkdown } from './markdown-blocks.ts';

export interface MarkdownSection {
  /** The section's own heading ('' for text before the first heading). */
  readonly heading: string;
  /** Ancestor headings, outermost first, then this heading. */
  readonly trail: readonly string[];
  readonly startLine: number;
  readonly endLine: number;
  /** The section's lines, heading included. */
  readonly text: string;
}

/** Sections longer than this many lines are cut into chunks at blank lines, so scores stay local. */
const MAX_SECTION_LINES = 60;

export function splitSections(content: string): MarkdownSection[] {
  const lines = content.split(/\r?\n/);
  const sections: MarkdownSection[] = [];
  const stack: { level: number; text: string }[] = [];
  let current = { heading: '', trail: [] as string[], start: 1 };

  /** Closes the current section before 0-based line `endIndex`. */
  const close = (endIndex: number) => {
    if (endIndex < current.start) return;
    const body = lines.slice(current.start - 1, endIndex);
    if (body.every((l) => l.trim() === '')) return;
    for (const chunk of chunkLines(body, current.start)) {
      sections.push({ heading: current.heading, trail: current.trail, ...chunk });
    }
  };

  for (const block of markdownBlocks(content)) {
    if (block.kind !== 'heading') continue;
    close(block.line - 1);
    while (stack.length > 0 && stack.at(-1)!.level >= block.level) stack.pop();
    stack.push(block);
    current = { heading: block.text, trail: stack.map((s) => s.text), start: block.line };
  }
  close(lines.length);
  return sections;
}

function chunkLines(body: string[], firstLine: number): { startLine: number; endLine: number; text: string }[] {
  // Trim trailing blank lines so a citation ends on content.
  const trimmed = body.slice(0, contentEnd(body));
  const chunks: { startLine: number; endLine: number; text: string }[] = [];
  let start = 0;
  while (start < trimmed.length) {
    let stop = Math.min(start + MAX_SECTION_LINES, trimmed.length);
    if (stop < trimmed.length) {
      // Prefer to break at a blank line in the second half of the window.
      for (let j = stop; j > start + MAX_SECTION_LINES / 2; j--) {
        if (trimmed[j - 1]!.trim() === '') {
          stop = j;
          break;
        }
      }
    }
    const slice = trimmed.slice(start, stop);
    const sliceEnd = contentEnd(slice);
    if (sliceEnd > 0) {
      chunks.push({
        startLine: firstLine + start,
        endLine: firstLine + start + sliceEnd - 1,
        text: slice.slice(0, sliceEnd).join('\n'),
      });
    }
    start = stop;
  }
  return chunks;
}

/** The length of `lines` without its trailing blank lines. */
function contentEnd(lines: readonly string[]): number {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return end;
}

/** The first H1 of a document, else undefined. */
export function firstTitle(content: string): string | undefined {
  const match = /^ {0,3}#\s+(.+?)\s*#*\s*$/m.exec(content.slice(0, 4000));
  return match ? stripInlineMarkdown(match[1]!) : undefined;
}
