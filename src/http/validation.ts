/** zod parsing that answers in the API's error shape. */
import { z } from 'zod';
import { hasControlCharacters } from '../kb/control-chars.ts';
import { HttpError } from './errors.ts';

/** Longest chat message accepted, in characters. */
export const MESSAGE_MAX_CHARS = 20_000;

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid input';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/** Parses or throws 422 VALIDATION_FAILED naming the first bad field. */
export function parseInput<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw new HttpError('VALIDATION_FAILED', describe(result.error));
  return result.data;
}

/**
 * Free text from a client (messages, reasons, titles): trimmed, bounded, and
 * without control characters other than tab and line breaks. Every text
 * field the API takes is one of these, so the rule is the same everywhere.
 */
export function textField(maxChars: number, options: { allowEmpty?: boolean } = {}) {
  const base = z
    .string({ error: (issue) => (issue.input === undefined ? 'Field required' : 'Must be a string') })
    .trim();
  return (options.allowEmpty ? base : base.min(1, 'Must not be empty'))
    .max(maxChars, `Must be at most ${maxChars} characters`)
    .refine((text) => !hasControlCharacters(text), 'Must not contain control characters');
}

export const messageField = textField(MESSAGE_MAX_CHARS);

export const userIdField = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}_.@:+-]{1,128}$/u, 'Must be 1-128 letters, digits or _ . @ : + -');

export const sessionIdField = z
  .string({ error: (issue) => (issue.input === undefined ? 'Field required' : 'Must be a string') })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'Must be 1-128 letters, digits, _ or -');

/** An optional parameter where an empty value (`?user_id=`) counts as absent, as old clients send it. */
export function optionalParam<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());
}

export const queryParams = z.object({
  message: messageField,
  user_id: optionalParam(userIdField),
  session_id: optionalParam(sessionIdField),
});
