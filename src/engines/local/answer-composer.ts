/**
 * Composes a cited answer from search hits: picks the sections that answer
 * well enough, quotes their relevant sentences, list items and table rows,
 * and lists each source as `path:startLine-endLine`.
 */
import { ANSWER_HEADING, SOURCES_HEADING } from '../../agents/answer-format.ts';
import { answerTypeOf } from '../../kb/answer-type.ts';
import { holdsAny, quantitiesOf } from '../../kb/quantities.ts';
import { hasCjk, tokenize } from '../../kb/text-tokens.ts';
import { type QuestionWordMatch, type SearchHit, TRANSLATION_FLOOR } from '../../kb/types.ts';
import { type AnswerUnit, lineSpan, renderUnits, splitUnits } from './answer-units.ts';
import { countedWords, statesCount } from './count-question.ts';
import { detectLanguage, type Lang, t } from './language.ts';
import { bestProcedure, MAX_DOCUMENT_LINES, PROCEDURE_QUESTION, type SectionReader } from './procedure-steps.ts';

/** Below this share of the question's words, a section does not answer it. */
export const MIN_COVERAGE = 0.6;
/** The least share of a long question's words a section must cover. */
const MIN_LONG_COVERAGE = 0.42;
const MAX_SECTIONS = 3;
/** Coverage this close counts as covering the question as well. */
const SAME_COVERAGE = 0.1;
/** A question word at least this share as rare (idf) as its rarest known word is one of its specific words. */
const SPECIFIC_SHARE = 0.8;
const MAX_UNITS_PER_SECTION = 5;
/** The best section answers whole when it is prose of at most this many sentences. */
const MAX_WHOLE_PROSE_SENTENCES = 4;
const MAX_UNITS_TOTAL = 9;
/** Lines (with the list a lead-in brings) a "not found" shows as the closest passage. */
const MAX_CLOSEST_UNITS = 2;
/** A unit's score for holding the question's heaviest word alone (weights are scaled to it). */
const ONE_WORD = 1;

