/**
 * Tokenisation shared by the index, FAQ matching and answer extraction.
 *
 * Chinese runs are segmented with Intl.Segmenter (ICU's dictionary), and
 * words of three or more characters also yield their character bigrams, so a
 * query segmented differently from the document still meets it. Latin text is
 * lower-cased, stop words dropped and lightly stemmed.
 */

import { createRequire } from 'node:module';
import { stopwords as SNOWBALL_ENGLISH } from '@orama/stopwords/english';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const CJK_GLOBAL = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

/**
 * English stop words: the Snowball list (@orama/stopwords), its contractions cut where the tokeniser
 * cuts them (don't → don, t), and the filler of questions the list lacks ("please tell me", "I want to
 * know"); when something happened is context, not the subject ("stolen yesterday").
 */
const ENGLISH_STOP = new Set([
  ...SNOWBALL_ENGLISH.flatMap((w) => w.split("'")),
  ...(
    'a also just now per via take takes happen happens happened please tell know want get got need anyone someone ' +
    'ok okay hi hello thanks thank lets yesterday today tomorrow tonight morning afternoon evening recently currently ago'
  ).split(' '),
]);

/** Question and filler words that carry no subject in Chinese questions. */
const CHINESE_STOP = new Set(
  (
    '的 了 是 在 我 我们 你 你们 他 她 它 有 和 与 及 或 吗 呢 吧 啊 呀 么 什么 怎么 怎样 怎么样 如何 哪些 哪个 哪里 哪儿 ' +
    '多少 几 是否 请问 请 一下 告诉 知道 想 想要 这个 那个 这 那 就 都 也 还 被 把 对 从 给 向 让 个 该 应该 能 能否 可不可以 ' +
    '哪 几个 几种 种 分为 分别 包括 包含 要 一次 几点 几时 到 我的 你的 他的 她的 我们的 有没有 没有 有无 是不是 多久 多长 几天 为什么 为何 吗 嘛 谁 时候 怎么办 办 为 一个 一些 以及 关于 之 其 所 而 如果 但 但是 因为 所以 可以 需要 办理 ' +
    '几次 几号 几月 第 做 干 弄 搞 用 等 时 有多 多 长 久 昨天 今天 明天 刚才 刚刚 最近 现在 能不能 会不会 要不要 可不可以 一般 通常 具体 请教 麻烦'
  ).split(' '),
);

const require = createRequire(import.meta.url);
/** WordNet-based lemmas (wink-lemmatizer: its exception lists and detachment rules, checked against the lexicon). */
const lemmatizer = require('wink-lemmatizer') as { verb(word: string): string; noun(word: string): string };
type Table = Readonly<Record<string, string>>;
const IRREGULAR_VERBS = require('wink-lexicon/src/wn-verb-exceptions.js') as Table;
/** Each common word's Penn tags, most frequent first (wink-lexicon). */
export const TAGS = require('wink-lexicon/src/lexicon.js') as Readonly<Record<string, readonly string[]>>;
const STEMS_CACHED = 50_000;
const stems = new Map<string, string>();

/**
 * The index's form of an English word: its lemma (as a verb if it is one, else as a noun: booked, booking →
 * book; leaves → leave; children → child), then derivational endings cut so a noun meets its verb
 * (reimbursement, reimburse → reimburs). No library does that second step without over-stemming
 * (Porter2: hospitality → hospit), which the held-out sets measured worse.
 */
export function stem(word: string): string {
  let out = stems.get(word);
  if (out === undefined) {
    out = stemNow(word);
    if (stems.size >= STEMS_CACHED) stems.clear();
    stems.set(word, out);
  }
  return out;
}

