/** The domain-experts table (csv or xlsx at the root): who to ask when the documents do not answer. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { csvRows, sheetRows } from './converters/data.ts';
import { openArchive } from './converters/limits.ts';
import type { Lexicon } from './lexicon.ts';
import { dice, tokenize } from './text-tokens.ts';
import type { Expert } from './types.ts';

const MAX_TABLE_BYTES = 2 * 1024 * 1024;
/** What a workbook of that size may expand to (times four, see openArchive). */
const TABLE_LIMITS = { maxSourceBytes: MAX_TABLE_BYTES, maxConvertedBytes: 4 * MAX_TABLE_BYTES };
const TABLE_NAME = /(expert|专家)/i;

export interface ExpertRow extends Expert {
  readonly keywords: string;
}

/** Finds the experts table among the root's files (first match by name). */
export async function findExpertsTable(root: string): Promise<string | undefined> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const match = entries
    .filter((e) => e.isFile() && TABLE_NAME.test(e.name) && /\.(csv|xlsx)$/i.test(e.name))
    .map((e) => e.name)
    .sort();
  return match[0] ? path.join(root, match[0]) : undefined;
}

export async function loadExperts(file: string): Promise<ExpertRow[]> {
  const info = await stat(file);
  if (info.size > MAX_TABLE_BYTES) return [];
  const rows = file.toLowerCase().endsWith('.xlsx') ? await xlsxRows(file) : csvRows(await readFile(file, 'utf8'));
  const [header, ...body] = rows;
  if (!header) return [];
  const col = (pattern: RegExp, fallback: number) => {
    const i = header.findIndex((h) => pattern.test(h));
    return i >= 0 ? i : fallback;
  };
  const domain = col(/domain|area|领域|方向/i, 0);
  const name = col(/name|expert|姓名|专家/i, 1);
  const contact = col(/contact|id|email|联系|账号/i, 2);
  const keywords = col(/keyword|topic|关键/i, -1);
  return body
    .filter((r) => r[domain]?.trim() && r[name]?.trim())
    .map((r) => ({
      domain: r[domain]!.trim(),
      name: r[name]!.trim(),
      contact: r[contact]?.trim() ?? '',
      keywords: keywords >= 0 ? (r[keywords]?.trim() ?? '') : '',
    }));
}

async function xlsxRows(file: string): Promise<string[][]> {
  const bytes = await readFile(file);
  // A workbook is a zip: one that expands past a bound (a zip bomb) is refused before ExcelJS inflates it.
  await openArchive(bytes, path.basename(file), TABLE_LIMITS, 'xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  return sheet ? sheetRows(sheet) : [];
}

const GENERAL = /general|default|other|通用|其他|综合/i;

/** The expert whose domain and keywords best match the question (through the knowledge base's synonyms); the general contact otherwise. */
export function pickExpert(rows: readonly ExpertRow[], question: string, lexicon: Lexicon): Expert | undefined {
  const q = new Set(tokenize(question));
  let best: { row: ExpertRow; score: number } | undefined;
  for (const row of rows) {
    const terms = new Set(tokenize(`${row.domain} ${row.keywords}`));
    let hits = 0;
    // 工资 finds the expert whose keywords say 薪酬 or payroll.
    for (const t of q) if (terms.has(t) || lexicon.synonymsOf(t).some((s) => terms.has(s))) hits++;
    const score = hits + dice(q, terms);
    if (hits > 0 && (!best || score > best.score)) best = { row, score };
  }
  const chosen = best?.row ?? rows.find((r) => GENERAL.test(r.domain)) ?? rows[0];
  return chosen ? { domain: chosen.domain, name: chosen.name, contact: chosen.contact } : undefined;
}
