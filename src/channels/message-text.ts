/**
 * Text for messengers: long answers split at paragraph boundaries, and
 * Docent's Markdown turned into each platform's markup. Hand-written because
 * the conversions are a handful of line-level rewrites (headings, bold, links)
 * that no converter library targets for these three dialects.
 */

export type Measure = (text: string) => number;

export const charLength: Measure = (text) => [...text].length;
export const utf8Length: Measure = (text) => Buffer.byteLength(text, 'utf8');

/**
 * Splits `text` into pieces no longer than `max`, at paragraph breaks where it
 * can, then at line breaks, then at spaces, and only as a last resort inside
 * a word. Code fences are not reopened across pieces: a fence is kept whole
 * when it fits in one piece. Both measures add up over a text's parts, so the
 * length of the piece being built is kept as a sum: the time is linear in the
 * text, not in the text times `max`.
 */
export function splitMessage(text: string, max: number, measure: Measure = charLength): string[] {
  const trimmed = text.trim();
  if (measure(trimmed) <= max) return trimmed ? [trimmed] : [];
  const pieces: string[] = [];
  const separator = measure('\n\n');
  let current = '';
  let size = 0;
  const flush = () => {
    if (current.trim()) pieces.push(current.trim());
    current = '';
    size = 0;
  };
  for (const block of splitKeeping(trimmed, /\n{2,}/)) {
    const blockSize = measure(block);
    if (current && size + separator + blockSize <= max) {
      current = `${current}\n\n${block}`;
      size += separator + blockSize;
      continue;
    }
    if (!current && blockSize <= max) {
      current = block;
      size = blockSize;
      continue;
    }
    flush();
    if (blockSize <= max) {
      current = block;
      size = blockSize;
      continue;
    }
    for (const piece of splitLong(block, max, measure)) pieces.push(piece);
  }
  flush();
  return pieces;
}

function splitKeeping(text: string, separator: RegExp): string[] {
  return text.split(separator).filter((part) => part.trim().length > 0);
}

/** A single paragraph longer than `max`: lines, then words, then characters. */
function splitLong(block: string, max: number, measure: Measure): string[] {
  const out: string[] = [];
  const lines = block.includes('\n');
  const units = lines ? block.split('\n') : block.split(/(?<=\s)/);
  const joiner = lines ? '\n' : '';
  const joinerSize = measure(joiner);
  let current = '';
  let size = 0;
  for (const unit of units) {
    const unitSize = measure(unit);
    if (current && size + joinerSize + unitSize <= max) {
      current = `${current}${joiner}${unit}`;
      size += joinerSize + unitSize;
      continue;
    }
    if (!current && unitSize <= max) {
      current = unit;
      size = unitSize;
      continue;
    }
    if (current) out.push(current.trim());
    current = '';
    size = 0;
    if (unitSize <= max) {
      current = unit;
      size = unitSize;
      continue;
    }
    const chunk: string[] = [];
    for (const char of unit) {
      const charSize = measure(char);
      if (size + charSize > max) {
        out.push(chunk.join(''));
        chunk.length = 0;
        size = 0;
      }
      chunk.push(char);
      size += charSize;
    }
    current = chunk.join('');
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

const HEADING = /^#{1,6}\s+(.*)$/;
// Bounded: an unclosed "[" or "(http:" on a long line would otherwise be scanned to the line's end from each one.
const LINK = /\[([^\]\n]{1,500})\]\((https?:[^)\s]{1,2000})\)/g;
const BOLD = /\*\*([^*\n]+)\*\*/g;

/**
 * Slack mrkdwn: *bold*, _italic_, <url|text>, no headings (shown bold), and
 * `&`, `<`, `>` escaped as Slack asks.
 */
export function toSlackMrkdwn(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => {
      const escaped = line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const heading = HEADING.exec(escaped);
      const body = heading ? `*${heading[1]!.replace(BOLD, '$1')}*` : escaped;
      return body.replace(BOLD, '*$1*').replace(LINK, '<$2|$1>');
    })
    .join('\n');
}

/**
 * WeCom's markdown subset: headings, **bold**, links, `code`, quotes and
 * lists render; tables and fenced code do not, so table rows become plain
 * lines and fences lose their markers.
 */
export function toWecomMarkdown(markdown: string): string {
  return markdown
    .split('\n')
    .filter((line) => !/^\s*```/.test(line) && !/^\s*\|?\s*:?-{3,}/.test(line))
    .map((line) =>
      /^\s*\|.*\|\s*$/.test(line)
        ? line
            .trim()
            .slice(1, -1)
            .split('|')
            .map((c) => c.trim())
            .join(' · ')
        : line,
    )
    .join('\n');
}

/** Feishu card markdown has no headings: they become bold lines. */
export function toFeishuMarkdown(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => {
      const heading = HEADING.exec(line);
      return heading ? `**${heading[1]!.replace(BOLD, '$1')}**` : line;
    })
    .join('\n');
}