function stemNow(word: string): string {
  // To a fixed point: meetings → meeting (noun) → meet (verb), as "meeting" alone stems.
  let w = word;
  for (let round = 0; round < 3; round++) {
    // An irregular verb form that is mostly a noun is that noun (wound, ground, shot), not the verb (wind).
    const mostlyNoun = Object.hasOwn(IRREGULAR_VERBS, w) && Object.hasOwn(TAGS, w) && TAGS[w]![0]!.startsWith('NN');
    const verb = mostlyNoun ? w : lemmatizer.verb(w);
    const lemma = verb !== w ? verb : lemmatizer.noun(w);
    if (lemma === w) break;
    w = lemma;
  }
  if (w.length <= 3) return w;
  // A plural the lexicon does not know (webhooks, payslips).
  if (w === word && /[^su]s$/.test(w) && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  if (w.length > 6 && w.endsWith('ment')) w = w.slice(0, -4);
  if (w.length > 6 && (w.endsWith('tion') || w.endsWith('sion'))) w = w.slice(0, -3);
  if (w.length > 5 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** A word the index leaves out ("the" of "leave the company"). */
export function isEnglishStopWord(word: string): boolean {
  return ENGLISH_STOP.has(word);
}

/** A Chinese question or filler word (要, 什么, 怎么办). */
export function isChineseStopWord(word: string): boolean {
  return CHINESE_STOP.has(word);
}

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/** Share of CJK characters among letters (the local engine answers in Chinese from 0.3, language.ts). */
export function cjkRatio(text: string): number {
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  const latin = text.match(/[a-zA-Z]/g)?.length ?? 0;
  return cjk + latin === 0 ? 0 : cjk / (cjk + latin / 4);
}

export interface TokenizeOptions {
  /** Keep stop words (for phrase-level similarity). @default false */
  readonly keepStopWords?: boolean;
  /** Add character bigrams of long Chinese words. @default true */
  readonly bigrams?: boolean;
  /** Also keep the single characters a Chinese run was cut into (for queries: 丢 in 卡丢). @default false */
  readonly runSingles?: boolean;
}

/** Texts up to this long are memoised: answers re-read the same sentences, headings and FAQ questions every turn. */
const MEMO_MAX_CHARS = 1000;
const MEMO_MAX_ENTRIES = 20_000;
const memo = new Map<string, readonly string[]>();

/** Splits text into index terms (the array is shared between callers: never mutate it). */
export function tokenize(text: string, options: TokenizeOptions = {}): readonly string[] {
  const keepStop = options.keepStopWords ?? false;
  const bigrams = options.bigrams ?? true;
  const singles = options.runSingles ?? false;
  if (text.length > MEMO_MAX_CHARS) return tokenizeNow(text, keepStop, bigrams, singles);
  const key = `${keepStop ? 1 : 0}${bigrams ? 1 : 0}${singles ? 1 : 0}${text}`;
  const known = memo.get(key);
  if (known) return known;
  const terms = Object.freeze(tokenizeNow(text, keepStop, bigrams, singles));
  // Oldest first out: a bounded memo, cheap to keep.
  if (memo.size >= MEMO_MAX_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(key, terms);
  return terms;
}

function tokenizeNow(text: string, keepStop: boolean, bigrams: boolean, runSingles: boolean): string[] {
  const out: string[] = [];
  // Latin/number words are cut with a regex (fast); only CJK runs go through ICU.
  // "IT" in capitals is the department, not the pronoun the stop list drops.
  const pieces = text
    .replace(/\bIT\b/g, 'infotech')
    .toLowerCase()
    .match(
      /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|\d[\d,.]*\d%?|[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}][\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}'._-]*/gu,
    );
  if (!pieces) return out;
  for (const piece of pieces) {
    if (CJK.test(piece[0]!)) {
      addChinese(piece, out, keepStop, bigrams, runSingles);
      continue;
    }
    addLatin(piece, out, keepStop);
  }
  return out;
}

function addLatin(piece: string, out: string[], keepStop: boolean): void {
  // "v2.1", "e-mail", "o'clock": keep the dotted number whole, split the rest.
  const cleaned = piece.replace(/['._-]+$/g, '');
  if (/^\d+([.,]\d+)*%?$/.test(cleaned)) {
    out.push(cleaned.replace(/,(?=\d{3}\b)/g, ''));
    return;
  }
  const parts = cleaned.split(/['_-]|\.(?!\d)/);
  // "wi-fi", "e-mail": also the joined word, so both spellings meet.
  if (parts.length === 2 && /-/.test(cleaned) && parts.every((p) => p.length > 0 && p.length <= 5)) {
    out.push(stem(parts.join('')));
  }
  for (const part of parts) {
    if (part.length === 0) continue;
    if (!keepStop && ENGLISH_STOP.has(part)) continue;
    if (part.length > 40) continue;
    out.push(/^\d/.test(part) ? part : stem(part));
  }
}

function addChinese(run: string, out: string[], keepStop: boolean, bigrams: boolean, runSingles: boolean): void {
  if (run.length === 1) {
    if (keepStop || !CHINESE_STOP.has(run)) out.push(run);
    return;
  }
  // ICU cuts a word its dictionary lacks into single characters (补卡 → 补|卡, 外发 → 外|发): a run of
  // such characters is indexed as its bigrams, so the word meets itself and a lone 发 only meets a lone 发.
  let singles: string[] = [];
  const flushSingles = () => {
    if (singles.length === 1 || !bigrams || runSingles) out.push(...singles);
    if (singles.length > 1 && bigrams) {
      for (let i = 0; i + 1 < singles.length; i++) out.push(singles[i]! + singles[i + 1]!);
    }
    singles = [];
  };
  for (const { segment, isWordLike } of segmenter.segment(run)) {
    if (!isWordLike) continue;
    const stop = CHINESE_STOP.has(segment);
    if (segment.length === 1 && !stop) {
      singles.push(segment);
      continue;
    }
    flushSingles();
    if (!keepStop && stop) continue;
    out.push(segment);
    if (bigrams && segment.length >= 3) {
      for (let i = 0; i + 2 <= segment.length; i++) out.push(segment.slice(i, i + 2));
    }
  }
  flushSingles();
}

/** Dice coefficient of two term sets (0..1). */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return (2 * common) / (a.size + b.size);
}

/** Optimal-string-alignment distance, stopping early past `max`. */
export function editDistanceWithin(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return false;
    prev2 = prev;
    prev = cur;
  }
  return prev[cols - 1]! <= max;
}
