/**
 * "How do I…" questions: finds the list that walks through the task. A
 * numbered list under a heading like "Installing…" or "Steps" is a
 * procedure; a bullet list under "Rules" or "Troubleshooting" rarely is,
 * unless the question reports a problem. Candidates compete on their search
 * score times how much they look like a procedure.
 */
import { splitSections } from '../../kb/sections.ts';
import { tokenize } from '../../kb/text-tokens.ts';
import type { SearchHit } from '../../kb/types.ts';
import { type AnswerUnit, splitUnits } from './answer-units.ts';

export const PROCEDURE_QUESTION =
  /\b(how (do|can|should|would) (i|we|you)|how to|steps?|procedure|process|what (should|do|can|must) (i|we) do|what to do)\b|如何|怎么|怎样|步骤|流程|要做什么|该做什么|办理/i;
const PROCEDURE_HEADING =
  /\b(steps?|procedure|how to|instructions?|process|workflow|install\w*|set ?up|setting up|configur\w*|getting started|guide)\b|步骤|流程|操作|办理|方法|安装|设置|配置|指南/i;
const TROUBLE_HEADING = /\b(troubleshoot\w*|problems?|issues?|errors?|faq)\b|故障|问题|排查|错误/i;
const RULES_HEADING = /\b(rules?|polic(y|ies)|restrictions?|requirements?)\b|规则|规定|要求|制度/i;
const PROBLEM_QUESTION =
  /\b(errors?|fail\w*|not working|doesn'?t|does not|won'?t|can'?t|cannot|unable|problems?|issues?|broken|unreachable|says|wrong|stuck|keeps|drop\w*|disconnect\w*|crash\w*|freez\w*|slow)\b|报错|失败|无法|不能|问题|故障|错误|提示|断开|掉线|很慢|卡住/i;
const ORDERED_ITEM = /^(\d+[.)]|\d+、|[（(]\d+[）)]|[一二三四五六七八九十]+、)/;
const MAX_STEPS = 12;
/** How much of a document is read to find its steps sections. */
export const MAX_DOCUMENT_LINES = 2000;

export type SectionReader = (path: string, startLine: number, endLine: number) => Promise<string[]>;

export interface StepsCandidate {
  readonly hit: SearchHit;
  readonly units: AnswerUnit[];
  readonly steps: AnswerUnit[];
}

/** The list items of a section that looks like a procedure for the question (with their lead sentence), else undefined. */
export function stepsOf(units: readonly AnswerUnit[], hit: SearchHit): AnswerUnit[] | undefined {
  const items = units.filter((u) => u.kind === 'item');
  if (items.length < 2 || items.length > MAX_STEPS) return undefined;
  const terms = new Set(hit.matchedTerms ?? []);
  const ordered = items.every((u) => ORDERED_ITEM.test(u.text));
  // A bullet list is a procedure only under a heading that says so; a numbered one also under the task's name.
  if (!PROCEDURE_HEADING.test(hit.heading) && !(ordered && tokenize(hit.heading).some((t) => terms.has(t)))) {
    return undefined;
  }
  const firstItem = units.indexOf(items[0]!);
  const lead = firstItem > 0 && units[firstItem - 1]!.kind === 'sentence' ? [units[firstItem - 1]!] : [];
  return [...lead, ...items];
}

/** How much a list under `heading` looks like the procedure asked for (a factor on its search score). */
function procedureFactor(hit: SearchHit, steps: readonly AnswerUnit[], question: string): number {
  const heading = hit.heading;
  const items = steps.filter((u) => u.kind === 'item');
  let factor = items.every((u) => ORDERED_ITEM.test(u.text)) ? 1.5 : 1;
  if (PROCEDURE_HEADING.test(heading)) factor *= 1.3;
  // A fix may sit under a heading of its own inside a troubleshooting chapter.
  const trouble = TROUBLE_HEADING.test((hit.trail ?? [heading]).join(' '));
  const problem = PROBLEM_QUESTION.test(question);
  // A reported problem wants the fix, not the set-up steps; a set-up question not the fixes.
  if (trouble !== problem) factor *= 0.5;
  if (RULES_HEADING.test(heading)) factor *= 0.7;
  return factor;
}

/**
 * The best procedure for the question among the sections answered from and
 * the other sections of the best document, or undefined when none competes
 * with the best plain answer.
 */
export async function bestProcedure(
  question: string,
  sections: readonly { hit: SearchHit; units: AnswerUnit[] }[],
  allHits: readonly SearchHit[],
  readSection: SectionReader,
): Promise<StepsCandidate | undefined> {
  const best = sections[0];
  if (!best) return undefined;
  const candidates: StepsCandidate[] = [];
  for (const { hit, units } of sections) {
    const steps = stepsOf(units, hit);
    if (steps) candidates.push({ hit, units, steps });
  }
  // A best section under a heading of its own that names the subject ("Rollback") answers itself.
  const matched = new Set(best.hit.matchedTerms ?? []);
  const bestIsSpecific =
    (best.hit.trail?.length ?? 1) > 1 && tokenize(best.hit.heading).some((term) => matched.has(term));
  // The best document may keep its steps under a heading of their own ("Steps", "Installing the client").
  const lines = await readSection(best.hit.path, 1, MAX_DOCUMENT_LINES);
  for (const section of splitSections(lines.join('\n'))) {
    if (candidates.some((c) => c.hit.path === best.hit.path && c.hit.startLine === section.startLine)) continue;
    const units = splitUnits(section.text.split('\n'), section.startLine);
    const searched = allHits.find((h) => h.path === best.hit.path && h.startLine === section.startLine);
    const hit: SearchHit = {
      ...best.hit,
      heading: section.heading,
      trail: section.trail,
      startLine: section.startLine,
      endLine: section.endLine,
      score: searched?.score ?? 0,
      ...(searched ? { matchedTerms: searched.matchedTerms, termWeights: searched.termWeights } : {}),
    };
    const steps = stepsOf(units, hit);
    if (!steps) continue;
    // A section headed like a procedure ("Steps") stands in for the document's best section even
    // when its own words barely match; others count with what the search gave them.
    const standIn = PROCEDURE_HEADING.test(section.heading) && !bestIsSpecific;
    const score = Math.max(hit.score, standIn ? best.hit.score * 0.5 : 0);
    if (score > 0) candidates.push({ hit: { ...hit, score }, units, steps });
  }
  let winner: StepsCandidate | undefined;
  let winnerScore = 0;
  for (const candidate of candidates) {
    const score = candidate.hit.score * procedureFactor(candidate.hit, candidate.steps, question);
    if (score > winnerScore) {
      winner = candidate;
      winnerScore = score;
    }
  }
  return winner && winnerScore >= best.hit.score * 0.8 ? winner : undefined;
}
