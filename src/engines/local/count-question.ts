/**
 * "How many X…?" is answered only by a figure counting X ("15 days",
 * "14 characters"): a section that mentions X without counting it does not
 * answer, however well its words match.
 */
import { translationsOf } from '../../kb/bilingual-dictionary.ts';
import { synonymsOf } from '../../kb/synonyms.ts';
import { tokenize } from '../../kb/text-tokens.ts';

const HOW_MANY = /\bhow many\s+((?:[\p{L}-]+\s+){0,2}[\p{L}-]+)/iu;
/** How far after a figure the counted word may come ("15 working days", "5 failed sign-in attempts": the joined word counts too). */
const WINDOW = 5;
const OCCURRENCES: ReadonlySet<string> = new Set(['time', 'occasion', 'attempt', 'try', '次', '次数', '回']);

/** The words a "how many" question counts (stemmed), or undefined for other questions. */
export function countedWords(question: string): ReadonlySet<string> | undefined {
  const match = HOW_MANY.exec(question);
  if (!match) return undefined;
  // "How many times" counts occurrences ("3 次"), not the word "time" (时间).
  if (/^times\b/i.test(match[1]!)) return OCCURRENCES;
  const words = tokenize(match[1]!).filter((t) => !/^\d/.test(t));
  // The figure may be written in the other language ("36 小时" counts hours, "三家报价" quotes).
  return words.length > 0 ? new Set(words.flatMap((w) => [w, ...synonymsOf(w), ...translationsOf(w)])) : undefined;
}

/**
 * Numbers written as words ("two approvals", 两次): the English ones up to twelve, and Chinese numerals,
 * with the measure word the segmenter may leave on them (三家 of 三家报价, "three suppliers' quotes").
 */
const NUMBER_WORD =
  /^(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[一二两三四五六七八九十百千万]+[个家名位份件张台项次条种]?)$/;

/** True when the text puts a figure right before one of the counted words. */
export function statesCount(text: string, counted: ReadonlySet<string>): boolean {
  const tokens = tokenize(text, { keepStopWords: true, bigrams: false });
  for (let i = 0; i < tokens.length; i++) {
    if (!/^\d/.test(tokens[i]!) && !NUMBER_WORD.test(tokens[i]!)) continue;
    for (let j = i + 1; j <= i + WINDOW && j < tokens.length; j++) if (counted.has(tokens[j]!)) return true;
  }
  return false;
}
