/**
 * PDF text items → Markdown with headings. A PDF has no heading markup, only
 * positioned text in sized fonts, so headings are recovered from typography:
 * lines clearly larger than the body text, or short bold lines at body size.
 * Pure functions over plain items, so pdf.ts does the pdf.js I/O and this is
 * testable without a PDF.
 */

/** One text item as pdf.js reports it, in PDF user-space units. */
export interface PdfTextItem {
  readonly text: string;
  readonly x: number;
  /** Baseline. */
  readonly y: number;
  readonly width: number;
  /** Font size: the vertical scale of the item's transform. */
  readonly size: number;
  /** pdf.js's id of the font (same font → same id across pages). */
  readonly font: string;
  readonly endOfLine: boolean;
}

export interface PdfLine {
  readonly text: string;
  /** Size and font carrying most of the line's characters. */
  readonly size: number;
  readonly font: string;
  readonly y: number;
}

export interface PdfPage {
  readonly number: number;
  readonly lines: readonly PdfLine[];
}

/** Larger than the body by this factor: a heading by size. */
const HEADING_SIZE_RATIO = 1.15;
const MAX_HEADING_CHARS = 150;
const MAX_BOLD_HEADING_CHARS = 100;
/** More consecutive heading-like lines than this are an emphasised paragraph, not a heading. */
const MAX_HEADING_LINES = 3;
/** A heading-like line at the same place on this many pages is a running header or footer. */
const RUNNING_PAGES = 3;
/** Text ending like a sentence or a clause is prose; a question may be a heading (FAQs). */
const SENTENCE_END = /[.,;!。，；！、]$/;
const BULLET = /^[-•*·▪◦]\s/;
/** Dot leaders to a page number: an entry of a table of contents. */
const LEADERS = /(\.\s*){4,}|…{2,}/;
const CJK_END = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]$/;

/** Groups a page's items into lines (pdf.js marks ends of line; a jump of the baseline also ends one). */
export function toLines(items: readonly PdfTextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let parts: string[] = [];
  // Characters per size and font, to tell which the line is set in.
  let tally = new Map<string, { size: number; font: string; chars: number }>();
  let y = 0;
  let lineSize = 0;
  let lastEnd: number | undefined;

  const finish = () => {
    let main = { size: lineSize, font: '', chars: -1 };
    for (const entry of tally.values()) if (entry.chars > main.chars) main = entry;
    lines.push({ text: parts.join(''), size: main.size, font: main.font, y });
    parts = [];
    tally = new Map();
    lineSize = 0;
    lastEnd = undefined;
  };

  for (const item of items) {
    const blank = !item.text.trim();
    if (!blank) {
      // pdf.js often ends a line with an empty item placed at the next line's start: blank items never break a line.
      if (tally.size > 0 && Math.abs(item.y - y) > Math.max(lineSize, item.size) / 2) finish();
      if (tally.size === 0) y = item.y;
      // A wide horizontal gap inside a line separates table cells.
      if (lastEnd !== undefined && item.x - lastEnd > item.size * 0.6) parts.push('\t');
      const size = roundSize(item.size);
      const key = `${size} ${item.font}`;
      const entry = tally.get(key) ?? { size, font: item.font, chars: 0 };
      tally.set(key, { ...entry, chars: entry.chars + item.text.replace(/\s/g, '').length });
      lineSize = Math.max(lineSize, item.size);
    }
    parts.push(item.text);
    // pdf.js fills most gaps with a space item as wide as the gap; only gaps it leaves open become tabs.
    lastEnd = item.x + item.width;
    if (item.endOfLine) finish();
  }
  if (parts.length > 0) finish();
  return lines;
}

/**
 * Fonts whose weight decides whether some line is a heading: fonts other than
 * the body's, used on short lines at body size. Only these need pdf.js's font
 * objects, which cost an operator-list pass over a page each.
 */
