/** Shapes of the toolset's structured inputs, checked once where they enter the knowledge base. */
import { z } from 'zod';
import { KbError } from './types.ts';

const MAX_TEXT = 20_000;

export const feedbackSchema = z.object({
  question: z.string().trim().min(1).max(MAX_TEXT),
  answer: z.string().max(100_000),
  satisfied: z.boolean(),
  reason: z.string().max(MAX_TEXT).optional(),
  vouchedBy: z.string().trim().min(1).max(200).optional(),
});

export const ingestSourcesSchema = z
  .array(
    z.object({
      name: z.string().trim().min(1).max(255),
      sourcePath: z.string().min(1).max(4096),
    }),
  )
  .max(100);

export const badCaseSchema = z.object({
  question: z.string().max(MAX_TEXT),
  answer: z.string().max(100_000),
  feedback: z.string().max(MAX_TEXT),
  source: z.string().max(MAX_TEXT),
});

/** One wording of a synonyms row: a word or a short phrase, no table syntax. */
const wording = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[^|\r\n,，、;；/]+$/, 'a wording holds no | , 、 ; / or line break');

export const synonymsSchema = z.object({
  term: wording,
  sameAs: z.array(wording).min(1).max(16),
});

/** Parses `value` or throws KbError KB_INPUT_INVALID naming the first problem. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
  throw new KbError('KB_INPUT_INVALID', `Invalid ${what}${where}: ${issue?.message ?? 'bad value'}`);
}
