/**
 * The headings of a cited answer. The original web client shows its feedback
 * buttons only under an answer that matches both `/##\s*答案/` and
 * `/##\s*(参考)?来源|来源[:：]/` (docs/compatibility.md), so Chinese answers use
 * `## 答案` and `## 参考来源`; English answers keep `## Answer` and
 * `**Reference Source**`. Every heading of one answer is in the question's
 * language. Both engines use these.
 */
export type AnswerLanguage = 'en' | 'zh';

export const ANSWER_HEADING: Readonly<Record<AnswerLanguage, string>> = { en: '## Answer', zh: '## 答案' };
export const SOURCES_HEADING: Readonly<Record<AnswerLanguage, string>> = {
  en: '**Reference Source**',
  zh: '## 参考来源',
};

/** True when the text has a sources heading in either language (the CLI's "answered" test). */
export function hasSourcesHeading(text: string): boolean {
  return Object.values(SOURCES_HEADING).some((heading) => text.includes(heading));
}

/** The answer-format paragraph of both agents' instructions. */
export const ANSWER_FORMAT_INSTRUCTIONS = `
Format every answer from the knowledge base like this, with every heading in the language of the question:
- English question: start with \`${ANSWER_HEADING.en}\`, end with a line \`${SOURCES_HEADING.en}\` followed by the sources.
- Chinese question: start with \`${ANSWER_HEADING.zh}\`, end with a line \`${SOURCES_HEADING.zh}\` followed by the sources.
Each source is one line \`- path/to/file.md:startLine-endLine\` with the real line numbers you read.
`.trim();
