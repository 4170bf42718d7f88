/**
 * The admin workflow: ingest uploaded files (with "3/10" progress), list and
 * count, show a file, delete in two steps (the plan, then a confirming reply;
 * anything else cancels), rebuild the index; a question about the knowledge
 * base is answered by the employee workflow, saying so.
 */
import { readFeedbackMessage } from '../../kb/feedback.ts';
import { formatRow } from '../../kb/markdown-table.ts';
import {
  type IngestResult,
  type IngestSource,
  KbError,
  type KnowledgeBase,
  type PlacementBasis,
  type TreeNode,
} from '../../kb/types.ts';
import type { AgentEvent } from '../types.ts';
import { type AdminIntent, isAddRequest, isConfirmation, parseAdminIntent } from './admin-intents.ts';
import { employeeTurn } from './employee-turn.ts';
import { detectLanguage, type Lang, t } from './language.ts';
import { type LocalTurnContext, textChunks } from './turn-context.ts';
import { parseUploadMessage, wordsOfUploadMessage } from './upload-message.ts';

const SHOW_LINES = 80;
const MAX_SHOW_LINES = 400;
const LIST_LIMIT = 200;

/** The workflow's fixed replies, in English and Chinese. */
const REPLIES = {
  deleteCancelled: ['Deletion cancelled; nothing was deleted.\n\n', '已取消删除，没有删除任何文件。\n\n'],
  ingestCancelled: ['Skipped the conflicting files.\n\n', '已跳过有冲突的文件。\n\n'],
  uploadDropped: ['The uploaded files were left out of the knowledge base.\n\n', '上传的文件未加入知识库。\n\n'],
  answeredAsEmployee: [
    '_Answered from the knowledge base as the employee assistant answers; say "help" for what I manage._\n\n',
    '_以下按员工助手的方式从知识库回答；输入"帮助"查看我能管理的内容。_\n\n',
  ],
  noFilesListed: [
    'The upload message lists no files ("- name (path: ...)").',
    '上传消息中没有文件（"- 名称 (path: ...)"）。',
  ],
  noUploadFound: [
    'None of the uploaded files could be found; please upload them again.',
    '找不到任何上传的文件，请重新上传。',
  ],
  noNotifications: [
    'Docent does not send messages to employees, so nobody was notified.',
    'Docent 不向员工发送消息，没有通知任何人。',
  ],
  uploadKept: [
    'The uploaded files were not added to the knowledge base. Reply "add them" to add them as documents:',
    '上传的文件没有加入知识库。如需作为文档入库，请回复"添加"：',
  ],
  confirmConflicting: [
    'Reply "confirm" to add the conflicting files anyway; anything else skips them.',
    '回复"确认"仍然添加有冲突的文件；回复其他内容则跳过。',
  ],
} as const satisfies Record<string, readonly [en: string, zh: string]>;

const CANCELLED = { delete: 'deleteCancelled', ingest: 'ingestCancelled', upload: 'uploadDropped' } as const;

export async function* adminTurn(kb: KnowledgeBase, ctx: LocalTurnContext): AsyncGenerator<AgentEvent> {
  const message = ctx.message.trim();
  const lang = detectLanguage(wordsOfUploadMessage(message) || message);
  const pending = ctx.state.pending;
  ctx.state.pending = undefined;
  if (pending?.kind === 'delete' && isConfirmation(message)) {
    yield ctx.toolUse('delete_file', { path: pending.target, confirm: true });
    try {
      const { deleted } = await kb.confirmDelete(pending.plan.token);
      yield { type: 'text', text: `${t(lang, 'Deleted:', '已删除：')}\n${deleted.map((p) => `- ${p}`).join('\n')}\n` };
    } catch (error) {
      yield errorEvent(error);
    }
    return;
  }
  if (pending?.kind === 'ingest' && isConfirmation(message)) {
    yield* ingestAll(kb, ctx, pending.sources, lang, true);
    return;
  }
  if (pending?.kind === 'upload' && isAddRequest(message)) {
    yield* ingestAll(kb, ctx, pending.sources, lang, false);
    return;
  }
  const intent = parseAdminIntent(message);
  if (pending) {
    const [en, zh] = REPLIES[CANCELLED[pending.kind]];
    yield { type: 'text', text: t(lang, en, zh) };
    if (intent.kind === 'help') return;
  }
  yield* runIntent(kb, ctx, intent, lang);
}

