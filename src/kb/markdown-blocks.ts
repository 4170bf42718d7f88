/**
 * A Markdown document as its blocks, each with its 1-based source lines: headings, paragraphs (by
 * line), list items (nested ones flattened), table rows with their header, code blocks. Parsed by
 * marked's lexer, the parser the web client renders with: micromark (mdast) parses about ten
 * times slower on this machine, which would double the build of a 10,000-file index. marked keeps
 * each token's `raw` text, and the raws of a level concatenate to their parent, so lines are
 * counted from them.
 */
import { Lexer, type Token, type Tokens } from 'marked';

export type MarkdownBlock =
  | { readonly kind: 'heading'; readonly line: number; readonly level: number; readonly text: string }
  | { readonly kind: 'paragraph'; readonly line: number; readonly lines: readonly string[] }
  | { readonly kind: 'item'; readonly line: number; readonly endLine: number; readonly text: string }
  | {
      readonly kind: 'table';
      readonly line: number;
      readonly header: string;
      readonly rows: readonly { readonly line: number; readonly text: string }[];
    }
  | { readonly kind: 'code'; readonly line: number; readonly endLine: number; readonly text: string };

/** A paragraph's first line that is only bold text is a heading: how Word documents without heading styles mark them. */
const BOLD_HEADING_LEVEL = 4;
const MAX_BOLD_HEADING = 80;

/**
 * The blocks of texts parsed lately, by first line and text: the offline engine parses the
 * sections it answers from on every turn, and the same few sections come back turn after turn.
 * Only short texts (a section, not a whole large document being indexed) are kept, and at most
 * CACHED_TEXTS of them, the oldest going first.
 */
const CACHED_TEXTS = 256;
const MAX_CACHED_CHARS = 16_384;
const parsed = new Map<string, readonly MarkdownBlock[]>();

export function markdownBlocks(content: string, firstLine = 1): readonly MarkdownBlock[] {
  if (content.length > MAX_CACHED_CHARS) return parse(content, firstLine);
  const key = `${firstLine}\n${content}`;
  let blocks = parsed.get(key);
  if (blocks === undefined) {
    blocks = parse(content, firstLine);
    if (parsed.size >= CACHED_TEXTS) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, blocks);
  }
  return blocks;
}

function parse(content: string, firstLine: number): readonly MarkdownBlock[] {
  const lines = content.split(/\r?\n/);
  const blocks: MarkdownBlock[] = [];
  walk(new Lexer({ gfm: true }).lex(lines.join('\n')), firstLine, lines, firstLine, blocks);
  return blocks;
}

function walk(tokens: readonly Token[], line: number, source: readonly string[], base: number, out: MarkdownBlock[]) {
  for (const token of tokens) {
    const span = lineCount(token.raw);
    const own = (n: number) => source.slice(n - base, n - base + 1)[0] ?? '';
    const ownLines = source.slice(line - base, line - base + span).filter((l) => l.trim() !== '');
    switch (token.type) {
      case 'heading':
        out.push({ kind: 'heading', line, level: (token as Tokens.Heading).depth, text: headingText(token) });
        break;
      case 'paragraph': {
        // A bold first line is a heading even with its text right under it (FAQ documents).
        const bold = boldHeading(token as Tokens.Paragraph);
        if (bold) out.push({ kind: 'heading', line, level: BOLD_HEADING_LEVEL, text: bold });
        const body = ownLines.slice(bold ? 1 : 0).map((l) => l.trim());
        if (body.length > 0) out.push({ kind: 'paragraph', line: bold ? line + 1 : line, lines: body });
        break;
      }
      case 'blockquote':
        out.push({ kind: 'paragraph', line, lines: ownLines.map((l) => l.replace(/^\s*(>\s?)+/, '').trim()) });
        break;
      case 'list':
        listItems(token as Tokens.List, line, source, base, out);
        break;
      case 'table': {
        const header = own(line).trim();
        const rows = (token as Tokens.Table).rows.map((_, r) => ({
          line: line + 2 + r,
          text: asRow(own(line + 2 + r)),
        }));
        out.push({ kind: 'table', line, header: asRow(header), rows });
        break;
      }
      case 'code':
        out.push({ kind: 'code', line, endLine: line + span - 1, text: token.raw.trimEnd() });
        break;
    }
    line += newlines(token.raw);
  }
}

/** Each item is one block (its own lines up to a nested list); nested items follow as blocks of their own. */
function listItems(list: Tokens.List, line: number, source: readonly string[], base: number, out: MarkdownBlock[]) {
  for (const item of list.items) {
    let at = line;
    let ownEnd = line + lineCount(item.raw) - 1;
    const nested: { token: Token; line: number }[] = [];
    for (const token of item.tokens) {
      if (token.type === 'list' && nested.length === 0) ownEnd = Math.max(line, at - 1);
      if (token.type === 'list') nested.push({ token, line: at });
      at += newlines(token.raw);
    }
    const text = source
      .slice(line - base, ownEnd - base + 1)
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    out.push({ kind: 'item', line, endLine: ownEnd, text });
    for (const n of nested) walk([n.token], n.line, source, base, out);
    line += newlines(item.raw);
  }
}

function boldHeading(paragraph: Tokens.Paragraph): string | undefined {
  const [first, ...rest] = paragraph.tokens;
  if (first?.type !== 'strong' || first.raw.includes('\n')) return undefined;
  if (rest.length > 0 && !/^[:：]?[ \t]*(\n|$)/.test(rest[0]!.raw)) return undefined;
  const text = stripInlineMarkdown((first as Tokens.Strong).text);
  return text.length >= 2 && text.length <= MAX_BOLD_HEADING ? text : undefined;
}

function headingText(token: Token): string {
  return stripInlineMarkdown((token as Tokens.Heading).text);
}

/** A row as `| a | b |`, whether or not the document wrote its outer pipes. */
function asRow(line: string): string {
  const trimmed = line.trim();
  return trimmed.startsWith('|') ? trimmed : `| ${trimmed} |`;
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Lines a token's text spans, not counting the line break it ends with. */
function lineCount(raw: string): number {
  return newlines(raw.replace(/\n+$/, '')) + 1;
}

/** Heading or cell text without emphasis, links and code marks. */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]+/g, '')
    .trim();
}
