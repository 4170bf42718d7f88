/**
 * Knowledge-base benchmark: a synthetic knowledge base of 10,000 Markdown
 * files (~3 KB each, English and Chinese) made in a temp folder; measures
 * index build, peak RSS, search latency, re-indexing one changed file and the
 * offline engine's answer latency. Prints the figures and writes
 * bench/results/kb.json.
 *
 *   npm run bench:kb            (BENCH_KB_FILES=2000 for a quick run)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLocalWorkerFactory } from '../src/engines/local/index.ts';
import { openKnowledgeBase } from '../src/kb/index.ts';

const FILES = Number(process.env.BENCH_KB_FILES ?? 10_000);
const QUERIES = 1000;
const ANSWERS = 500;
const TARGETS = { build_s: 30, rss_mb: 1024, search_p50_ms: 10, search_p99_ms: 50, answer_p50_ms: 30, reindex_ms: 50 };

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same knowledge base. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
/** Zipf-like: low indexes much more often, as in real text. */
const pickZipf = <T>(list: readonly T[]): T => list[Math.floor(list.length * random() ** 2.2)]!;

const SYLLABLES = 'ka lo mi ra tu ve si no pa de bri sto mar len qui tor fa gen lux ward cal ben dor vin'.split(' ');
const ENGLISH = Array.from({ length: 6000 }, (_, i) => {
  const n = 2 + (i % 3);
  let w = '';
  for (let k = 0; k < n; k++) w += pick(SYLLABLES);
  return w;
});
const COMMON = 'policy employee office travel system report process team customer project budget approval'.split(' ');
const CHINESE = (
  '员工 公司 部门 经理 报销 差旅 住宿 标准 审批 流程 系统 账号 密码 安全 数据 客户 合同 项目 预算 费用 ' +
  '会议 培训 考勤 加班 请假 年假 病假 工资 福利 保险 设备 电脑 网络 办公 地点 时间 规定 要求 申请 提交 ' +
  '负责 管理 检查 维护 机器人 电池 充电 故障 更新 版本 产品 价格 折扣 订单 发票 供应商 采购 仓库 物流 ' +
  '质量 测试 研发 设计 市场 销售 服务 支持 文档 知识 问题 答案 反馈 记录 统计 分析 报告 计划 目标 风险'
).split(' ');

function englishSentence(): string {
  const words = Array.from({ length: 8 + Math.floor(random() * 10) }, () =>
    random() < 0.15 ? pick(COMMON) : pickZipf(ENGLISH),
  );
  if (random() < 0.3) words.push(String(Math.floor(random() * 1000)));
  return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
}

function chineseSentence(): string {
  const words = Array.from({ length: 8 + Math.floor(random() * 10) }, () => pickZipf(CHINESE));
  if (random() < 0.3) words.push(`${Math.floor(random() * 1000)}元`);
  return `${words.join('')}。`;
}

function makeDocument(i: number): { rel: string; content: string } {
  const chinese = i % 10 < 3;
  const sentence = chinese ? chineseSentence : englishSentence;
  const title = chinese
    ? `${pick(CHINESE)}${pick(CHINESE)}${pick(CHINESE)}规范 ${i}`
    : `${pickZipf(ENGLISH)} ${pick(COMMON)} guide ${i}`;
  const lines = [`# ${title}`, '', sentence(), ''];
  let size = lines.join('\n').length * (chinese ? 3 : 1);
  let section = 0;
  while (size < 3000) {
    section++;
    const heading = chinese ? `${pick(CHINESE)}${pick(CHINESE)}` : `${pickZipf(ENGLISH)} ${pick(COMMON)}`;
    const block = [`## ${heading} ${section}`, ''];
    const kind = random();
    if (kind < 0.5) block.push(`${sentence()} ${sentence()} ${sentence()}`);
    else if (kind < 0.8) for (let k = 0; k < 4; k++) block.push(`- ${sentence()}`);
    else {
      block.push('| Item | Value | Note |', '| --- | --- | --- |');
      for (let k = 0; k < 4; k++)
        block.push(`| ${pickZipf(chinese ? CHINESE : ENGLISH)} | ${Math.floor(random() * 500)} | ${pick(COMMON)} |`);
    }
    block.push('');
    lines.push(...block);
    size += block.join('\n').length * (chinese ? 3 : 1);
  }
  return { rel: `area${i % 50}/doc-${i}.md`, content: lines.join('\n') };
}