async function* runIntent(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  intent: AdminIntent,
  lang: Lang,
): AsyncGenerator<AgentEvent> {
  switch (intent.kind) {
    case 'upload':
      yield* upload(kb, ctx, lang);
      return;
    case 'notify':
      yield* notify(ctx, lang, intent.withUpload);
      return;
    case 'delete':
      yield* planDelete(kb, ctx, intent.target, lang);
      return;
    case 'move':
      yield* move(kb, ctx, intent, lang);
      return;
    case 'show':
      yield* show(kb, ctx, intent, lang);
      return;
    case 'rebuild':
      yield ctx.toolUse('rebuild_index', {});
      await kb.rebuildIndex();
      yield { type: 'text', text: t(lang, 'The index and README.md were rebuilt.', '索引和 README.md 已重建。') };
      return;
    case 'records':
      yield* records(kb, ctx, lang, intent.which);
      return;
    case 'list':
    case 'stats':
      yield* listAndStats(kb, ctx, lang, intent.kind === 'list');
      return;
    case 'synonyms':
      yield* addSynonyms(kb, ctx, intent, lang);
      return;
    case 'question':
      // Said once a conversation, and not before the reply to feedback on an answer.
      if (!ctx.state.toldAnswersAsEmployee && !readFeedbackMessage(ctx.message)) {
        ctx.state.toldAnswersAsEmployee = true;
        yield { type: 'text', text: t(lang, ...REPLIES.answeredAsEmployee) };
      }
      yield* employeeTurn(kb, ctx);
      return;
    default:
      yield { type: 'text', text: help(lang) };
  }
}

async function* upload(kb: KnowledgeBase, ctx: LocalTurnContext, lang: Lang): AsyncGenerator<AgentEvent> {
  const uploads = yield* resolveUploads(ctx, lang);
  if (uploads) yield* ingestAll(kb, ctx, uploads, lang, false);
}

/** The upload message's files, resolved; failures are said, and undefined when none is left. */
async function* resolveUploads(
  ctx: LocalTurnContext,
  lang: Lang,
): AsyncGenerator<AgentEvent, IngestSource[] | undefined> {
  const lines = parseUploadMessage(ctx.message);
  if (lines.length === 0) {
    yield { type: 'error', code: 'KB_INPUT_INVALID', message: t(lang, ...REPLIES.noFilesListed) };
    return undefined;
  }
  const sources: IngestSource[] = [];
  const problems: string[] = [];
  for (const line of lines) {
    const resolved = await ctx.resolveUpload(line.reference);
    if (resolved) sources.push({ name: line.name || resolved.name, sourcePath: resolved.path });
    else {
      problems.push(
        t(
          lang,
          `✗ ${line.name}: unknown or expired upload reference "${line.reference}" — please upload the file again.`,
          `✗ ${line.name}：上传引用"${line.reference}"无效或已过期，请重新上传。`,
        ),
      );
    }
  }
  if (problems.length > 0) yield { type: 'text', text: `${problems.join('\n')}\n\n` };
  if (sources.length > 0) return sources;
  yield { type: 'error', code: 'UPLOAD_UNKNOWN', message: t(lang, ...REPLIES.noUploadFound) };
  return undefined;
}

