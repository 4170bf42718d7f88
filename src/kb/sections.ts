/** Splits Markdown into heading-delimited sections with 1-based line ranges. */

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

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const SETEXT = /^ {0,3}(=+|-{2,})\s*$/;
/** A line that is only bold text: how Word documents without heading styles mark their headings. */
const BOLD_LINE = /^ {0,3}\*\*([^*\n]{2,80})\*\*[:：]?\s*$/;

function isSetextText(line: string): boolean {
  const t = line.trim();
  return t.length > 0 && t.length <= 120 && !/^([-*+>|#]|\d+[.)])\s?/.test(t) && !t.includes('|');
}

export function splitSections(content: string): MarkdownSection[] {
  const lines = content.split(/\r?\n/);
  const sections: MarkdownSection[] = [];
  const stack: { level: number; text: string }[] = [];
  let current = { heading: '', trail: [] as string[], start: 1 };
  let inFence = false;

  const close = (endIndex: number) => {
    // endIndex: 0-based exclusive
    if (endIndex < current.start) return;
    const body = lines.slice(current.start - 1, endIndex);
    if (body.every((l) => l.trim() === '')) return;
    for (const chunk of chunkLines(body, current.start)) {
      sections.push({ heading: current.heading, trail: current.trail, ...chunk });
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    const found = headingAt(lines, i);
    if (!found) continue;
    close(i);
    const { level, text, setext } = found;
    while (stack.length > 0 && stack.at(-1)!.level >= level) stack.pop();
    stack.push({ level, text });
    current = { heading: text, trail: stack.map((s) => s.text), start: i + 1 };
    if (setext) i++;
  }
  close(lines.length);
  return sections;
}

/** The heading on line `i`: ATX (`## x`), setext (underlined), or a line that is only bold text (level 4). */
function headingAt(lines: readonly string[], i: number): { level: number; text: string; setext: boolean } | undefined {
  const line = lines[i]!;
  const atx = HEADING.exec(line);
  if (atx) return { level: atx[1]!.length, text: stripInlineMarkdown(atx[2]!), setext: false };
  const bold = BOLD_LINE.exec(line);
  if (bold) return { level: 4, text: bold[1]!.trim(), setext: false };
  const underline = i + 1 < lines.length ? SETEXT.exec(lines[i + 1]!) : null;
  if (underline && isSetextText(line)) {
    return { level: underline[1]!.startsWith('=') ? 1 : 2, text: stripInlineMarkdown(line.trim()), setext: true };
  }
  return undefined;
}

function chunkLines(body: string[], firstLine: number): { startLine: number; endLine: number; text: string }[] {
  // Trim trailing blank lines so a citation ends on content.
  let end = body.length;
  while (end > 0 && body[end - 1]!.trim() === '') end--;
  const trimmed = body.slice(0, end);
  if (trimmed.length <= MAX_SECTION_LINES) {
    return [{ startLine: firstLine, endLine: firstLine + trimmed.length - 1, text: trimmed.join('\n') }];
  }
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
    let sliceEnd = slice.length;
    while (sliceEnd > 0 && slice[sliceEnd - 1]!.trim() === '') sliceEnd--;
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

/** Heading or cell text without emphasis, links and code marks. */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]+/g, '')
    .trim();
}

/** The first H1 of a document, else undefined. */
export function firstTitle(content: string): string | undefined {
  const match = /^ {0,3}#\s+(.+?)\s*#*\s*$/m.exec(content.slice(0, 4000));
  return match ? stripInlineMarkdown(match[1]!) : undefined;
}
