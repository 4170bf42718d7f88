import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLocalEngine, createLocalWorkerFactory } from '../../../src/engines/local/index.ts';
import type { AgentEvent, Role, TurnInput, TurnProgress, UploadResolver } from '../../../src/engines/types.ts';
import type { PoolWorker } from '../../../src/pool/worker.ts';
import { type TempKb, tempKb } from '../../fixtures/kb-fixtures.ts';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('local worker', () => {
  let t: TempKb;
  let uploads: Map<string, { name: string; path: string }>;
  const resolveUpload: UploadResolver = async (ref) => uploads.get(ref);
  let workers: PoolWorker<TurnInput, AgentEvent>[];

  beforeEach(async () => {
    t = await tempKb({ seed: true });
    uploads = new Map();
    workers = [];
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await t.cleanup();
  });

  async function start(role: Role, sessionId = 'session-1') {
    const factory = createLocalWorkerFactory({ kb: t.kb, role, resolveUpload });
    const worker = await factory.start({
      signal: new AbortController().signal,
      session: { id: sessionId, isNew: true },
    });
    workers.push(worker);
    return worker;
  }

  async function turn(
    worker: PoolWorker<TurnInput, AgentEvent>,
    message: string,
    options: { sessionId?: string; signal?: AbortSignal; onProgress?: (p: TurnProgress) => void } = {},
  ) {
    const events: AgentEvent[] = [];
    for await (const event of worker.runTurn({
      session: { id: options.sessionId ?? 'session-1', isNew: false },
      userId: 'u1',
      input: { message, onProgress: options.onProgress },
      signal: options.signal ?? new AbortController().signal,
    })) {
      events.push(event);
    }
    const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
    return { events, text, tools: events.flatMap((e) => (e.type === 'tool_use' ? [e] : [])) };
  }

  async function stage(name: string, content: string | Buffer) {
    const file = path.join(t.scratch, name);
    await writeFile(file, content);
    const ref = `ref-${uploads.size + 1}`;
    uploads.set(ref, { name, path: file });
    return ref;
  }

  it('runTurn() as employee yields session, tool uses, the answer in chunks, then done', async () => {
    const worker = await start('employee');
    const { events, text, tools } = await turn(worker, 'How many days of annual leave do full-time employees get?');
    assert.deepEqual(events[0], { type: 'session', sessionId: 'session-1', isNew: false });
    const last = events.at(-1)!;
    assert.equal(last.type, 'done');
    assert.equal(last.type === 'done' && last.turns, 1);
    assert.deepEqual(
      tools.map((e) => e.tool),
      ['match_faq', 'search_kb', 'read_file'],
    );
    assert.equal(tools[1]!.input.pattern, 'How many days of annual leave do full-time employees get?');
    assert.equal(tools[2]!.input.file_path, 'hr/leave_policy.md');
    assert.ok(events.filter((e) => e.type === 'text').length >= 2);
    assert.match(text, /^## Answer\n/);
    assert.match(text, /\*\*Reference Source\*\*\n\n- hr\/leave_policy\.md:\d+-\d+/);
    assert.equal(new Set(tools.map((e) => e.id)).size, tools.length);
  });

  it('runTurn() as employee says plainly when nothing answers, logs a bad case and names the expert', async () => {
    const worker = await start('employee');
    const before = (await t.kb.badCases()).length;
    const { text, tools } = await turn(worker, 'Where can I charge my electric scooter overnight?');
    assert.match(text, /could not find a reliable answer/);
    assert.deepEqual(
      tools.map((e) => e.tool),
      ['match_faq', 'search_kb', 'find_expert', 'log_badcase'],
    );
    assert.match(text, /Please ask \*\*.+\*\*/);
    assert.equal((await t.kb.badCases()).length, before + 1);
  });

  it('runTurn() as employee answers Chinese questions in Chinese', async () => {
    const worker = await start('employee');
    const { text } = await turn(worker, '出差伙食补贴每天多少钱？');
    assert.match(text, /^## 答案/);
    assert.match(text, /finance\/差旅标准\.md:\d+-\d+/);
  });

  it('runTurn() as employee treats "satisfied" after a document answer as feedback that adds it to the FAQ', async () => {
    const worker = await start('employee');
    await turn(worker, 'How long is the probation period?');
    const { text, tools } = await turn(worker, 'satisfied');
    assert.equal(tools[0]?.tool, 'feedback');
    assert.match(text, /added this answer to the FAQ/);
    const rows = await t.kb.faq();
    assert.ok(rows.some((r) => r.question === 'How long is the probation period?'));
    const again = await turn(worker, 'How long is the probation period?');
    assert.match(again.text, /- FAQ\.md/);
  });

  it('runTurn() as employee answers a greeting briefly without searching or logging a bad case', async () => {
    const worker = await start('employee');
    const before = (await t.kb.badCases()).length;
    const { text, tools } = await turn(worker, 'Hello!');
    assert.deepEqual(tools, []);
    assert.match(text, /^Hello! Ask me anything/);
    assert.equal((await t.kb.badCases()).length, before);
  });

  it('runTurn() throws when a worker bound to one session is given another', async () => {
    const worker = await start('employee');
    await assert.rejects(turn(worker, 'hello', { sessionId: 'other' }), /bound to another session/);
  });

  it('runTurn() stops at once when its signal is aborted and still ends with done', async () => {
    const worker = await start('employee');
    const controller = new AbortController();
    controller.abort();
    const { events } = await turn(worker, 'How long is the probation period?', { signal: controller.signal });
    assert.deepEqual(
      events.map((e) => e.type),
      ['session', 'error', 'done'],
    );
  });

  it('runTurn() as admin ingests uploaded files with "n/N" progress and reports unknown references', async () => {
    const worker = await start('admin');
    const ref1 = await stage(
      'garden.md',
      '# Roof Garden\n\n## Watering plants\n\nThe roof garden plants are watered every morning by facilities.\n',
    );
    const ref2 = await stage('canteen.txt', 'The canteen opens at 11:30 and closes at 14:00 on weekdays.');
    const progress: TurnProgress[] = [];
    const message = `[UPLOADED_FILES]\n- garden.md (path: ${ref1})\n- canteen.txt (path: ${ref2})\n- ghost.md (path: /etc/passwd)\nPlease add these files.`;
    const { text, tools } = await turn(worker, message, { onProgress: (p) => progress.push(p) });
    assert.match(text, /ghost\.md: unknown or expired upload reference "\/etc\/passwd"/);
    assert.match(text, /1\/2 garden\.md…/);
    assert.match(text, /2\/2 canteen\.txt…/);
    assert.match(text, /Done: 2 added, 0 with conflicts, 0 failed\./);
    assert.deepEqual(
      tools.map((e) => [e.tool, e.input.file_path]),
      [
        ['ingest', 'garden.md'],
        ['ingest', 'canteen.txt'],
      ],
    );
    assert.deepEqual(
      progress.map((p) => [p.done, p.total]),
      [
        [0, 2],
        [1, 2],
        [2, 2],
      ],
    );
    const hits = await t.kb.search('canteen opens');
    assert.match(hits[0]!.path, /canteen\.md$/);
  });

  it('runTurn() as admin: a table uploaded to notify employees is not added, and nobody is told anything was sent; "add them" adds it', async () => {
    const worker = await start('admin');
    const ref = await stage('staff.csv', 'userid,name,points\nu1,Ann,3\nu2,Bo,0\n');
    const before = JSON.stringify(await t.kb.tree());
    const asked = await turn(
      worker,
      `[Uploaded Files]\n- staff.csv (Path: ${ref})\n\nNotify employees with points > 0`,
    );
    assert.match(asked.text, /does not send messages to employees, so nobody was notified/);
    assert.match(asked.text, /were not added to the knowledge base[\s\S]*- staff\.csv/);
    assert.deepEqual(asked.tools, []);
    assert.equal(JSON.stringify(await t.kb.tree()), before, 'nothing was added');
    const added = await turn(worker, 'add them');
    assert.match(added.text, /Done: 1 added/);
    assert.match(JSON.stringify(await t.kb.tree()), /staff/);
  });

  it('runTurn() as admin: files kept after a notification request are dropped by any other reply', async () => {
    const worker = await start('admin');
    const ref = await stage('员工.csv', 'userid,姓名,积分\nu1,张三,3\n');
    const asked = await turn(worker, `[已上传文件]\n- 员工.csv (路径: ${ref})\n\n通知积分大于0的员工`);
    assert.match(asked.text, /不向员工发送消息/);
    const other = await turn(worker, '算了');
    assert.match(other.text, /上传的文件未加入知识库/);
    assert.doesNotMatch(JSON.stringify(await t.kb.tree()), /"员工\./);
    assert.doesNotMatch((await turn(worker, '添加')).text, /新增 1 个/, 'nothing is kept once dropped');
  });

  it('runTurn() as admin: questions are answered with the note said once, feedback without it; the FAQ and bad cases can be listed', async () => {
    const worker = await start('admin');
    const note = /Answered from the knowledge base as the employee assistant answers/;
    const first = await turn(worker, 'How many days of annual leave do I get?');
    assert.match(first.text, note);
    assert.match(first.text, /Reference Source/);
    const thanks = await turn(worker, "I'm satisfied with this result");
    assert.doesNotMatch(thanks.text, note);
    const second = await turn(worker, 'How many sick days do I get?');
    assert.doesNotMatch(second.text, note);
    const faq = await turn(worker, 'list the FAQ');
    assert.match(faq.text, /\| How many days of annual leave do I get\? \| 1 \|/);
    assert.deepEqual(
      faq.tools.map((e) => e.tool),
      ['list_faq'],
    );
    await turn(worker, 'Can I bring my parrot to the office?');
    const bad = await turn(worker, '查看待改进问题');
    assert.match(bad.text, /共记录 \d+ 条待改进问题。[\s\S]*Can I bring my parrot to the office\?/);
  });

  it('runTurn() as admin: a Chinese request gets its placement and conflict reasons in Chinese', async () => {
    const worker = await start('admin');
    const garden = await stage(
      'garden.md',
      '# Roof Garden\n\n## Watering\n\nThe roof garden plants are watered every morning.\n',
    );
    const added = await turn(worker, `[已上传文件]\n- garden.md (路径: ${garden})\n\n请将上面的文件添加到知识库`);
    assert.match(added.text, /✓ garden\.md → \S+（(与 .+ 最相近|没有明显最相近|知识库中还没有相似)/);
    assert.doesNotMatch(added.text, /most like|named after|similarity/);
    const leave = await stage(
      'leave-2027.md',
      '# Leave 2027\n\n## Annual Leave\n\nFull-time employees receive 18 days of paid annual leave per calendar year.\n',
    );
    const conflict = await turn(worker, `[已上传文件]\n- leave-2027.md (路径: ${leave})\n\n请将上面的文件添加到知识库`);
    assert.match(conflict.text, /⚠ leave-2027\.md 未添加：(其中的数据与已有文档不一致|与已有文档高度相似)。/);
    assert.doesNotMatch(conflict.text, /disagree|similar to an existing/);
  });

  it('runTurn() as admin reports an error event when no uploaded file can be found', async () => {
    const worker = await start('admin');
    const { events } = await turn(worker, '[UPLOADED_FILES]\n- a.md (path: ../../etc/passwd)');
    const error = events.find((e) => e.type === 'error');
    assert.ok(error && error.type === 'error' && /None of the uploaded files could be found/.test(error.message));
    // The code POST /api/query answers with (400, as POST /api/kb/ingest would), not a 502 failed turn.
    assert.equal(error.code, 'UPLOAD_UNKNOWN');
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('runTurn() as admin: an upload message that lists no files, or a delete of a system file, is refused with a code', async () => {
    const worker = await start('admin');
    const empty = (await turn(worker, '[UPLOADED_FILES]\nplease add')).events.find((e) => e.type === 'error');
    assert.ok(empty && empty.type === 'error' && /lists no files/.test(empty.message));
    assert.equal(empty.code, 'KB_INPUT_INVALID');
    const system = (await turn(worker, 'delete README.md')).events.find((e) => e.type === 'error');
    assert.ok(system && system.type === 'error' && /system file/.test(system.message), JSON.stringify(system));
    assert.equal(system.code, 'KB_PATH_INVALID');
  });

  it('runTurn() as admin reports a conflict and adds the file only after a confirming reply', async () => {
    const worker = await start('admin');
    const ref = await stage(
      'leave-2027.md',
      '# Leave 2027\n\n## Annual Leave\n\nFull-time employees receive 18 days of paid annual leave per calendar year.\n',
    );
    const first = await turn(worker, `[UPLOADED_FILES]\n- leave-2027.md (path: ${ref})`);
    assert.match(first.text, /Figures disagree with hr\/leave_policy\.md/);
    assert.match(first.text, /existing: .*15 days/);
    assert.match(first.text, /new: .*18 days/);
    assert.match(first.text, /Reply "confirm"/);
    const second = await turn(worker, 'confirm');
    assert.match(second.text, /✓ leave-2027\.md → /);
  });

  it('runTurn() as admin deletes in two steps: the plan, then only a confirming reply deletes', async () => {
    const worker = await start('admin');
    const plan = await turn(worker, 'delete hr/leave_policy.md');
    assert.match(plan.text, /This will delete:\n- hr\/leave_policy\.md/);
    assert.ok(await exists(path.join(t.root, 'hr', 'leave_policy.md')));
    const done = await turn(worker, 'yes');
    assert.match(done.text, /Deleted:\n- hr\/leave_policy\.md/);
    assert.equal(await exists(path.join(t.root, 'hr', 'leave_policy.md')), false);
  });

  it('forgetSession() of the offline engine drops a deleted conversation’s pending delete: a later "yes" deletes nothing', async () => {
    const engine = createLocalEngine({ kb: t.kb, resolveUpload });
    const worker = await engine.factory('admin').start({
      signal: new AbortController().signal,
      session: { id: 'session-1', isNew: true },
    });
    workers.push(worker);
    assert.match((await turn(worker, 'delete hr/leave_policy.md')).text, /This will delete/);
    assert.deepEqual(await engine.forgetSession('session-1'), { files: 0, bytes: 0 });
    assert.doesNotMatch((await turn(worker, 'yes')).text, /Deleted/);
    assert.ok(await exists(path.join(t.root, 'hr', 'leave_policy.md')));
  });

  it('runTurn() as admin moves a file into a folder when asked, in English or Chinese, and refuses a hidden one', async () => {
    const worker = await start('admin');
    const moved = await turn(worker, 'move the file new_hire_first_week.md into the people folder');
    assert.match(
      moved.text,
      /Moved to people:\n- onboarding\/new_hire_first_week\.md → people\/new_hire_first_week\.md/,
    );
    assert.ok(await exists(path.join(t.root, 'people', 'new_hire_first_week.md')));
    const back = await turn(worker, '请把 people/new_hire_first_week.md 移到 onboarding 文件夹');
    assert.match(back.text, /已移动到 onboarding/);
    assert.ok(await exists(path.join(t.root, 'onboarding', 'new_hire_first_week.md')));
    const hidden = await turn(worker, 'move onboarding/new_hire_first_week.md to .secret');
    assert.match(hidden.text, /Nothing was moved\./);
    assert.ok(await exists(path.join(t.root, 'onboarding', 'new_hire_first_week.md')));
  });

  it('runTurn() as admin cancels a planned delete on any other reply', async () => {
    const worker = await start('admin');
    await turn(worker, '删除 sales/pricing_and_discounts.md');
    const reply = await turn(worker, 'actually, never mind');
    assert.match(reply.text, /Deletion cancelled/);
    assert.ok(await exists(path.join(t.root, 'sales', 'pricing_and_discounts.md')));
    const late = await turn(worker, 'confirm');
    assert.doesNotMatch(late.text, /Deleted/);
    assert.ok(await exists(path.join(t.root, 'sales', 'pricing_and_discounts.md')));
  });

  it('runTurn() as admin lists files with statistics, shows a file, and helps otherwise', async () => {
    const worker = await start('admin');
    const list = await turn(worker, 'list files');
    assert.match(list.text, /The knowledge base holds \*\*13 files\*\*/);
    assert.match(list.text, /- hr\/leave_policy\.md \(/);
    const show = await turn(worker, 'show leave_policy.md');
    assert.match(show.text, /\*\*hr\/leave_policy\.md\*\*/);
    assert.match(show.text, /# Leave Policy/);
    const part = await turn(worker, '查看 brightwater_product_handbook.md 第 175-180 行');
    assert.match(part.text, /## Error Codes/);
    assert.match(part.text, /（第 175-180 行，共 \d+ 行）/);
    const help = await turn(worker, 'what can you do?');
    assert.match(help.text, /I manage the knowledge base/);
    const zh = await turn(worker, '你好');
    assert.match(zh.text, /我负责管理知识库/);
  });
});