/** Docent sends no messages to employees; files that came with the request wait for "add them". */
async function* notify(ctx: LocalTurnContext, lang: Lang, withUpload: boolean): AsyncGenerator<AgentEvent> {
  yield { type: 'text', text: `${t(lang, ...REPLIES.noNotifications)}\n` };
  if (!withUpload) return;
  const uploads = yield* resolveUploads(ctx, lang);
  if (!uploads) return;
  ctx.state.pending = { kind: 'upload', sources: uploads };
  const names = uploads.map((s) => `- ${s.name}`).join('\n');
  yield { type: 'text', text: `\n${t(lang, ...REPLIES.uploadKept)}\n${names}\n` };
}

async function* ingestAll(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  sources: readonly IngestSource[],
  lang: Lang,
  force: boolean,
): AsyncGenerator<AgentEvent> {
  const results: IngestResult[] = [];
  const total = sources.length;
  for (const [i, source] of sources.entries()) {
    if (ctx.signal.aborted) return;
    const label = `${i + 1}/${total} ${source.name}`;
    ctx.onProgress?.({ done: i, total, label });
    yield { type: 'text', text: `${label}…\n` };
    yield ctx.toolUse('ingest', { file_path: source.name, force });
    const [result] = await kb.ingest([source], { force, signal: ctx.signal });
    if (!result) continue;
    results.push(result);
    yield { type: 'text', text: `${describeResult(result, lang)}\n\n` };
  }
  ctx.onProgress?.({ done: total, total, label: t(lang, 'done', '完成') });
  const added = results.filter((r) => r.status === 'added').length;
  const conflicted = results.filter((r) => r.status === 'conflict');
  const failed = results.filter((r) => r.status === 'failed').length;
  const summary = [
    t(
      lang,
      `Done: ${added} added, ${conflicted.length} with conflicts, ${failed} failed.`,
      `完成：新增 ${added} 个，冲突 ${conflicted.length} 个，失败 ${failed} 个。`,
    ),
  ];
  if (conflicted.length > 0) {
    ctx.state.pending = {
      kind: 'ingest',
      sources: sources.filter((s) => conflicted.some((c) => c.name === s.name)),
    };
    summary.push(t(lang, ...REPLIES.confirmConflicting));
  }
  yield { type: 'text', text: summary.join('\n') };
}

function placementReason(basis: PlacementBasis, lang: Lang): string {
  switch (basis.kind) {
    case 'similar': {
      const percent = Math.round(100 * basis.share);
      return t(
        lang,
        `most like ${basis.examples.join(' and ')}, ${percent}% of the similarity to existing documents`,
        `与 ${basis.examples.join('、')} 最相近，占与已有文档相似度的 ${percent}%`,
      );
    }
    case 'unclear':
      return t(
        lang,
        `no existing folder is clearly closest (best: ${basis.best}); named after the document's headings`,
        `没有明显最相近的已有文件夹（最接近：${basis.best}），按文档标题命名`,
      );
    case 'new':
      return t(
        lang,
        "nothing alike yet; named after the document's headings",
        '知识库中还没有相似的文档，按文档标题命名',
      );
    case 'chosen':
      return t(lang, 'the folder you chose', '你指定的文件夹');
  }
}

