// English and Chinese strings. The language follows the browser until the
// user picks one with the switch; the choice is remembered in localStorage.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

const en = {
  'app.name': 'Docent',
  'app.tagline': 'Answers from the company knowledge base',
  'admin.title': 'Admin console',
  'lang.switch': 'Language',
  'chat.placeholder': 'Ask a question about the knowledge base…',
  'chat.send': 'Send',
  'chat.stop': 'Stop',
  'chat.new': 'New conversation',
  'chat.empty.title': 'How can I help?',
  'chat.empty.body':
    'Ask about policies, procedures or any document in the knowledge base. Answers cite their sources.',
  'admin.chat.empty.title': 'Manage the knowledge base',
  'admin.chat.empty.body':
    'Add documents (upload them first), delete files, see statistics, or ask anything the knowledge base answers.',
  'chat.you': 'You',
  'chat.assistant': 'Docent',
  'chat.thinking': 'Working…',
  'chat.stopped': 'Stopped.',
  'chat.duration': 'Answered in {s} s',
  'chat.durationMs': 'Answered in {ms} ms',
  'chat.busy': 'All assistants are busy, retrying in {n} s',
  'chat.busy.cancel': 'Cancel',
  'chat.notResumed': 'This conversation could not be resumed, so a new one was started.',
  'chat.notResumed.reason': 'Reason: {reason}',
  'chat.error': 'Something went wrong: {message}',
  'chat.cutShort': 'The connection closed before the answer was complete. Please ask again.',
  'chat.loadError': 'Could not load this conversation: {message}',
  'tools.title': 'Activity',
  'tools.count': 'one: {n} step | other: {n} steps',
  'tool.Read': 'Reading',
  'tool.Grep': 'Searching',
  'tool.Glob': 'Listing files',
  'tool.Bash': 'Running',
  'tool.Write': 'Writing',
  'tool.Edit': 'Editing',
  'tool.search_kb': 'Searching the knowledge base',
  'tool.search': 'Searching the knowledge base',
  'tool.read_file': 'Reading',
  'tool.match_faq': 'Checking the FAQ',
  'tool.list_files': 'Listing files',
  'tool.kb_stats': 'Counting documents',
  'tool.find_expert': 'Finding an expert',
  'tool.ingest_uploads': 'Adding documents',
  'tool.plan_delete': 'Planning a delete',
  'tool.confirm_delete': 'Deleting',
  'tool.record_feedback': 'Recording feedback',
  'tool.list_faq': 'Reading the FAQ',
  'tool.list_bad_cases': 'Reading bad cases',
  'tool.rebuild_index': 'Rebuilding the index',
  'tool.default': 'Using {tool}',
  'feedback.prompt': 'Was this helpful?',
  'feedback.up': 'Helpful',
  'feedback.down': 'Not helpful',
  'feedback.reason': 'What was wrong or missing? (optional)',
  'feedback.submit': 'Send feedback',
  'feedback.cancel': 'Cancel',
  'feedback.thanks': 'Thanks for your feedback.',
  'feedback.error': 'Feedback could not be sent: {message}',
  'history.title': 'Conversations',
  'history.empty': 'No conversations yet.',
  'history.untitled': 'Untitled conversation',
  'history.turns': 'one: {n} turn | other: {n} turns',
  'history.delete': 'Delete conversation',
  'source.title': 'Source',
  'source.lines': 'Lines {start}–{end} of {total}',
  'source.close': 'Close',
  'source.loading': 'Loading…',
  'source.error': 'Could not open {path}: {message}',
  'signin.title': 'Sign in to the admin console',
  'signin.token': 'Admin token',
  'signin.hint':
    'Set with ADMIN_TOKEN, or generated at first start: printed once and kept in the data directory (data/admin-token).',
  'signin.submit': 'Sign in',
  'signin.invalid': 'That token was not accepted.',
  'signin.signout': 'Sign out',
  'tab.chat': 'Chat',
  'tab.upload': 'Upload',
  'tab.kb': 'Knowledge base',
  'tab.pool': 'Pools',
  'admin.chat.placeholder': 'Ask the admin agent to organise, add or check documents…',
  'upload.drop': 'Drop files here, or',
  'upload.browse': 'choose files',
  'upload.hint': 'Up to 10 files at a time: Markdown, text, HTML, Word, PowerPoint, PDF, Excel, CSV.',
  'upload.folder': 'Folder',
  'upload.folder.auto': 'Automatic (next to similar documents)',
  'upload.ingest': 'Add to knowledge base',
  'upload.clear': 'Clear list',
  'upload.uploading': 'Uploading',
  'upload.uploaded': 'Uploaded',
  'upload.failed': 'Upload failed',
  'upload.waiting': 'Waiting',
  'ingest.title': 'Adding to the knowledge base',
  'stage.queued': 'Queued',
  'stage.converting': 'Converting',
  'stage.checking': 'Checking for conflicts',
  'stage.placing': 'Placing',
  'stage.indexing': 'Indexing',
  'stage.added': 'Added',
  'stage.conflict': 'Conflict',
  'stage.failed': 'Failed',
  'ingest.status.added': 'Added',
  'ingest.status.conflict': 'Conflict',
  'ingest.status.failed': 'Failed',
  'ingest.status.skipped': 'Skipped',
  'ingest.addedAt': 'Placed at {path}',
  'ingest.conflict.existing': 'Already in the knowledge base',
  'ingest.conflict.incoming': 'In the new document',
  'ingest.conflict.addAnyway': 'Add anyway',
  'ingest.conflict.skip': 'Skip',
  'ingest.error': 'Ingest failed: {message}',
  'kb.tree': 'Files',
  'kb.refresh': 'Refresh',
  'kb.delete': 'Delete',
  'kb.delete.confirmTitle': 'Delete from the knowledge base?',
  'kb.delete.confirmBody': 'These will be removed and the indexes updated:',
  'kb.delete.confirm': 'Delete',
  'kb.delete.cancel': 'Cancel',
  'kb.delete.done': 'one: Deleted {n} item. | other: Deleted {n} items.',
  'kb.move': 'Move',
  'kb.move.title': 'Move {name} to another folder',
  'kb.move.folder': 'Folder',
  'kb.move.hint': 'A new folder is made if needed; leave it empty for the top folder. Images and data files go along.',
  'kb.move.done': 'Moved to {to}.',
  'kb.select': 'Select a file to view it.',
  'kb.lines': 'one: {n} line | other: {n} lines',
  'kb.stats': '{files} files · {folders} folders · {size} · {faq} FAQ entries · {bad} bad cases',
  'kb.faq': 'FAQ',
  'kb.badcases': 'Bad cases',
  'kb.files': 'Files',
  'kb.faq.empty': 'No FAQ entries yet.',
  'kb.badcases.empty': 'No bad cases recorded.',
  'kb.col.question': 'Question',
  'kb.col.answer': 'Answer',
  'kb.col.usage': 'Used',
  'kb.col.date': 'Date',
  'kb.col.feedback': 'Feedback',
  'kb.col.source': 'Source',
  'pool.workers': 'Workers',
  'pool.busy': 'Busy',
  'pool.idle': 'Idle (warm)',
  'pool.spare': 'Spare',
  'pool.starting': 'Starting',
  'pool.waiting': 'Waiting turns',
  'pool.warmHit': 'Warm-hit rate',
  'pool.turns': 'Turns',
  'pool.waitP95': 'Wait p95',
  'pool.chart': 'one: Busy workers and wait time, last minute | other: Busy workers and wait time, last {n} minutes',
  'pool.legend.busy': 'Busy workers',
  'pool.legend.wait': 'Mean wait (ms)',
  'pool.error': 'Pool statistics unavailable: {message}',
  'pool.draining': 'draining',
  'pool.undersized':
    'Turns wait because this pool is small for its load: {rate} of turns evicted a warm worker to start another, and {sessions} conversations compete for {workers} workers. Give it more workers if the machine has the memory (EMPLOYEE_CLIENT_POOL_SIZE / ADMIN_CLIENT_POOL_SIZE).',
  'retention.title': 'Conversations kept',
  'retention.diskBytes': 'On disk',
  'retention.diskFiles': 'Files',
  'retention.keptFor': 'one: Kept for {n} day after the last turn | other: Kept for {n} days after the last turn',
  'retention.deleted': 'Deleted by the last sweep',
  'retention.orphans': 'Orphan files deleted',
  'retention.lastSweep': 'Last sweep {at}, took {ms} ms',
  'retention.noSweep': 'No sweep yet',
  'channels.title': 'Messenger channels',
  'channels.channel': 'Channel',
  'channels.lastEvent': 'Last message',
  'channels.received': 'Received',
  'channels.sent': 'Sent',
  'channels.lastError': 'Last send error',
  'channels.pending': 'Questions waiting for an expert: {n}',
  'channels.until': 'waits until {at}',
  'common.loading': 'Loading…',
  'common.retry': 'Retry',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  'app.name': 'Docent',
  'app.tagline': '来自公司知识库的解答',
  'admin.title': '管理控制台',
  'lang.switch': '语言',
  'chat.placeholder': '就知识库提问…',
  'chat.send': '发送',
  'chat.stop': '停止',
  'chat.new': '新对话',
  'chat.empty.title': '有什么可以帮您？',
  'chat.empty.body': '可以询问制度、流程或知识库中的任何文档，回答会注明出处。',
  'admin.chat.empty.title': '管理知识库',
  'admin.chat.empty.body': '添加文档（先上传）、删除文件、查看统计，也可以提问知识库中的任何内容。',
  'chat.you': '您',
  'chat.assistant': 'Docent',
  'chat.thinking': '处理中…',
  'chat.stopped': '已停止。',
  'chat.duration': '用时 {s} 秒',
  'chat.durationMs': '用时 {ms} 毫秒',
  'chat.busy': '所有助手都在忙，{n} 秒后重试',
  'chat.busy.cancel': '取消',
  'chat.notResumed': '无法恢复此对话，已开始新的对话。',
  'chat.notResumed.reason': '原因：{reason}',
  'chat.error': '出错了：{message}',
  'chat.cutShort': '回答尚未完成连接就已断开，请重新提问。',
  'chat.loadError': '无法加载此对话：{message}',
  'tools.title': '操作过程',
  'tools.count': '{n} 步',
  'tool.Read': '阅读',
  'tool.Grep': '搜索',
  'tool.Glob': '列出文件',
  'tool.Bash': '执行',
  'tool.Write': '写入',
  'tool.Edit': '编辑',
  'tool.search_kb': '搜索知识库',
  'tool.search': '搜索知识库',
  'tool.read_file': '阅读',
  'tool.match_faq': '查找常见问题',
  'tool.list_files': '列出文件',
  'tool.kb_stats': '统计文档',
  'tool.find_expert': '查找领域专家',
  'tool.ingest_uploads': '添加文档',
  'tool.plan_delete': '准备删除',
  'tool.confirm_delete': '删除',
  'tool.record_feedback': '记录反馈',
  'tool.list_faq': '读取常见问题',
  'tool.list_bad_cases': '读取问题案例',
  'tool.rebuild_index': '重建索引',
  'tool.default': '使用 {tool}',
  'feedback.prompt': '这个回答有帮助吗？',
  'feedback.up': '有帮助',
  'feedback.down': '没有帮助',
  'feedback.reason': '哪里不对或缺了什么？（可选）',
  'feedback.submit': '提交反馈',
  'feedback.cancel': '取消',
  'feedback.thanks': '感谢您的反馈。',
  'feedback.error': '反馈发送失败：{message}',
  'history.title': '对话记录',
  'history.empty': '还没有对话。',
  'history.untitled': '未命名对话',
  'history.turns': '{n} 轮',
  'history.delete': '删除对话',
  'source.title': '出处',
  'source.lines': '第 {start}–{end} 行，共 {total} 行',
  'source.close': '关闭',
  'source.loading': '加载中…',
  'source.error': '无法打开 {path}：{message}',
  'signin.title': '登录管理控制台',
  'signin.token': '管理员令牌',
  'signin.hint': '通过 ADMIN_TOKEN 设置；未设置时首次启动会生成，只打印一次，并保存在数据目录中（data/admin-token）。',
  'signin.submit': '登录',
  'signin.invalid': '令牌无效。',
  'signin.signout': '退出登录',
  'tab.chat': '对话',
  'tab.upload': '上传',
  'tab.kb': '知识库',
  'tab.pool': '资源池',
  'admin.chat.placeholder': '让管理助手整理、添加或检查文档…',
  'upload.drop': '将文件拖到这里，或',
  'upload.browse': '选择文件',
  'upload.hint': '每次最多 10 个文件：Markdown、文本、HTML、Word、PowerPoint、PDF、Excel、CSV。',
  'upload.folder': '文件夹',
  'upload.folder.auto': '自动（放在相似文档旁）',
  'upload.ingest': '加入知识库',
  'upload.clear': '清空列表',
  'upload.uploading': '上传中',
  'upload.uploaded': '已上传',
  'upload.failed': '上传失败',
  'upload.waiting': '等待中',
  'ingest.title': '正在加入知识库',
  'stage.queued': '排队中',
  'stage.converting': '转换中',
  'stage.checking': '检查冲突',
  'stage.placing': '归档中',
  'stage.indexing': '建立索引',
  'stage.added': '已添加',
  'stage.conflict': '有冲突',
  'stage.failed': '失败',
  'ingest.status.added': '已添加',
  'ingest.status.conflict': '有冲突',
  'ingest.status.failed': '失败',
  'ingest.status.skipped': '已跳过',
  'ingest.addedAt': '已放入 {path}',
  'ingest.conflict.existing': '知识库中已有',
  'ingest.conflict.incoming': '新文档中',
  'ingest.conflict.addAnyway': '仍然添加',
  'ingest.conflict.skip': '跳过',
  'ingest.error': '入库失败：{message}',
  'kb.tree': '文件',
  'kb.refresh': '刷新',
  'kb.delete': '删除',
  'kb.delete.confirmTitle': '从知识库中删除？',
  'kb.delete.confirmBody': '以下内容将被删除，索引会同步更新：',
  'kb.delete.confirm': '删除',
  'kb.delete.cancel': '取消',
  'kb.delete.done': '已删除 {n} 项。',
  'kb.move': '移动',
  'kb.move.title': '把 {name} 移到其他文件夹',
  'kb.move.folder': '文件夹',
  'kb.move.hint': '文件夹不存在时会新建；留空表示顶层目录。图片和数据文件会一起移动。',
  'kb.move.done': '已移动到 {to}。',
  'kb.select': '选择一个文件以查看。',
  'kb.lines': '共 {n} 行',
  'kb.stats': '{files} 个文件 · {folders} 个文件夹 · {size} · 常见问题 {faq} 条 · 问题案例 {bad} 条',
  'kb.faq': '常见问题',
  'kb.badcases': '问题案例',
  'kb.files': '文件',
  'kb.faq.empty': '还没有常见问题。',
  'kb.badcases.empty': '没有记录的问题案例。',
  'kb.col.question': '问题',
  'kb.col.answer': '回答',
  'kb.col.usage': '使用次数',
  'kb.col.date': '日期',
  'kb.col.feedback': '反馈',
  'kb.col.source': '来源',
  'pool.workers': '工作进程',
  'pool.busy': '忙碌',
  'pool.idle': '空闲（已预热）',
  'pool.spare': '备用',
  'pool.starting': '启动中',
  'pool.waiting': '排队中的请求',
  'pool.warmHit': '预热命中率',
  'pool.turns': '轮次',
  'pool.waitP95': '等待 p95',
  'pool.chart': '最近 {n} 分钟的忙碌进程数与等待时间',
  'pool.legend.busy': '忙碌进程',
  'pool.legend.wait': '平均等待（毫秒）',
  'pool.error': '无法获取资源池统计：{message}',
  'pool.draining': '正在排空',
  'pool.undersized':
    '此池相对负载偏小，轮次需要等待：{rate} 的轮次驱逐了一个热工作进程来启动新的，{sessions} 个会话争用 {workers} 个工作进程。若内存允许，请增加工作进程数（EMPLOYEE_CLIENT_POOL_SIZE / ADMIN_CLIENT_POOL_SIZE）。',
  'retention.title': '保留的对话',
  'retention.diskBytes': '磁盘占用',
  'retention.diskFiles': '文件数',
  'retention.keptFor': '最后一轮对话后保留 {n} 天',
  'retention.deleted': '上次清理删除的对话',
  'retention.orphans': '删除的孤立文件',
  'retention.lastSweep': '上次清理 {at}，用时 {ms} 毫秒',
  'retention.noSweep': '尚未清理',
  'channels.title': '即时通讯渠道',
  'channels.channel': '渠道',
  'channels.lastEvent': '最近消息',
  'channels.received': '收到',
  'channels.sent': '已发送',
  'channels.lastError': '最近发送错误',
  'channels.pending': '等待专家回复的问题：{n}',
  'channels.until': '等待至 {at}',
  'common.loading': '加载中…',
  'common.retry': '重试',
};

