/**
 * The original web client shows its feedback buttons only under an answer that
 * matches `/##\s*答案/` and `/##\s*(参考)?来源|来源[:：]/` (docs/compatibility.md):
 * Chinese headings, whatever language its user picked. Docent answers an English
 * question under English headings, so on the streaming routes such an answer is
 * followed, just before `done`, by an HTML comment holding the two Chinese
 * headings. Rendered Markdown does not show a comment (the client's `marked`
 * keeps it as one; Docent's pages drop it), and it is not stored with the answer.
 */
import { ANSWER_HEADING, SOURCES_HEADING } from '../agents/answer-format.ts';
import type { WireEvent } from './agent-events.ts';

export const FEEDBACK_MARKER = `\n\n<!-- ${ANSWER_HEADING.zh} ${SOURCES_HEADING.zh} -->`;

/** Text deltas split headings anywhere: each delta is searched with the end of the text before it. */
const OVERLAP = Math.max(ANSWER_HEADING.en.length, SOURCES_HEADING.en.length);

export function withFeedbackMarker(send: (event: WireEvent) => void): (event: WireEvent) => void {
  let tail = '';
  let answerHeading = false;
  let sourcesHeading = false;
  return (event) => {
    if (event.type === 'message') {
      const window = tail + event.content;
      answerHeading ||= window.includes(ANSWER_HEADING.en);
      sourcesHeading ||= answerHeading && window.includes(SOURCES_HEADING.en);
      tail = window.slice(-OVERLAP);
    } else if (event.type === 'done' && answerHeading && sourcesHeading) {
      send({ type: 'message', content: FEEDBACK_MARKER });
    }
    send(event);
  };
}