const NEGATION =
  /\b(not|no|never|cannot|can't|mustn't|isn't|aren't|don't|doesn't|won't|without|prohibited|forbidden|banned)\b|不(能|得|可|允许|准|是|要|会|予|适用)|禁止|严禁|没有|无法|不可以|未/i;

/** A question about what is NOT so ("who is not allowed", "what cannot be claimed"), not a mere "I don't know". */
const NEGATED_ASK =
  /\b(is|are|was|were|be)\s+not\b|\b(isn't|aren't|cannot|can't|mustn't|never)\b|\bnot\s+(allowed|permitted|covered|eligible|included|reimbursed|reimbursable)\b|不能|不得|不可以|不允许|禁止|不包括|不报销/i;

/** "How do I / can we / should you <verb>": the verb is the action asked for. */
const HOW_DO_I = /^\s*how (?:do|can|should|would|could|must) (?:i|we|you)\s+([a-z]+)/i;
const WHY_QUESTION = /^\s*why\b|为什么|为何|什么原因/i;
/** A heading that names a cause ("Root Cause", "Why it happened", 原因分析). */
const CAUSE_HEADING = /\b(causes?|reasons?|why)\b|原因|起因/i;
/** "几号 / 哪天 / what date": asks for a day of the month or of the week. */
const DATE_ASKED =
  /几号|哪一?天|哪日|什么日子|\bwhat date\b|\bwhich (day|date)\b|\bwhat day of the (month|week)\b|\bon what day\b/i;
/** A day of the month or of the week ("the 25th", "每月 10 日", "周五", "on Fridays"). */
const STATES_DATE =
  /\d{1,2}\**\s*[日号]|\b\d{1,2}(st|nd|rd|th)\b|(周|星期|礼拜)[一二三四五六日天]|\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b/i;

interface CitedLines {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface ComposedAnswer {
  readonly markdown: string;
  readonly sources: readonly CitedLines[];
}

export interface CitedPassage extends CitedLines {
  readonly markdown: string;
}

/** Sections good enough to answer from, best first. */
export function answeringHits(hits: readonly SearchHit[], question = ''): SearchHit[] {
  const top = hits[0];
  if (!top) return [];
  const required = requiredCoverage(question);
  const action = actionAsked(question);
  // The first hit that covers enough of the question, unless it ranks far below the top one.
  const found = hits.find((h) => (h.coverage ?? 0) >= required && meetsSubject(h) && meetsAction(h, action));
  if (!found || found.score < top.score * 0.6) return [];
  // Between sections that cover the question about as well, the one in the question's language answers.
  const chinese = hasCjk(question);
  const first =
    inChinese(found) === chinese
      ? found
      : (hits.find(
          (h) =>
            inChinese(h) === chinese &&
            (h.coverage ?? 0) >= (found.coverage ?? 0) - SAME_COVERAGE &&
            h.score >= found.score * 0.6 &&
            meetsSubject(h) &&
            meetsAction(h, action),
        ) ?? found);
  // A document's opening summary rarely answers: a section of the same file that matches well enough, and
  // ranks close, does (not a "Not reimbursable" list, for a question that is not about what is not so).
  const specific =
    (first.trail?.length ?? 1) <= 1
      ? hits.find(
          (h) =>
            h !== first &&
            h.path === first.path &&
            (h.trail?.length ?? 1) > 1 &&
            !NEGATION.test(h.heading) &&
            (h.coverage ?? 0) >= required &&
            h.score >= first.score * 0.55,
        )
      : undefined;
  // "Why…?" asks for a cause: a section of the same document whose heading names one answers it.
  const cause = WHY_QUESTION.test(question)
    ? hits.find((h) => h.path === first.path && CAUSE_HEADING.test(h.heading) && h.score >= first.score * 0.3)
    : undefined;
  const best = cause ?? specific ?? first;
  const ranked = [best, ...hits.filter((h) => h !== best)];
  const floor = Math.max(required, (best.coverage ?? 0) - 0.2);
  return ranked
    .filter((h, i) => i === 0 || ((h.coverage ?? 0) >= floor && h.score >= best.score * 0.5 && meetsSubject(h)))
    .slice(0, MAX_SECTIONS);
}

/** Written in Chinese, by its heading and title. */
function inChinese(hit: SearchHit): boolean {
  return hasCjk(`${hit.heading}${hit.title ?? ''}`);
}

/** "How do I book…": the action asked for, as the index's term. */
function actionAsked(question: string): string | undefined {
  const verb = HOW_DO_I.exec(question)?.[1];
  return verb ? tokenize(verb)[0] : undefined;
}

/**
 * "How do I book a meeting room?": a section that never says the action (nor a synonym of it) while the
 * knowledge base does elsewhere tells where the room is, not how to book it.
 */
function meetsAction(hit: SearchHit, action: string | undefined): boolean {
  if (!action) return true;
  const word = hit.questionWords?.find((w) => w.word === action);
  return !word?.known || word.weight > 0;
}

/**
 * A section that leaves out the question's most specific word the knowledge base knows ("taxi" in "claim
 * a taxi home after working late"), and meets none as specific, answers another question that shares the
 * common words.
 */
function meetsSubject(hit: SearchHit): boolean {
  // A word that frames the question ("who is *allowed*") is not its subject, however rare in the documents.
  const known = (hit.questionWords ?? []).filter((w) => w.known && !w.framing);
  if (known.length === 0) return true;
  const missed = Math.max(0, ...known.filter((w) => w.weight === 0).map((w) => w.idf));
  const met = Math.max(0, ...known.filter((w) => w.weight > 0).map((w) => w.idf));
  if (met < missed) return false;
  // Of the question's most specific words (near the rarest), more than half: "taxi home late" is not "home".
  const specific = known.filter((w) => w.idf >= SPECIFIC_SHARE * Math.max(met, missed));
  const metSpecific = specific.filter((w) => w.weight > 0);
  if (metSpecific.length * 2 > specific.length) return true;
  // One of two, when the section's own heading names the one it meets and that is as rare as the other
  // ("Probation" for "trial period for new staff"): the section is about that, the other word is for whom.
  if (specific.length !== 2 || metSpecific.length !== 1) return false;
  const heading = new Set(tokenize(hit.heading));
  return metSpecific.some((w) => w.idf >= missed && w.matchedAs?.split(' ').every((part) => heading.has(part)));
}

/**
 * A long, chatty question carries context no document repeats ("travelling next week for a
 * customer visit"): past four content words, the share it must cover eases, down to a floor.
 */
function requiredCoverage(question: string): number {
  const words = new Set(tokenize(question)).size;
  if (words <= 4) return MIN_COVERAGE;
  return Math.max(MIN_LONG_COVERAGE, MIN_COVERAGE * (4 / words) ** 0.4);
}

export async function composeAnswer(
  question: string,
  hits: readonly SearchHit[],
  readSection: SectionReader,
): Promise<ComposedAnswer | undefined> {
  const answering = answeringHits(hits, question);
  if (answering.length === 0) return undefined;
  const singleSubject = new Set(tokenize(question)).size <= 1;
  const lang = detectLanguage(question);
  const procedural = PROCEDURE_QUESTION.test(question);
  const sections: { hit: SearchHit; units: AnswerUnit[] }[] = [];
  const dateAsked = DATE_ASKED.test(question);
  for (const hit of answering) {
    const lines = await readSection(hit.path, hit.startLine, hit.endLine);
    const units = splitUnits(lines, hit.startLine);
    if (singleSubject && (await passingMention(hit, readSection))) continue;
    // "Which day…": a section answers only where it names a day about what is asked, not about something else.
    if (dateAsked && !namesDayOfSubject(hit, units)) continue;
    sections.push({ hit, units });
  }
  if (sections.length === 0) return undefined;
  const bestScore = Math.max(1e-6, sections[0]!.hit.score);
  const counted = countedWords(question);
  const candidates = sections.map(({ hit, units }) => {
    // Sections keep their search rank.
    const factor = 0.5 + (0.5 * hit.score) / bestScore;
    const scored = scoreUnits(units, hit, question).map((s) => ({ ...s, score: s.score * factor }));
    return { hit, units, scored, steps: undefined as AnswerUnit[] | undefined };
  });
  // "Who is NOT allowed…": only a section that says no about the asked subject answers.
  if (NEGATED_ASK.test(question) && !sections.some(({ hit, units }) => saysNo(hit, units))) return undefined;
  // "How many X": without a figure counting X, the sections only mention X.
  if (counted && !sections.some(({ units }) => units.some((u) => statesCount(u.text, counted)))) return undefined;
  // "How do I…": the list that walks through the task answers first, whole.
  const procedure = procedural ? await bestProcedure(question, sections, hits, readSection) : undefined;
  if (procedure) {
    // The steps are the answer; rules or troubleshooting around them would only bury them.
    candidates.length = 0;
    candidates.push({ ...procedure, scored: [] });
  }
  // One bar for every section: a later section contributes only units as relevant as the best ones.
  const globalTop = Math.max(0, ...candidates.flatMap((c) => c.scored.map((s) => s.score)));
  const parts: string[] = [];
  const sources: { path: string; startLine: number; endLine: number }[] = [];
  let budget = MAX_UNITS_TOTAL;
  for (const [i, { hit, units, scored, steps }] of candidates.entries()) {
    if (budget <= 0) break;
    const picked = steps ?? pickUnits(units, scored, globalTop, i === 0, Math.min(MAX_UNITS_PER_SECTION, budget));
    if (picked.length === 0) continue;
    budget -= picked.length;
    const span = lineSpan(picked);
    sources.push({ path: hit.path, startLine: span.start, endLine: span.end });
    parts.push(`${sectionLabel(hit, lang)}\n\n${renderUnits(picked)}`);
  }
  if (parts.length === 0) return undefined;
  const crossLanguage = lang === 'zh' && sources.some((s) => !hasCjk(s.path));
  const markdown = [
    ANSWER_HEADING[lang],
    '',
    ...(crossLanguage ? ['以下内容摘自知识库文档原文：', ''] : []),
    parts.join('\n\n'),
    '',
    SOURCES_HEADING[lang],
    '',
    ...sources.map((s) => `- ${s.path}:${s.startLine}-${s.endLine}`),
  ].join('\n');
  return { markdown, sources };
}

/**
 * For a question of a single subject word ("Who is the CEO?"): true when the section only mentions
 * the word in passing, i.e. it is not in the section's heading, trail or title and its document
 * says it only once.
 */
async function passingMention(hit: SearchHit, readSection: SectionReader): Promise<boolean> {
  const matched = new Set(hit.matchedTerms ?? []);
  const labels = tokenize(`${(hit.trail ?? [hit.heading]).join(' ')} ${hit.title ?? ''}`);
  if (labels.some((term) => matched.has(term))) return false;
  let mentions = 0;
  for (const line of await readSection(hit.path, 1, MAX_DOCUMENT_LINES)) {
    const terms = tokenize(line);
    // A sentence or list item that opens with the word is about it ("Per diem for meals is…").
    if (!line.trimStart().startsWith('|') && terms.slice(0, 2).some((term) => matched.has(term))) return false;
    for (const term of terms) if (matched.has(term)) mentions++;
    if (mentions >= 2) return false;
  }
  return true;
}

/**
 * True when a unit of the section names a day and holds the question's most specific word, itself or
 * in translation (its heading counts for every unit): "Claims approved by the 20th are paid that month"
 * names a day, but not of salaries (payroll is only a synonym elsewhere in the section).
 */
function namesDayOfSubject(hit: SearchHit, units: readonly AnswerUnit[]): boolean {
  const dated = units.filter((u) => STATES_DATE.test(u.text));
  if (dated.length === 0) return false;
  const subject = mostSpecificWord(hit);
  if (!subject) return true;
  if ((subject.weight ?? 0) < TRANSLATION_FLOOR || !subject.matchedAs) return false;
  const words = subject.matchedAs.split(' ');
  const heading = new Set(tokenize((hit.trail ?? [hit.heading]).join(' ')));
  return dated.some((u) => {
    const own = new Set(tokenize(u.text));
    return words.every((w) => own.has(w) || heading.has(w));
  });
}

/** The question's word with the highest idf, as this section matches it. */
function mostSpecificWord(hit: SearchHit): QuestionWordMatch | undefined {
  const words = hit.questionWords ?? [];
  return words.reduce<QuestionWordMatch | undefined>((best, w) => (!best || w.idf > best.idf ? w : best), undefined);
}

/** True when the section's heading is negative, or one of its units says no in the question's own words. */
function saysNo(hit: SearchHit, units: readonly AnswerUnit[]): boolean {
  if (NEGATION.test(hit.heading)) return true;
  const matched = new Set(hit.matchedTerms ?? []);
  return units.some((u) => NEGATION.test(u.text) && tokenize(u.text).some((term) => matched.has(term)));
}

interface ScoredUnit {
  readonly unit: AnswerUnit;
  readonly order: number;
  readonly score: number;
}

function scoreUnits(units: readonly AnswerUnit[], hit: SearchHit, question: string): ScoredUnit[] {
  const weights = hit.termWeights ?? Object.fromEntries((hit.matchedTerms ?? []).map((term) => [term, 1]));
  const maxWeight = Math.max(1e-6, ...Object.values(weights));
  const weightOf = (term: string) => (weights[term] ?? 0) / maxWeight;
  const headingTerms = new Set(tokenize(hit.heading).filter((term) => weightOf(term) > 0));
  const figures = quantitiesOf(question);
  const type = answerTypeOf(question);
  return units.map((unit, order) => {
    const own = new Set(tokenize(unit.text));
    let score = 0;
    for (const term of own) score += weightOf(term);
    // Context the unit inherits: its section heading and, for a table row, the column names.
    const context = new Set(headingTerms);
    if (unit.kind === 'row') for (const term of tokenize(unit.header)) if (weightOf(term) > 0) context.add(term);
    let inherited = 0;
    for (const term of context) if (!own.has(term)) inherited += 0.5 * weightOf(term);
    if (score === 0 && inherited === 0) return { unit, order, score };
    score += inherited;
    if (type?.holds(unit.text)) score += 0.6;
    if (holdsAny(unit.text, figures)) score += 1;
    return { unit, order, score };
  });
}

function sectionLabel(hit: SearchHit, lang: Lang): string {
  const trail = (hit.trail ?? [hit.heading]).filter(Boolean);
  const title = hit.title ?? hit.path;
  const where = trail.length > 0 ? trail.join(' › ') : title;
  return t(lang, `From **${where}** (${hit.path}):`, `摘自 **${where}**（${hit.path}）：`);
}

function pickUnits(
  units: readonly AnswerUnit[],
  scored: readonly ScoredUnit[],
  globalTop: number,
  isBest: boolean,
  max: number,
): AnswerUnit[] {
  const top = Math.max(0, ...scored.map((s) => s.score));
  // A short section of prose is one statement: the sentence sharing the question's words is often not the
  // one that answers (a meeting item's discussion, then "Decision: deferred").
  const prose = units.every((u) => u.kind === 'sentence');
  if (isBest && top >= 0.5 && prose && units.length <= MAX_WHOLE_PROSE_SENTENCES) return [...units];
  if (top < 0.5) {
    // Matched on its heading alone: the section's opening lines are the answer (best section only).
    return isBest ? units.slice(0, Math.min(max, 4)) : [];
  }
  const threshold = Math.max(0.5, isBest ? top * 0.6 : globalTop * 0.75);
  const picked = scored
    .filter((s) => s.score >= threshold)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, max)
    .sort((a, b) => a.order - b.order)
    .map((s) => s.unit);
  return withListContext(units, picked);
}

/** Items or rows a lead-in line brings ("X proposed a new booking rule:"), at most this many. */
const MAX_LEAD_IN_ITEMS = 8;

/**
 * A picked line that leads into a list or a table ("…:") answers with its items or rows: alone it says
 * nothing. So does a picked item of a list such a line leads into ("overtime is paid as follows:"): its
 * items are the cases of one rule, and the one that shares the question's words is not always the one asked.
 */
function withListContext(all: readonly AnswerUnit[], picked: AnswerUnit[]): AnswerUnit[] {
  const out = [...picked];
  for (const unit of picked) {
    const leadIn = unit.kind === 'item' ? leadInOf(all, all.indexOf(unit)) : all.indexOf(unit);
    const lead = all[leadIn];
    if (lead?.kind !== 'sentence' || !/[:：]\s*$/.test(lead.text)) continue;
    const kind = all[leadIn + 1]?.kind;
    if (kind !== 'item' && kind !== 'row') continue;
    if (!out.includes(lead)) out.push(lead);
    for (let i = leadIn + 1; i < all.length && i <= leadIn + MAX_LEAD_IN_ITEMS && all[i]!.kind === kind; i++) {
      if (!out.includes(all[i]!)) out.push(all[i]!);
    }
  }
  return out;
}

/** The unit just before the list that the item at `at` belongs to. */
function leadInOf(all: readonly AnswerUnit[], at: number): number {
  let first = at;
  while (first > 0 && all[first - 1]!.kind === 'item') first--;
  return first - 1;
}

/**
 * The few lines of a related section that share most of the question's words, for a "not found" to show as
 * what came closest: the bar for answering is set to keep questions with no answer refused, so a refusal
 * often has the answer there, and the reader can judge the lines instead of opening each document. Lines
 * that hold no more than the question's heaviest word are not shown: for a question with no answer they
 * are what it shares with any document.
 */
export async function closestPassage(
  question: string,
  related: readonly SearchHit[],
  readSection: SectionReader,
): Promise<CitedPassage | undefined> {
  const top = related[0];
  if (!top) return undefined;
  // As for an answer: a section in the question's language, among those that cover it about as well.
  const chinese = hasCjk(question);
  const hit =
    related.find((h) => inChinese(h) === chinese && (h.coverage ?? 0) >= (top.coverage ?? 0) - SAME_COVERAGE) ?? top;
  const units = splitUnits(await readSection(hit.path, hit.startLine, hit.endLine), hit.startLine);
  const scored = scoreUnits(units, hit, question);
  const best = Math.max(0, ...scored.map((s) => s.score));
  if (best <= ONE_WORD) return undefined;
  const picked = pickUnits(units, scored, best, false, MAX_CLOSEST_UNITS);
  if (picked.length === 0) return undefined;
  const span = lineSpan(picked);
  return { markdown: renderUnits(picked), path: hit.path, startLine: span.start, endLine: span.end };
}