export type Language = 'en' | 'zh';
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = 'docent.lang';

export function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh') return stored;
  } catch {
    // Storage may be blocked; fall through to the browser's language.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered; the switch still works for this page.
  }
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * A message with plural forms is written `one: … | other: …` (the categories
 * of Intl.PluralRules for the language); `{n}` picks the form.
 */
function pluralForm(template: string, language: Language, n: number): string {
  if (!/^\s*(zero|one|two|few|many|other):/.test(template)) return template;
  const forms = new Map<string, string>();
  for (const part of template.split('|')) {
    const match = /^\s*(\w+):\s?(.*?)\s*$/.exec(part);
    if (match) forms.set(match[1]!, match[2]!);
  }
  const category = new Intl.PluralRules(language === 'zh' ? 'zh-CN' : 'en').select(n);
  return forms.get(category) ?? forms.get('other') ?? template;
}

export function translator(language: Language): Translate {
  const dictionary = dictionaries[language];
  return (key, params) => {
    let template = dictionary[key] ?? en[key] ?? key;
    if (!params) return template;
    if (typeof params.n === 'number') template = pluralForm(template, language, params.n);
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

export interface I18n {
  language: Language;
  t: Translate;
  setLanguage: (language: Language) => void;
}

export const I18nContext = createContext<I18n>({
  language: 'en',
  t: translator('en'),
  setLanguage: () => {},
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}
