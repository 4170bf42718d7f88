/**
 * Control characters in text that lands in a knowledge-base file (FAQ.md,
 * BADCASE.md). One NUL makes the whole file read as binary to every reader,
 * so whatever the caller (HTTP feedback, a chat turn, a messenger), text is
 * cleaned before it is written. The HTTP edge refuses such text outright
 * (src/http/validation.ts); this is the rule for every other way in.
 */

/** Control characters other than tab and line breaks (C0, DEL, C1). */
const UNWANTED = /(?![\t\n\r])\p{Cc}/gu;

export function hasControlCharacters(text: string): boolean {
  UNWANTED.lastIndex = 0;
  return UNWANTED.test(text);
}

export function withoutControlCharacters(text: string): string {
  return text.replace(UNWANTED, '');
}
