/**
 * The few fixed things a person types in a messenger that Docent reads as
 * commands rather than questions, and the texts it sends about hand-offs.
 * Kept to short whole-message forms in English and Chinese.
 */
import type { RatingOutcome } from './types.ts';

const YES =
  /^(yes|y|ok|okay|sure|please|please do|forward( it)?|是|是的|好|好的|可以|转|转发|转专家|需要)[\s.!。！]*$/i;
const ADD_TO_FAQ = /^(faq|add (it )?to (the )?faq|加入\s*faq|加到\s*faq|同意加入|同意)[\s.!。！]*$/i;
/** An expert with a pending hand-off asks a question of their own by starting with "?". */
const OWN_QUESTION = /^[?？]\s*/;
/** "#id answer…" picks one of several pending hand-offs. */
const HANDOFF_TAG = /^#([a-z0-9]{4,12})\b[\s:：]*/i;

export const isYes = (text: string) => YES.test(text.trim());
export const isAddToFaq = (text: string) => ADD_TO_FAQ.test(text.trim());

export function ownQuestion(text: string): string | undefined {
  const trimmed = text.trim();
  return OWN_QUESTION.test(trimmed) ? trimmed.replace(OWN_QUESTION, '') : undefined;
}

export function handoffTag(text: string): { readonly id: string; readonly rest: string } | undefined {
  const match = HANDOFF_TAG.exec(text.trim());
  return match ? { id: match[1]!.toLowerCase(), rest: text.trim().slice(match[0].length) } : undefined;
}

const CJK = /[\u3400-\u9fff]/;
/** The language of a message, for the texts Docent writes itself. */
export const isChinese = (text: string) => CJK.test(text);

export function offerText(question: string, expert: { readonly name: string; readonly domain: string }): string {
  return isChinese(question)
    ? `知识库里没有找到答案。需要把这个问题转给${expert.domain}专家 **${expert.name}** 吗？回复“是”即可转发。`
    : `The knowledge base has no answer. Forward this question to the ${expert.domain} expert **${expert.name}**? Reply "yes" to forward it.`;
}

/** A wait as people say it: minutes below an hour, else hours (to one decimal). */
export function waitText(ms: number, chinese: boolean): string {
  if (ms < 3_600_000) {
    const minutes = Math.max(1, Math.round(ms / 60_000));
    return chinese ? `${minutes} 分钟` : `${minutes} min`;
  }
  const hours = Math.round(ms / 360_000) / 10;
  return chinese ? `${hours} 小时` : `${hours} h`;
}

export function forwardedText(question: string, expertName: string, waitMs: number): string {
  return isChinese(question)
    ? `已转给 **${expertName}**。专家回复后会在这里告诉你（最多等待 ${waitText(waitMs, true)}）。`
    : `Forwarded to **${expertName}**. Their answer will appear here (Docent waits up to ${waitText(waitMs, false)}).`;
}

export function expertRequestText(input: {
  readonly id: string;
  readonly question: string;
  readonly askerId: string;
  readonly pendingCount: number;
}): string {
  const many =
    input.pendingCount > 1
      ? `\nYou have ${input.pendingCount} questions waiting: start your reply with #${input.id} to answer this one.`
      : '';
  return [
    `**A question for you (#${input.id})** from ${input.askerId}, which the knowledge base could not answer:`,
    '',
    `> ${input.question.replace(/\n/g, '\n> ')}`,
    '',
    `Your next message here is sent to them as the answer.${many} To ask Docent something yourself instead, start your message with "?".`,
  ].join('\n');
}

export function relayedAnswerText(question: string, expertName: string, answer: string): string {
  return isChinese(question)
    ? `**${expertName}** 回复了你的问题“${question}”：\n\n${answer}`
    : `**${expertName}** answered your question "${question}":\n\n${answer}`;
}

export const relayConfirmText = (askerId: string) =>
  `Sent to ${askerId}. Reply "FAQ" within the hour to add this question and your answer to the FAQ.`;

export function expiredText(question: string, expertName: string, waitedMs: number): string {
  return isChinese(question)
    ? `很抱歉，${expertName} 在 ${waitText(waitedMs, true)}内没有回复你的问题“${question}”。你可以稍后再问，或直接联系对方。`
    : `Sorry, ${expertName} did not answer "${question}" within ${waitText(waitedMs, false)}. You can ask again later or contact them directly.`;
}

export function busyText(question: string): string {
  return isChinese(question)
    ? '现在提问的人很多，请稍后再试。'
    : 'Docent is busy right now. Please try again in a moment.';
}

export function tooLongText(message: string, maxChars: number): string {
  return isChinese(message)
    ? `消息太长了（最多 ${maxChars} 个字）。请把问题写短一些再发。`
    : `That message is too long (at most ${maxChars} characters). Please send a shorter question.`;
}

/** One sender's messages wait behind each other; past a few, they are told to wait for the answers. */
export function waitYourTurnText(message: string): string {
  return isChinese(message)
    ? '前面的问题还在回答中，请等收到回答后再发这个问题。'
    : 'Still answering your earlier questions. Please send this one again once they are answered.';
}

export function failedText(question: string, reference: string): string {
  return isChinese(question)
    ? `抱歉，这次没能回答（编号 ${reference}）。请稍后再试。`
    : `Sorry, this question could not be answered (reference ${reference}). Please try again shortly.`;
}

/** The answer to in-chat feedback, in the language it was given in. */
export function feedbackText(outcome: RatingOutcome, said: string): string {
  const zh = isChinese(said);
  if (outcome.kind === 'already')
    return zh ? '这个回答已经收到过你的反馈了，谢谢。' : 'You already rated that answer. Thanks!';
  if (outcome.kind === 'nothing') return zh ? '谢谢反馈。' : 'Thanks for the feedback.';
  switch (outcome.action) {
    case 'faq_added':
      return zh ? '谢谢反馈！该回答已加入常见问题（FAQ）。' : 'Thanks! I added this answer to the FAQ.';
    case 'faq_usage_incremented':
      return zh ? '谢谢反馈！很高兴常见问题的回答对你有帮助。' : 'Thanks! Glad the FAQ answer helped.';
    case 'faq_removed':
      return zh
        ? '谢谢反馈。已删除该常见问题条目，并记录给管理员处理。'
        : 'Thanks. I removed that FAQ entry and recorded the case for the administrators.';
    case 'badcase_logged':
      return zh ? '谢谢反馈，问题已记录，管理员会跟进。' : 'Thanks. I recorded the problem for the administrators.';
    default:
      return zh ? '谢谢反馈。' : 'Thanks for the feedback.';
  }
}
