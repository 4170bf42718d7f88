/** What an admin's message asks for, in English or Chinese. */
import { isUploadMessage, wordsOfUploadMessage } from './upload-message.ts';

export type AdminIntent =
  | { readonly kind: 'upload' }
  /**
   * "Notify the employees with points > 0" (the original admin agent's batch notification, which the
   * original client offers for an uploaded table): Docent sends none, and adds no table it was given for it.
   */
  | { readonly kind: 'notify'; readonly withUpload: boolean }
  | { readonly kind: 'delete'; readonly target: string }
  /** "move hr/old.md to archive": into a folder ('' for the top folder), keeping the name. */
  | { readonly kind: 'move'; readonly target: string; readonly folder: string }
  | { readonly kind: 'show'; readonly target: string; readonly startLine?: number; readonly endLine?: number }
  | { readonly kind: 'rebuild' }
  /** "add synonym hotel = accommodation, lodging": wordings for the deployment's synonyms table. */
  | { readonly kind: 'synonyms'; readonly term: string; readonly sameAs: readonly string[] }
  | { readonly kind: 'list' }
  /** "list the FAQ", "查看常见问题", "show the bad cases": the rows Docent keeps from feedback. */
  | { readonly kind: 'records'; readonly which: 'faq' | 'badcases' }
  | { readonly kind: 'stats' }
  | { readonly kind: 'help' }
  /** Anything that is not an administrative request: answered from the knowledge base. */
  | { readonly kind: 'question' };

/** Words naming the knowledge base itself, so "how many files" is a statistic and "how many days" is not. */
const KB_OBJECT =
  /\b(files?|documents?|docs|knowledge[ -]?base|kb|folders?|categor(y|ies))\b|文件|文档|知识库|目录|分类/i;
const HELP =
  /^\s*(help|\?|commands|what can you do|hi|hello|hey|帮助|帮忙|你能做什么|你可以做什么|你好|您好)[\s!?.。！？]*$/i;

const CONFIRM =
  /^\s*(yes|y|yep|confirm(ed)?|ok(ay)?|sure|do it|go ahead|proceed|delete it|add (it|them) anyway|确认|确定|是|是的|好|好的|可以|同意|删除吧|继续)[\s!.。！]*$/i;

export function isConfirmation(message: string): boolean {
  return CONFIRM.test(message);
}

/** "add them", "请入库": taking up files offered earlier. */
const ADD_THEM =
  /^\s*(?:please\s+)?(?:add|ingest|import)\s+(?:it|them|the(?:se)? files?|the(?:se)? documents?)\b|^\s*(?:请)?(?:添加|入库|导入|加到知识库|添加到知识库)/i;

export function isAddRequest(message: string): boolean {
  return CONFIRM.test(message) || ADD_THEM.test(message);
}

/** Asking to see the FAQ or the bad cases (not FAQ.md as a file: that is "show FAQ.md"). */
const RECORDS =
  /^(?:list|show|view|display|see|open)\s+(?:me\s+)?(?:the\s+|our\s+|all\s+)?(?:faqs?|frequently asked questions|bad ?cases?)\s*$|^(?:列出|查看|显示|看看|打开)?\s*(?:所有|全部)?(?:的)?\s*(?:faq|常见问题|bad ?cases?|待改进问题|问题记录)(?:列表|条目)?\s*$/i;

/** A request, not a question, to message people: it opens with the verb and names whom ("通知在哪看" is a question). */
const NOTIFY =
  /^(?:(?:notify|broadcast|message|send (?:a |an |the )?(?:message|notice|notification|reminder)s? to)\b.*\b(?:employees?|staff|everyone|everybody|all|users?|people|team|colleagues)\b|(?:通知|群发|批量通知).*(?:员工|同事|大家|所有人|全体|人员|用户)|给.{1,20}发.{0,3}(?:消息|通知))/is;

