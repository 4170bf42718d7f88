/** HTML → Markdown with turndown (scripts, styles and forms dropped). */
import TurndownService from 'turndown';
import { checkHtmlNesting } from './limits.ts';

const turndown = new TurndownService({ headingStyle: 'atx', bulletListMarker: '-', codeBlockStyle: 'fenced' });
turndown.remove(['script', 'style', 'noscript', 'iframe', 'object', 'form']);
// Keep simple tables as Markdown tables (turndown drops table structure by default).
turndown.addRule('tableCell', {
  filter: ['th', 'td'],
  replacement: (content) => ` ${content.replace(/\n+/g, ' ').replace(/\|/g, '\\|').trim()} |`,
});
turndown.addRule('tableRow', {
  filter: 'tr',
  replacement: (content, node) => {
    const row = `|${content}\n`;
    // The first row of a table is its header (Word tables rarely mark <th>).
    const tr = node as unknown as {
      previousElementSibling: unknown;
      parentNode: { previousElementSibling: unknown } | null;
    };
    const isFirst = !tr.previousElementSibling && !tr.parentNode?.previousElementSibling;
    if (!isFirst) return row;
    const cells = (content.match(/(?<!\\)\|/g) ?? []).length;
    return `${row}|${' --- |'.repeat(Math.max(1, cells))}\n`;
  },
});
turndown.addRule('table', {
  filter: 'table',
  replacement: (content) => `\n\n${content.replace(/\n\n+/g, '\n')}\n\n`,
});

/** Also for Word documents (mammoth's HTML): their nesting is refused past the same limit. */
export function htmlToMarkdown(html: string, name: string): string {
  checkHtmlNesting(html, name);
  return turndown
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