function query(): string {
  const r = random();
  if (r < 0.3) return `${pickZipf(CHINESE)}${pickZipf(CHINESE)}${pick(CHINESE)}`;
  const words = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pickZipf(ENGLISH));
  if (r < 0.4) words[0] = words[0]!.slice(0, Math.max(4, words[0]!.length - 2)); // a prefix
  if (r > 0.95) words.push('zzqx'); // a word nobody uses
  return words.join(' ');
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'docent-bench-kb-'));
  const root = path.join(base, 'kb');
  try {
    console.log(`Generating ${FILES} files in ${root} ...`);
    const docs = Array.from({ length: FILES }, (_, i) => makeDocument(i));
    for (let a = 0; a < 50; a++) await mkdir(path.join(root, `area${a}`), { recursive: true });
    for (let i = 0; i < docs.length; i += 200) {
      await Promise.all(docs.slice(i, i + 200).map((d) => writeFile(path.join(root, d.rel), d.content)));
    }
    const totalBytes = docs.reduce((n, d) => n + Buffer.byteLength(d.content), 0);
    console.log(`  ${(totalBytes / 1024 / 1024).toFixed(1)} MB, ${Math.round(totalBytes / FILES)} bytes per file`);

    const buildStart = performance.now();
    const kb = await openKnowledgeBase({ root, smallFileThresholdKb: 30, faqMaxEntries: 50, watch: false });
    const buildS = (performance.now() - buildStart) / 1000;
    console.log(`Index build (open, incl. README): ${buildS.toFixed(2)} s — ${kb.index.sectionCount} sections`);

    const searchTimes: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const q = query();
      const t0 = performance.now();
      await kb.search(q, { limit: 10 });
      searchTimes.push(performance.now() - t0);
    }
    searchTimes.sort((a, b) => a - b);

    const reindexTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const doc = docs[Math.floor(random() * docs.length)]!;
      await writeFile(path.join(root, doc.rel), `${doc.content}\n\n## Changed ${i}\n\n${englishSentence()}\n`);
      const t0 = performance.now();
      await kb.reindexFile(doc.rel);
      reindexTimes.push(performance.now() - t0);
    }
    reindexTimes.sort((a, b) => a - b);

    const factory = createLocalWorkerFactory({ kb, role: 'employee', resolveUpload: async () => undefined });
    const worker = await factory.start({ signal: new AbortController().signal });
    const answerTimes: number[] = [];
    for (let i = 0; i < ANSWERS; i++) {
      // Questions made of words from a real section, so most have an answer.
      const doc = docs[Math.floor(random() * docs.length)]!;
      const line =
        doc.content.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('|'))[1] ?? doc.content;
      const words = line.replace(/^- /, '').split(/\s+/).slice(0, 4).join(' ');
      const message = i % 10 < 3 ? line.slice(0, 12) : `What about ${words}?`;
      const t0 = performance.now();
      for await (const _event of worker.runTurn({
        session: { id: 'bench', isNew: i === 0 },
        userId: 'bench',
        input: { message },
        signal: new AbortController().signal,
      })) {
        // drain
      }
      answerTimes.push(performance.now() - t0);
    }
    answerTimes.sort((a, b) => a - b);
    await worker.close();
    await kb.close();

    const results = {
      files: FILES,
      build_s: round(buildS),
      rss_mb: round(process.resourceUsage().maxRSS / 1024, 0),
      search_p50_ms: round(percentile(searchTimes, 50)),
      search_p99_ms: round(percentile(searchTimes, 99)),
      answer_p50_ms: round(percentile(answerTimes, 50)),
      answer_p99_ms: round(percentile(answerTimes, 99)),
      reindex_ms: round(percentile(reindexTimes, 50)),
      reindex_max_ms: round(reindexTimes.at(-1)!),
      measured_at: new Date().toISOString(),
      node: process.version,
    };
    console.log('');
    for (const [key, target] of Object.entries(TARGETS)) {
      const value = results[key as keyof typeof TARGETS];
      console.log(
        `${key.padEnd(14)} ${String(value).padStart(9)}   target <= ${target}   ${value <= target ? 'ok' : 'MISSED'}`,
      );
    }
    console.log(`${'answer_p99_ms'.padEnd(14)} ${String(results.answer_p99_ms).padStart(9)}`);
    const out = path.resolve(import.meta.dirname, 'results', 'kb.json');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWritten to ${path.relative(process.cwd(), out)}`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