function describeResult(result: IngestResult, lang: Lang): string {
  switch (result.status) {
    case 'added': {
      const why = result.placement && placementReason(result.placement.basis, lang);
      return `✓ ${result.name} → ${result.path}${why ? t(lang, ` (${why})`, `（${why}）`) : ''}`;
    }
    case 'conflict': {
      const details = (result.conflicts ?? []).map((c) =>
        [
          t(
            lang,
            `- ${c.kind === 'duplicate' ? 'Near-duplicate of' : 'Figures disagree with'} ${c.existingPath} (lines ${c.existingLines}):`,
            `- ${c.kind === 'duplicate' ? '与已有文档高度重复' : '数据与已有文档不一致'}：${c.existingPath}（第 ${c.existingLines} 行）：`,
          ),
          `  > ${t(lang, 'existing', '已有')}: ${oneLine(c.existingText)}`,
          `  > ${t(lang, 'new', '新文件')}: ${oneLine(c.incomingText)}`,
        ].join('\n'),
      );
      return [
        t(
          lang,
          `⚠ ${result.name} was not added: ${result.reason}.`,
          `⚠ ${result.name} 未添加：${(result.conflicts ?? []).some((c) => c.kind === 'duplicate') ? '与已有文档高度相似' : '其中的数据与已有文档不一致'}。`,
        ),
        ...details,
      ].join('\n');
    }
    case 'skipped':
      return t(lang, `- ${result.name}: skipped (${result.reason})`, `- ${result.name}：已跳过（${result.reason}）`);
    default:
      return t(lang, `✗ ${result.name}: ${result.reason}`, `✗ ${result.name}：${result.reason}`);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

async function* planDelete(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  target: string,
  lang: Lang,
): AsyncGenerator<AgentEvent> {
  const file = await theFile(kb, target, lang);
  if ('reply' in file) {
    yield file.reply;
    return;
  }
  const { path } = file;
  yield ctx.toolUse('delete_file', { path, confirm: false });
  try {
    const plan = await kb.planDelete(path);
    ctx.state.pending = { kind: 'delete', plan, target: path };
    yield {
      type: 'text',
      text: [
        t(lang, 'This will delete:', '将删除以下内容：'),
        ...plan.paths.map((p) => `- ${p}`),
        '',
        t(lang, 'Reply "confirm" to delete; anything else cancels.', '回复"确认"执行删除；回复其他内容则取消。'),
      ].join('\n'),
    };
  } catch (error) {
    yield errorEvent(error);
  }
}

async function* move(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  intent: { readonly target: string; readonly folder: string },
  lang: Lang,
): AsyncGenerator<AgentEvent> {
  const file = await theFile(kb, intent.target, lang);
  if ('reply' in file) {
    yield file.reply;
    return;
  }
  yield ctx.toolUse('move_file', { path: file.path, folder: intent.folder });
  try {
    const { moved } = await kb.move(file.path, intent.folder);
    const where = intent.folder || t(lang, 'the top folder', '顶层目录');
    yield {
      type: 'text',
      text: [
        t(lang, `Moved to ${where}:`, `已移动到 ${where}：`),
        ...moved.map((m) => `- ${m.from} → ${m.to}`),
        '',
        t(lang, 'README.md and the search index are updated.', 'README.md 和搜索索引已更新。'),
      ].join('\n'),
    };
  } catch (error) {
    // A name taken or a folder that cannot be is the admin's to fix: said in the reply, not a failed turn.
    if (!(error instanceof KbError && (error.code === 'KB_INPUT_INVALID' || error.code === 'KB_PATH_INVALID'))) {
      yield errorEvent(error);
      return;
    }
    yield { type: 'text', text: t(lang, `Nothing was moved. ${error.message}.`, `未移动：${error.message}。`) };
  }
}

async function* addSynonyms(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  intent: { readonly term: string; readonly sameAs: readonly string[] },
  lang: Lang,
): AsyncGenerator<AgentEvent> {
  yield ctx.toolUse('add_synonyms', { term: intent.term, same_as: intent.sameAs });
  try {
    const result = await kb.addSynonyms(intent);
    const words = result.added.map((w) => `"${w}"`).join(', ');
    yield {
      type: 'text',
      text:
        result.added.length === 0
          ? t(
              lang,
              `${result.file} already has every one of these wordings for "${result.term}"; nothing changed.`,
              `${result.file} 中"${result.term}"已有这些说法，未做改动。`,
            )
          : t(
              lang,
              `Added to ${result.file}: "${result.term}" = ${words}. Searches use it from now on.`,
              `已写入 ${result.file}："${result.term}" = ${words}。之后的搜索会用到。`,
            ),
    };
  } catch (error) {
    // A wording the table cannot hold is the admin's to fix: said in the reply, not a failed turn.
    if (!(error instanceof KbError && error.code === 'KB_INPUT_INVALID')) throw error;
    yield { type: 'text', text: t(lang, `Nothing was added. ${error.message}.`, `未添加：${error.message}。`) };
  }
}

async function* show(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  intent: { readonly target: string; readonly startLine?: number; readonly endLine?: number },
  lang: Lang,
): AsyncGenerator<AgentEvent> {
  const file = await theFile(kb, intent.target, lang);
  if ('reply' in file) {
    yield file.reply;
    return;
  }
  const startLine = Math.max(1, intent.startLine ?? 1);
  const endLine = Math.min(intent.endLine ?? startLine + SHOW_LINES - 1, startLine + MAX_SHOW_LINES - 1);
  yield ctx.toolUse('read_file', { file_path: file.path, offset: startLine, limit: endLine - startLine + 1 });
  try {
    const slice = await kb.read(file.path, { startLine, endLine });
    const partial = slice.startLine > 1 || slice.totalLines > slice.endLine;
    const more = partial
      ? t(
          lang,
          `\n\n(lines ${slice.startLine}-${slice.endLine} of ${slice.totalLines})`,
          `\n\n（第 ${slice.startLine}-${slice.endLine} 行，共 ${slice.totalLines} 行）`,
        )
      : '';
    yield* textChunks(`**${slice.path}**\n\n${fence(slice.content)}${more}`, 2);
  } catch (error) {
    yield errorEvent(error);
  }
}

function fence(content: string): string {
  const ticks = content.includes('```') ? '~~~~' : '```';
  return `${ticks}markdown\n${content}\n${ticks}`;
}

async function* listAndStats(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  lang: Lang,
  withTree: boolean,
): AsyncGenerator<AgentEvent> {
  yield ctx.toolUse('kb_stats', {});
  const stats = await kb.stats();
  const lines = [
    t(
      lang,
      `The knowledge base holds **${stats.files} files** in ${stats.folders} folders (${(stats.bytes / 1024).toFixed(1)} KB); FAQ: ${stats.faqEntries} entries; bad cases: ${stats.badCases}.`,
      `知识库共有 **${stats.files} 个文件**，${stats.folders} 个文件夹（${(stats.bytes / 1024).toFixed(1)} KB）；常见问题 ${stats.faqEntries} 条；待处理问题 ${stats.badCases} 条。`,
    ),
    '',
    `${t(lang, 'By type', '按类型')}: ${Object.entries(stats.byExtension)
      .map(([ext, n]) => `${ext} ${n}`)
      .join(', ')}`,
  ];
  if (withTree) {
    yield ctx.toolUse('list_files', { path: '/' });
    const files = flatten(await kb.tree()).filter((f) => !f.path.startsWith('contents_overview/'));
    lines.push('');
    for (const file of files.slice(0, LIST_LIMIT)) {
      lines.push(
        `- ${file.path} (${(file.size / 1024).toFixed(1)} KB)${file.description ? ` — ${file.description}` : ''}`,
      );
    }
    if (files.length > LIST_LIMIT)
      lines.push(t(lang, `… and ${files.length - LIST_LIMIT} more`, `……另有 ${files.length - LIST_LIMIT} 个`));
  }
  yield* textChunks(lines.join('\n'), 3);
}

/** The FAQ rows as the file keeps them; the bad cases newest first (the file appends). At most LIST_LIMIT. */
async function* records(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  lang: Lang,
  which: 'faq' | 'badcases',
): AsyncGenerator<AgentEvent> {
  const lines: string[] = [];
  if (which === 'faq') {
    yield ctx.toolUse('list_faq', {});
    const rows = await kb.faq();
    lines.push(t(lang, `The FAQ has ${rows.length} entries.`, `常见问题共 ${rows.length} 条。`));
    if (rows.length > 0) lines.push('', t(lang, '| Question | Usage |', '| 问题 | 使用次数 |'), '| --- | --- |');
    for (const row of rows.slice(0, LIST_LIMIT)) lines.push(formatRow([row.question, String(row.usage)]));
  } else {
    yield ctx.toolUse('list_bad_cases', {});
    const cases = (await kb.badCases()).reverse();
    lines.push(t(lang, `${cases.length} bad cases are recorded.`, `共记录 ${cases.length} 条待改进问题。`));
    for (const c of cases.slice(0, LIST_LIMIT))
      lines.push(`- ${c.date} · ${c.question}${c.feedback ? ` — ${c.feedback}` : ''}`);
  }
  yield* textChunks(lines.join('\n'), 3);
}

function flatten(node: TreeNode): TreeNode[] {
  if (node.type === 'file') return [node];
  return (node.children ?? []).flatMap(flatten);
}

/** Files matching what the admin typed: the exact path, else the file name, else a part of it. */
async function findFile(kb: KnowledgeBase, target: string): Promise<string[]> {
  const files = flatten(await kb.tree()).map((f) => f.path);
  const wanted = target.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1).toLowerCase();
  const exact = files.filter((p) => p.toLowerCase() === wanted);
  if (exact.length > 0) return exact;
  const byName = files.filter((p) => name(p) === wanted);
  if (byName.length > 0) return byName;
  const byStem = files.filter((p) => name(p).replace(/\.[^.]+$/, '') === wanted);
  if (byStem.length > 0) return byStem;
  return files.filter((p) => p.toLowerCase().includes(wanted)).slice(0, 20);
}

/** The one file the admin means, or the reply that says none or several match. */
async function theFile(
  kb: KnowledgeBase,
  target: string,
  lang: Lang,
): Promise<{ readonly path: string } | { readonly reply: AgentEvent }> {
  const found = await findFile(kb, target);
  if (found.length === 1) return { path: found[0]! };
  return { reply: { type: 'text', text: notFoundOrAmbiguous(target, found, lang) } };
}

function notFoundOrAmbiguous(target: string, found: readonly string[], lang: Lang): string {
  if (found.length === 0) return t(lang, `No file matches "${target}".`, `没有找到与"${target}"匹配的文件。`);
  return [
    t(lang, `Several files match "${target}"; which one?`, `有多个文件与"${target}"匹配，请指定：`),
    ...found.map((p) => `- ${p}`),
  ].join('\n');
}

function errorEvent(error: unknown): AgentEvent {
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: 'error',
    message: message || 'Unknown error',
    ...(error instanceof KbError ? { code: error.code } : {}),
  };
}

