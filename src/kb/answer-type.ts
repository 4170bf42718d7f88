/**
 * The kind of answer a question asks for, when its wording says ("how often" wants a frequency, "how
 * long" a duration, "how much" an amount), and whether a text states one. A passage that cannot hold
 * that kind of answer does not answer the question, however many of its words it shares; one that
 * does is that much more likely to. Search counts it as half a question word (search-index.ts); the
 * offline answer prefers the sentences that hold it (answer-composer.ts).
 */

/** "3 days", "10 working days", "90 天", "15 个自然日", "two weeks", "a month". */
const DURATION = new RegExp(
  [
    String.raw`\d+(?:\.\d+)?\s*(?:[a-z]+\s+)?(?:hours?|minutes?|days?|weeks?|months?|years?)\b`,
    String.raw`\d+\s*个?[\u4e00-\u9fff]{0,2}?(?:小时|分钟|天|日|周|月|年)`,
    String.raw`\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:hour|day|week|month|year)s?\b`,
  ].join('|'),
  'i',
);

export interface AnswerType {
  readonly name: 'frequency' | 'duration' | 'amount';
  /** True when the text states an answer of this kind. */
  holds(text: string): boolean;
}

/** First match wins: "how often" is asked before "how long" is looked for. */
const TYPES: readonly (AnswerType & { readonly asked: RegExp })[] = [
  {
    name: 'frequency',
    asked: /\bhow often\b|多久一次|每隔多久|多长时间一次|隔多久/i,
    holds: (text) =>
      /\bevery\s+(?:\d+\s+|other\s+)?(?:day|week|month|year|hour|minute|quarter)s?\b|\b(?:daily|weekly|monthly|annually|yearly|hourly|quarterly)\b|\b(?:once|twice)\s+(?:an?|per|every)\b|\b\d+\s+times?\s+(?:a|per)\b|每(?:天|日|周|月|年|季度|隔|\d|[一二两三四五六])/i.test(
        text,
      ),
  },
  {
    name: 'duration',
    asked: /\bhow long\b|\bhow many (?:hours|days|weeks|months|years)\b|多久|多长时间|几天|几个月|几小时/i,
    holds: (text) => DURATION.test(text),
  },
  {
    // An amount: a figure of any kind ("how much leave": days; 多少学分: credits), or a duration in words.
    name: 'amount',
    asked: /\bhow much\b|多少/i,
    holds: (text) => /\d/.test(text) || DURATION.test(text),
  },
];

/** The kind of answer `question` asks for, if its wording says. */
export function answerTypeOf(question: string): AnswerType | undefined {
  return TYPES.find((type) => type.asked.test(question));
}