export function fontsToCheck(pages: readonly PdfPage[]): Map<string, number> {
  const body = bodyOf(pages);
  const fonts = new Map<string, number>();
  for (const page of pages) {
    for (const line of page.lines) {
      if (line.font !== body.font && !fonts.has(line.font) && couldBeBoldHeading(line, body.size)) {
        fonts.set(line.font, page.number);
      }
    }
  }
  return fonts;
}

interface Candidate {
  readonly page: number;
  /** Index of the first line in the page. */
  readonly start: number;
  readonly count: number;
  readonly text: string;
  /** Size cluster, or 'bold' for a bold heading at body size. */
  readonly rank: number | 'bold';
  readonly y: number;
}

/**
 * The document as Markdown: `# title`, then the pages' text with recovered
 * headings. With headings, the page separators are dropped: they would cut
 * sections in two and make the text after a page break cite "Page N" instead
 * of its heading. Without any, multi-page documents keep `## Page N`.
 */
export function layoutMarkdown(pages: readonly PdfPage[], fileTitle: string, boldFonts: ReadonlySet<string>): string {
  const body = bodyOf(pages);
  const candidates = headingCandidates(pages, body, boldFonts);
  const sizes = [...new Set(candidates.map((c) => c.rank).filter((r) => r !== 'bold'))].sort((a, b) => b - a);

  // The first line of the document, in the largest size and the only heading
  // in it, is the document's own title; otherwise the title is the file's.
  const first = firstLineOf(pages);
  const top = candidates[0];
  const ownTitle =
    top &&
    first &&
    top.page === first.page &&
    top.start === first.index &&
    top.rank === sizes[0] &&
    candidates.filter((c) => c.rank === top.rank).length === 1
      ? candidates.shift()
      : undefined;
  if (ownTitle) sizes.shift();
  const levelOf = (rank: number | 'bold') => Math.min(6, 2 + (rank === 'bold' ? sizes.length : sizes.indexOf(rank)));

  const byStart = new Map(candidates.map((c) => [`${c.page}:${c.start}`, c]));
  const structured = candidates.length > 0;
  const out: string[] = [];
  for (const page of pages) {
    const blocks: string[] = [];
    let text: string[] = [];
    const flush = () => {
      if (text.length > 0) blocks.push(tidy(text.join('\n')));
      text = [];
    };
    for (let i = 0; i < page.lines.length; i++) {
      if (ownTitle && ownTitle.page === page.number && ownTitle.start === i) {
        i += ownTitle.count - 1;
        continue;
      }
      const heading = byStart.get(`${page.number}:${i}`);
      if (heading) {
        flush();
        blocks.push(`${'#'.repeat(levelOf(heading.rank))} ${heading.text}`);
        i += heading.count - 1;
      } else {
        // A text line starting with # would read as a Markdown heading and open a section of its own.
        text.push(page.lines[i]!.text.replace(/^(\s*)#/, '$1\\#'));
      }
    }
    flush();
    const markdown = blocks.filter(Boolean).join('\n\n');
    if (markdown) out.push(!structured && pages.length > 1 ? `## Page ${page.number}\n\n${markdown}` : markdown);
  }
  return `# ${ownTitle?.text ?? fileTitle}\n\n${out.join('\n\n')}\n`;
}

/** The most common size and font, by characters. */
function bodyOf(pages: readonly PdfPage[]): { size: number; font: string } {
  const sizes = new Map<number, number>();
  const fonts = new Map<string, number>();
  for (const page of pages) {
    for (const line of page.lines) {
      const chars = line.text.replace(/\s/g, '').length;
      const size = roundSize(line.size);
      sizes.set(size, (sizes.get(size) ?? 0) + chars);
      fonts.set(line.font, (fonts.get(line.font) ?? 0) + chars);
    }
  }
  return { size: mostOf(sizes) ?? 0, font: mostOf(fonts) ?? '' };
}

function mostOf<K>(counts: ReadonlyMap<K, number>): K | undefined {
  let best: K | undefined;
  let most = -1;
  for (const [key, count] of counts) {
    if (count > most) [best, most] = [key, count];
  }
  return best;
}

function couldBeBoldHeading(line: PdfLine, bodySize: number): boolean {
  const text = clean(line.text);
  return (
    headingLike(text) &&
    text.length <= MAX_BOLD_HEADING_CHARS &&
    Math.abs(roundSize(line.size) - bodySize) <= bodySize * (HEADING_SIZE_RATIO - 1)
  );
}

function rankOf(line: PdfLine, body: { size: number; font: string }, boldFonts: ReadonlySet<string>) {
  const text = clean(line.text);
  if (!headingLike(text)) return undefined;
  const size = roundSize(line.size);
  if (size >= body.size * HEADING_SIZE_RATIO && text.length <= MAX_HEADING_CHARS) return size;
  if (line.font !== body.font && boldFonts.has(line.font) && couldBeBoldHeading(line, body.size)) return 'bold';
  return undefined;
}

/** Runs of consecutive heading-like lines of one rank, each run one heading. */
function headingCandidates(
  pages: readonly PdfPage[],
  body: { size: number; font: string },
  boldFonts: ReadonlySet<string>,
): Candidate[] {
  const found: Candidate[] = [];
  for (const page of pages) {
    const { lines } = page;
    for (let i = 0; i < lines.length; i++) {
      const rank = rankOf(lines[i]!, body, boldFonts);
      if (rank === undefined) continue;
      let end = i + 1;
      while (end < lines.length && rankOf(lines[end]!, body, boldFonts) === rank) end++;
      const text = lines
        .slice(i, end)
        .map((l) => clean(l.text))
        .reduce((acc, part) => (!acc ? part : CJK_END.test(acc) ? `${acc}${part}` : `${acc} ${part}`), '');
      const limit = rank === 'bold' ? MAX_BOLD_HEADING_CHARS : MAX_HEADING_CHARS;
      if (end - i <= MAX_HEADING_LINES && text.length <= limit && !SENTENCE_END.test(text)) {
        found.push({ page: page.number, start: i, count: end - i, text, rank, y: lines[i]!.y });
      }
      i = end - 1;
    }
  }
  const pagesAt = new Map<string, Set<number>>();
  const placeOf = (c: Candidate) => `${Math.round(c.y)}|${c.text.replace(/\d+/g, '0').toLowerCase()}`;
  for (const c of found) pagesAt.set(placeOf(c), (pagesAt.get(placeOf(c)) ?? new Set()).add(c.page));
  return found.filter((c) => pagesAt.get(placeOf(c))!.size < RUNNING_PAGES);
}

function firstLineOf(pages: readonly PdfPage[]): { page: number; index: number } | undefined {
  for (const page of pages) {
    const index = page.lines.findIndex((l) => l.text.trim());
    if (index >= 0) return { page: page.number, index };
  }
  return undefined;
}

function roundSize(size: number): number {
  return Math.round(size * 2) / 2;
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Heading-like text: has letters, is not a list item nor a table-of-contents entry. */
function headingLike(text: string): boolean {
  return /\p{L}/u.test(text) && !BULLET.test(text) && !LEADERS.test(text);
}

/** Joins hard-wrapped lines into paragraphs; keeps list-like lines. */
export function tidy(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((para) =>
      para
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .reduce((acc, line) => {
          if (!acc) return line;
          if (/^([-•*]|\d+[.)])\s/.test(line)) return `${acc}\n${line.replace(/^•\s*/, '- ')}`;
          if (/[.!?:;。！？：；]$/.test(acc)) return `${acc}\n${line}`;
          return /[\u4e00-\u9fff]$/.test(acc) ? `${acc}${line}` : `${acc} ${line}`;
        }, ''),
    )
    .filter(Boolean)
    .join('\n\n')
    .trim();
}
