/** What an admin's message asks for, in English or Chinese. */
import { isUploadMessage } from './upload-message.ts';

export type AdminIntent =
  | { readonly kind: 'upload' }
  | { readonly kind: 'delete'; readonly target: string }
  | { readonly kind: 'show'; readonly target: string; readonly startLine?: number; readonly endLine?: number }
  | { readonly kind: 'rebuild' }
  | { readonly kind: 'list' }
  | { readonly kind: 'stats' }
  | { readonly kind: 'help' };

const CONFIRM =
  /^\s*(yes|y|yep|confirm(ed)?|ok(ay)?|sure|do it|go ahead|proceed|delete it|add (it|them) anyway|确认|确定|是|是的|好|好的|可以|同意|删除吧|继续)[\s!.。！]*$/i;

export function isConfirmation(message: string): boolean {
  return CONFIRM.test(message);
}

function target(text: string): string {
  return text
    .trim()
    .replace(/^(the\s+)?(file|document|doc)\s+/i, '')
    .replace(/^(文件|文档)\s*/, '')
    .replace(/^[`'"“”‘’「」《]+|[`'"“”‘’「」》?？.。!！]+$/g, '')
    .trim();
}

export function parseAdminIntent(message: string): AdminIntent {
  const text = message.trim();
  if (isUploadMessage(text)) return { kind: 'upload' };
  let m =
    /^(?:please\s+)?(?:delete|remove|rm)\s+(.+)$/is.exec(text) ?? /^(?:请)?(?:删除|移除|删掉)\s*(.+)$/s.exec(text);
  if (m && target(m[1]!)) return { kind: 'delete', target: target(m[1]!) };
  m =
    /^(?:please\s+)?(?:show|read|open|view|display|cat)\s+(?:me\s+)?(.+)$/is.exec(text) ??
    /^(?:请)?(?:查看|打开|显示|看看|阅读)\s*(.+)$/s.exec(text);
  if (m && target(m[1]!) && !/^(the\s+)?(files|stats|statistics|list)$/i.test(target(m[1]!))) {
    // "show a.md lines 10-40", "查看 a.md 第10-40行"
    const range = /\s*(?:,?\s*lines?\s*|第\s*)(\d+)\s*(?:-|–|~|to|到|至)\s*(\d+)\s*行?\s*$/i.exec(m[1]!);
    if (range) {
      const rest = target(m[1]!.slice(0, range.index));
      return { kind: 'show', target: rest, startLine: Number(range[1]), endLine: Number(range[2]) };
    }
    return { kind: 'show', target: target(m[1]!) };
  }
  if (/\b(rebuild|re-?index|refresh)\b|重建|刷新|重新索引|更新索引/i.test(text)) return { kind: 'rebuild' };
  if (/\b(stat(s|istics)?|how many|size|count)\b|统计|多少|数量|大小/i.test(text)) return { kind: 'stats' };
  if (/\b(list|files|tree|documents|contents|what('s| is) in)\b|列出|列表|目录|有哪些|文件/i.test(text)) {
    return { kind: 'list' };
  }
  return { kind: 'help' };
}
