/**
 * The employee workflow, run deterministically:
 * FAQ match → search → cited answer from the best sections, or a plain
 * "no good answer" with a bad case logged and the domain expert named.
 * "satisfied" / "not satisfied: reason" after an answer is feedback on it.
 */
import { ANSWER_HEADING, SOURCES_HEADING } from '../../agents/answer-format.ts';
import { readFeedbackMessage } from '../../kb/feedback.ts';
import type { FeedbackResult, KnowledgeBase, SearchHit } from '../../kb/types.ts';
import type { AgentEvent } from '../types.ts';
import { type CitedPassage, closestPassage, composeAnswer } from './answer-composer.ts';
import { detectLanguage, type Lang, t } from './language.ts';
import { type LocalTurnContext, textChunks } from './turn-context.ts';

const SMALL_TALK =
  /^\s*(hi|hello|hey|good (morning|afternoon|evening)|thanks?( you)?|thank you|ok(ay)?|bye|你好|您好|嗨|谢谢|多谢|好的|再见)[\s!.,。！，~]*$/i;
/** Below the FAQ's own bar: used only when no document answers. */
const LOOSE_FAQ_MATCH = 0.5;
/**
 * A "not found" lists the top sections' documents that cover at least this share of the question: at 0.2
 * the right document is among them for 50 of the 66 answerable questions of eval:answers the engine
 * refuses (0.34 listed it for 33), and 67 of 79 refusals of questions with no answer list some.
 */
const RELATED_COVERAGE = 0.2;

export async function* employeeTurn(kb: KnowledgeBase, ctx: LocalTurnContext): AsyncGenerator<AgentEvent> {
  const question = ctx.message.trim();
  const lang = detectLanguage(question);

  if (ctx.state.lastAnswer && ctx.state.lastQuestion) {
    const feedback = readFeedbackMessage(question);
    if (feedback) {
      yield ctx.toolUse('feedback', { question: ctx.state.lastQuestion, satisfied: feedback.satisfied });
      const result = await kb.feedback({
        question: ctx.state.lastQuestion,
        answer: ctx.state.lastAnswer,
        satisfied: feedback.satisfied,
        ...(feedback.reason ? { reason: feedback.reason } : {}),
      });
      ctx.state.lastAnswer = undefined;
      yield { type: 'text', text: t(lang, ...FEEDBACK_REPLIES[result.action]) };
      return;
    }
  }

  if (SMALL_TALK.test(question)) {
    yield { type: 'text', text: t(lang, ...REPLIES.greeting) };
    return;
  }

  yield ctx.toolUse('match_faq', { question });
  const faq = await kb.matchFaq(question, { countUse: true });
  if (faq) {
    yield* remember(ctx, question, faqAnswer(faq.row, lang));
    return;
  }

  yield ctx.toolUse('search_kb', { pattern: question });
  const hits = await kb.search(question, { limit: 8 });
  const readSection = async (path: string, startLine: number, endLine: number) => {
    // A file removed since the search simply drops out of the answer.
    const slice = await kb.read(path, { startLine, endLine }).catch(() => undefined);
    return slice ? slice.content.split('\n') : [];
  };
  const composed = await composeAnswer(question, hits, readSection);
  if (composed) {
    for (const source of composed.sources) {
      yield ctx.toolUse('read_file', {
        file_path: source.path,
        offset: source.startLine,
        limit: source.endLine - source.startLine + 1,
      });
    }
    yield* remember(ctx, question, composed.markdown);
    return;
  }

  // No document answers: a FAQ entry that is only loosely like the question beats "no answer".
  const looseFaq = await kb.matchFaq(question, { countUse: true, threshold: LOOSE_FAQ_MATCH });
  if (looseFaq) {
    yield* remember(ctx, question, faqAnswer(looseFaq.row, lang));
    return;
  }

  const related = hits.slice(0, 3).filter((h) => (h.coverage ?? 0) >= RELATED_COVERAGE);
  const closest = await closestPassage(question, related, readSection);
  yield* noAnswer(kb, ctx, question, lang, related, closest);
}