function help(lang: Lang): string {
  return t(
    lang,
    [
      'I manage the knowledge base. I can:',
      '- add files: upload them, then send the message the upload page fills in',
      '- list files or show statistics: "list files", "stats"',
      '- see what feedback kept: "list the FAQ", "show the bad cases"',
      '- show a file: "show hr/leave_policy.md" (a part: "show hr/leave_policy.md lines 5-20")',
      '- delete a file (asks to confirm first): "delete hr/old_policy.md"',
      '- move a file into a folder (its images and data file go with it): "move hr/old_policy.md to archive"',
      '- rebuild the index and README: "rebuild index"',
      '- teach a wording: "add synonym hotel = accommodation, lodging" (kept in .docent/synonyms.md)',
    ].join('\n'),
    [
      '我负责管理知识库，可以：',
      '- 添加文件：上传文件，然后发送上传页面填好的消息',
      '- 列出文件或查看统计："列出文件"、"统计"',
      '- 查看反馈留下的记录："查看常见问题"、"查看待改进问题"',
      '- 查看文件："查看 hr/leave_policy.md"（部分："查看 hr/leave_policy.md 第5-20行"）',
      '- 删除文件（先确认再删除）："删除 hr/old_policy.md"',
      '- 把文件移到某个文件夹（图片和数据文件一起移动）："把 hr/old_policy.md 移到 archive"',
      '- 重建索引和 README："重建索引"',
      '- 添加同义说法："添加同义词 酒店 = 住宿、宾馆"（保存在 .docent/synonyms.md）',
    ].join('\n'),
  );
}
