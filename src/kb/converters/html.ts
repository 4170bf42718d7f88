/** HTML → Markdown with turndown (scripts, styles and forms dropped). */
import TurndownService from 'turndown';

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

export function htmlToMarkdown(html: string): string {
  return turndown
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
