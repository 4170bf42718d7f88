/**
 * Which answer of a conversation a feedback request is about. Feedback acts on
 * the FAQ, so its question and answer are Docent's own stored turn, never text
 * the client sends: the client's `answer` only selects among the turns
 * (the newest turn whose stored answer is the same text), and `turn` names one
 * by its place (1 = the first turn, as GET /api/sessions/:id/messages lists
 * them). With neither, the newest answered turn.
 */
import type { SessionMessage } from '../sessions/types.ts';
import { FEEDBACK_MARKER } from './feedback-marker.ts';

export interface AnsweredTurn {
  /** 1-based place among the stored turns. */
  readonly turn: number;
  readonly question: string;
  readonly answer: string;
}

export function answeredTurns(messages: readonly SessionMessage[]): AnsweredTurn[] {
  const turns: AnsweredTurn[] = [];
  for (let i = 0; i + 1 < messages.length; i++) {
    const asked = messages[i]!;
    const answered = messages[i + 1]!;
    if (asked.role !== 'user' || answered.role !== 'assistant') continue;
    turns.push({ turn: turns.length + 1, question: asked.content, answer: answered.content });
    i++;
  }
  return turns;
}

/** As the client saw it: the stream's hidden headings (feedback-marker.ts) were never part of the stored answer. */
const shown = (text: string) => text.replace(FEEDBACK_MARKER, '').replace(/\s+/g, ' ').trim();
const sameText = (a: string, b: string) => shown(a) === shown(b);

export function pickAnsweredTurn(
  messages: readonly SessionMessage[],
  select: { readonly turn?: number | undefined; readonly answer?: string | undefined },
): AnsweredTurn | undefined {
  const turns = answeredTurns(messages).filter((t) => t.answer.trim() !== '');
  if (select.turn !== undefined) return turns.find((t) => t.turn === select.turn);
  if (select.answer !== undefined && select.answer.trim() !== '') {
    return turns.findLast((t) => sameText(t.answer, select.answer as string));
  }
  return turns.at(-1);
}