function faqAnswer(row: { readonly question: string; readonly answer: string }, lang: Lang): string {
  return [
    ANSWER_HEADING[lang],
    '',
    row.answer,
    '',
    SOURCES_HEADING[lang],
    '',
    `- FAQ.md (${t(lang, 'frequently asked question', '常见问题')}: "${row.question}")`,
  ].join('\n');
}

async function* noAnswer(
  kb: KnowledgeBase,
  ctx: LocalTurnContext,
  question: string,
  lang: Lang,
  related: readonly SearchHit[],
  closest: CitedPassage | undefined,
): AsyncGenerator<AgentEvent> {
  const paths = related.map((h) => h.path);
  yield ctx.toolUse('find_expert', { question });
  const expert = await kb.findExpert(question);
  yield ctx.toolUse('log_badcase', { question });
  await kb.logBadCase({
    question,
    answer: 'No answer found in the knowledge base',
    feedback: 'unanswered (offline engine)',
    source: paths.join(', ') || 'none',
  });
  const lines = [ANSWER_HEADING[lang], '', t(lang, ...REPLIES.notFound)];
  if (closest) {
    const cite = `${closest.path}:${closest.startLine}-${closest.endLine}`;
    lines.push(
      '',
      t(
        lang,
        `The closest passage, which may not answer it (${cite}):`,
        `最接近的内容，不一定能回答该问题（${cite}）：`,
      ),
      '',
      closest.markdown.replace(/^/gm, '> '),
    );
  }
  const unique = [...new Set(paths)];
  if (unique.length > 0) {
    lines.push('', t(lang, 'These documents may be related:', '以下文档可能相关：'), ...unique.map((p) => `- ${p}`));
  }
  if (expert) {
    lines.push(
      '',
      t(
        lang,
        `Please ask **${expert.name}** (${expert.domain}), contact: ${expert.contact}.`,
        `建议咨询 **${expert.name}**（${expert.domain}），联系方式：${expert.contact}。`,
      ),
    );
  }
  lines.push('', t(lang, ...REPLIES.recorded));
  ctx.state.lastAnswer = undefined;
  yield* textChunks(lines.join('\n'));
}

function* remember(ctx: LocalTurnContext, question: string, answer: string): Generator<AgentEvent> {
  ctx.state.lastQuestion = question;
  ctx.state.lastAnswer = answer;
  yield* textChunks(answer);
}

const REPLIES = {
  greeting: [
    'Hello! Ask me anything about the company documents, for example "How many days of annual leave do I get?"',
    '你好！可以问我任何关于公司文档的问题，例如"年假有多少天？"',
  ],
  notFound: [
    'I could not find a reliable answer to this question in the knowledge base.',
    '抱歉，知识库中没有找到能可靠回答这个问题的内容。',
  ],
  recorded: [
    'The question has been recorded for the knowledge-base administrators.',
    '该问题已记录，供知识库管理员补充。',
  ],
} as const satisfies Record<string, readonly [en: string, zh: string]>;

const FEEDBACK_REPLIES: Record<FeedbackResult['action'], readonly [en: string, zh: string]> = {
  faq_usage_incremented: ['Thanks! Glad the FAQ answer helped.', '谢谢反馈！很高兴常见问题的回答对您有帮助。'],
  faq_added: ['Thanks! I added this answer to the FAQ.', '谢谢反馈！该回答已加入常见问题（FAQ）。'],
  faq_removed: [
    'Thanks. I removed that FAQ entry and recorded the case for the administrators.',
    '谢谢反馈。已删除该常见问题条目，并记录给管理员处理。',
  ],
  badcase_logged: ['Thanks. I recorded the problem for the administrators.', '谢谢反馈，问题已记录，管理员会跟进。'],
  none: ['Thanks for the feedback.', '谢谢反馈。'],
};
