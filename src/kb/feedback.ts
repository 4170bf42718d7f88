/**
 * Feedback on an answer, by the rules of the original system:
 *   FAQ answer + satisfied          -> usage +1
 *   document answer + satisfied     -> added to the FAQ (least-used row evicted past the cap);
 *                                      an answer citing no source is not added
 *   not satisfied                   -> the FAQ row (if the answer was one) is removed and a
 *                                      bad case logged with the reason. The original system
 *                                      rewrote the row with the reason; Docent does not let one
 *                                      employee's text become everyone's answer.
 */
import { addFaqRow, closestFaq } from './faq-store.ts';
import type { KbInternals } from './internals.ts';
import { hasCjk } from './text-tokens.ts';
import type { FaqRow, FeedbackInput, FeedbackResult } from './types.ts';

const SAME_QUESTION = 0.6;
/**
 * How the original clients word it: a bare word ("满意", "helpful"), or the translated admin client's
 * buttons ("I'm satisfied with this result", "我对结果满意").
 */
const I_AM = "(?:i[’']?m |i am )?(?:very |quite |really )?";
const WITH_IT = '(?: with (?:this|the|that|your) (?:result|answer|reply|response))?';
const ZH_ABOUT = '(?:我)?(?:对)?(?:这个|该|此|你的)?(?:结果|回答|答案)?(?:很|非常)?';
const SATISFIED = new RegExp(
  String.raw`^\s*(?:${I_AM}(?:satisfied|happy)${WITH_IT}|helpful|that helped|this helped|great,? thanks|👍|${ZH_ABOUT}满意|有用|有帮助|解决了)[\s!.。！]*$`,
  'i',
);
const NOT_SATISFIED = new RegExp(
  String.raw`^\s*(${I_AM}(?:not satisfied|unsatisfied|dissatisfied|not happy)${WITH_IT}|not helpful|wrong|incorrect|👎|${ZH_ABOUT}不满意|没帮助|没用|不对|错了|答案不对)[\s:：,，.。!！-]*(.*)$`,
  'is',
);

/**
 * Reads a chat message that is feedback on the previous answer ("满意",
 * "不满意 + reason", "helpful"), the way the original clients send it.
 */
export function readFeedbackMessage(message: string): { satisfied: boolean; reason?: string } | undefined {
  if (message.length > 1000) return undefined;
  if (SATISFIED.test(message)) return { satisfied: true };
  const no = NOT_SATISFIED.exec(message);
  if (!no) return undefined;
  const reason = no[2]?.trim();
  return reason ? { satisfied: false, reason } : { satisfied: false };
}

export interface ParsedAnswer {
  /** The answer text without its heading and reference list. */
  readonly body: string;
  /** Cited paths (with line ranges when given). */
  readonly citations: readonly string[];
  readonly fromFaq: boolean;
}

/** Splits an answer in Docent's format into its body and its cited sources. */
export function parseAnswer(answer: string): ParsedAnswer {
  const refIndex = answer.search(
    /(?:\*\*|^#{1,3}[ \t]*)(Reference Source|References?|Sources?|参考来源|参考资料|来源)(?:\*\*|[ \t]*$)/im,
  );
  const body = (refIndex >= 0 ? answer.slice(0, refIndex) : answer)
    .replace(/^\s*#{1,3}\s*(Answer|回答|答案)\s*$/im, '')
    .trim();
  const refs = refIndex >= 0 ? answer.slice(refIndex) : '';
  const citations = [...refs.matchAll(/([\p{L}\p{N}_./-]+\.[a-z0-9]{1,8})(:\d+(?:-\d+)?)?/giu)].map(
    (m) => `${m[1]}${m[2] ?? ''}`,
  );
  const fromFaq = citations.some((c) => /(^|\/)FAQ\.md/i.test(c));
  return { body, citations, fromFaq };
}

/** Replaces the FAQ rows by `change` of them and the row asking `question`; false when no row does. */
async function changeRow(
  kb: KbInternals,
  question: string,
  change: (rows: FaqRow[], row: FaqRow) => FaqRow[],
): Promise<boolean> {
  let found = false;
  await kb.updateFaq((rows) => {
    const best = closestFaq(rows, question);
    if (!best || best.score < SAME_QUESTION) return undefined;
    found = true;
    return change(rows, best.row);
  });
  return found;
}

export async function applyFeedback(kb: KbInternals, input: FeedbackInput): Promise<FeedbackResult> {
  const parsed = parseAnswer(input.answer);
  const source = parsed.citations.join(', ') || input.vouchedBy || 'unknown';

  if (input.satisfied) {
    if (parsed.fromFaq) {
      const found = await changeRow(kb, input.question, (rows, row) =>
        rows.map((r) => (r === row ? { ...r, usage: r.usage + 1 } : r)),
      );
      return found
        ? { action: 'faq_usage_incremented', message: 'Thanks! The FAQ entry was marked useful once more.' }
        : { action: 'none', message: 'Thanks for the feedback. The FAQ entry no longer exists.' };
    }
    // Only an answer with a source (documents it cites, or an expert vouching
    // for it) becomes an FAQ entry: one without ("not found", a greeting, an
    // expert's contact) is not knowledge, and would be served to everyone alike.
    if (!parsed.body || (parsed.citations.length === 0 && !input.vouchedBy)) {
      return { action: 'none', message: 'Thanks for the feedback.' };
    }
    const stored = hasCjk(parsed.body)
      ? `${parsed.body}\n\n（来源：${source}）`
      : `${parsed.body}\n\n(Source: ${source})`;
    await kb.updateFaq((rows) =>
      addFaqRow(rows, { question: input.question.trim(), answer: stored, usage: 1 }, kb.limits.faqMaxEntries),
    );
    return { action: 'faq_added', message: 'Thanks! The answer was added to the FAQ.' };
  }

  // Not satisfied: the FAQ row that gave the answer goes, and the case, with the reason, goes to the administrators.
  const removed = parsed.fromFaq && (await changeRow(kb, input.question, (rows, row) => rows.filter((r) => r !== row)));
  await kb.appendBadCase({
    question: input.question,
    answer: parsed.body,
    feedback: input.reason?.trim() || 'not satisfied',
    source,
  });
  return removed
    ? { action: 'faq_removed', message: 'Thanks. The FAQ entry was removed and the case recorded.' }
    : { action: 'badcase_logged', message: 'Thanks. The problem was recorded for the administrators.' };
}