function target(text: string): string {
  return text
    .trim()
    .replace(/^(the\s+)?(file|document|doc)\s+/i, '')
    .replace(/^(文件|文档)\s*/, '')
    .replace(/^[`'"“”‘’「」《]+|[`'"“”‘’「」》?？.。!！]+$/g, '')
    .trim();
}

const ADD_SYNONYMS =
  /^(?:please\s+)?add\s+(?:an?\s+|the\s+)?synonyms?(?:\s+row)?\s*:?\s*(.+?)\s*(?:=|→|->|\bmeans\b|\bis the same as\b|\bsame as\b)\s*(.+)$/is;
const ADD_SYNONYMS_ZH =
  /^(?:请)?(?:添加|增加|加)(?:一个|一条|一行)?同义词\s*[:：]?\s*(.+?)\s*(?:=|＝|→|就是|等于|等同于)\s*(.+)$/s;

function synonymsIntent(text: string): AdminIntent | undefined {
  const m = ADD_SYNONYMS.exec(text) ?? ADD_SYNONYMS_ZH.exec(text);
  if (!m) return undefined;
  const clean = (w: string) =>
    w
      .trim()
      .replace(/^[`'"“”‘’「」]+|[`'"“”‘’「」.。!！]+$/g, '')
      .trim();
  const term = clean(m[1]!);
  const sameAs = m[2]!
    .split(/[,，、;；/]|\s+(?:and|or)\s+|和|或/)
    .map(clean)
    .filter(Boolean);
  return term && sameAs.length > 0 ? { kind: 'synonyms', term, sameAs } : undefined;
}

const MOVE =
  /^(?:please\s+)?(?:move|mv)\s+(?<named>the\s+(?:file|document|doc)\s+)?(?<file>.+?)\s+(?:in)?to\s+(?<folder>.+)$/is;
const MOVE_ZH = /^(?:请)?(?:(?<named>把|将)\s*)?(?<file>.+?)\s*(?:移到|移动到|挪到|放到|归到|归档到)\s*(?<folder>.+)$/s;

/** "the archive folder", "文件夹 归档", "the top folder": the folder's path ('' for the top). */
function folderName(text: string): string {
  const name = target(text)
    .replace(/^the\s+/i, '')
    .replace(/^(folder|directory|category)\s+/i, '')
    .replace(/\s+(folder|directory|category)$/i, '')
    .replace(/^(文件夹|目录|分类)\s*|\s*(文件夹|目录|分类)(里|中|下)?$/g, '')
    .trim();
  return /^(\/|\.|top|root|the top( level)?|根目录|顶层)$/i.test(name) ? '' : name.replace(/\/+$/, '');
}

/** "Can you…", "please…", "I'd like to…", 帮我/麻烦/能不能: how a request is asked, not what it asks. */
const POLITE =
  /^(?:(?:hi|hey|hello)\b[,!]?\s*)?(?:(?:can|could|would|will) you(?: please)?|please|pls|kindly|i(?:'d| would) like to|i (?:want|need) to)\s+|^(?:请|麻烦|帮我|请帮我|麻烦你|能不能|可以帮我)\s*/i;

export function parseAdminIntent(message: string): AdminIntent {
  const text = message
    .trim()
    .replace(POLITE, '')
    .replace(/\s*[?？]+$/, '');
  if (isUploadMessage(text)) {
    const words = wordsOfUploadMessage(text).replace(POLITE, '');
    return NOTIFY.test(words) ? { kind: 'notify', withUpload: true } : { kind: 'upload' };
  }
  if (NOTIFY.test(text)) return { kind: 'notify', withUpload: false };
  const records = RECORDS.exec(text);
  if (records) return { kind: 'records', which: /bad|待改进|问题记录/i.test(records[0]) ? 'badcases' : 'faq' };
  const synonyms = synonymsIntent(text);
  if (synonyms) return synonyms;
  const move = MOVE.exec(text) ?? MOVE_ZH.exec(text);
  // "move my desk to the 3rd floor" is a question: a move names a file (a path, a file name, "the file …").
  const moved = move?.groups ? target(move.groups.file ?? '') : '';
  if (move?.groups && moved && (move.groups.named || /[./]/.test(moved))) {
    return { kind: 'move', target: moved, folder: folderName(move.groups.folder ?? '') };
  }
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
  if (/\b(rebuild|re-?index)\b|重建|重新索引|更新索引/i.test(text)) return { kind: 'rebuild' };
  if (/\bstat(s|istics)\b|统计/i.test(text)) return { kind: 'stats' };
  const aboutKb = KB_OBJECT.test(text);
  if (aboutKb && /\b(how many|size|count|number of)\b|多少|数量|大小|几个/i.test(text)) return { kind: 'stats' };
  if (/^\s*(list|ls|tree)\b|\blist (the |all )?(files|documents)\b|列出|列表/i.test(text)) return { kind: 'list' };
  if (aboutKb && /\b(what|which|show)\b|有哪些|有什么|都有/i.test(text)) return { kind: 'list' };
  if (HELP.test(text)) return { kind: 'help' };
  return { kind: 'question' };
}
