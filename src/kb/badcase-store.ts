/** BADCASE.md: dated entries of questions Docent could not answer well. */
import { withoutControlCharacters } from './control-chars.ts';
import { readTextOr } from './kb-files.ts';
import type { BadCase } from './types.ts';

export const BADCASE_FILE = 'BADCASE.md';
const HEADER =
  '# Bad cases\n\nQuestions the knowledge base did not answer well, for the administrators to fill the gaps.\n';
const FIELDS: readonly [keyof Omit<BadCase, 'date'>, string][] = [
  ['question', 'Question'],
  ['answer', 'Answer given'],
  ['feedback', 'Feedback'],
  ['source', 'Source'],
];

export function formatBadCase(entry: BadCase): string {
  const oneLine = (s: string) =>
    withoutControlCharacters(s)
      .replace(/\s*\r?\n\s*/g, ' ')
      .slice(0, 2000);
  return [`## ${entry.date}`, ...FIELDS.map(([key, label]) => `- **${label}**: ${oneLine(entry[key])}`), ''].join('\n');
}

export function parseBadCases(content: string): BadCase[] {
  const result: BadCase[] = [];
  for (const block of content.split(/^## /m).slice(1)) {
    const [dateLine = '', ...rest] = block.split(/\r?\n/);
    const values: Record<(typeof FIELDS)[number][0], string> = { question: '', answer: '', feedback: '', source: '' };
    for (const line of rest) {
      const m = /^- \*\*(.+?)\*\*:\s?(.*)$/.exec(line);
      if (!m) continue;
      const field = FIELDS.find(([, label]) => label === m[1]);
      if (field) values[field[0]] = m[2]!;
    }
    result.push({ date: dateLine.trim(), ...values });
  }
  return result;
}

export function readBadCaseFile(file: string): Promise<string> {
  return readTextOr(file, HEADER);
}

export function appendBadCase(content: string, entry: BadCase): string {
  const base = content.trim() ? content.replace(/\s*$/, '\n\n') : `${HEADER}\n`;
  return `${base}${formatBadCase(entry)}`;
}

export function nowStamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
