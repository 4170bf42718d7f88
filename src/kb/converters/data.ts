/**
 * .xlsx / .csv: the data is kept as it is; a generated Markdown file describes
 * its sheets and columns and shows the first rows, so search can find it.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { formatRow } from '../markdown-table.ts';
import { type ConvertLimits, checkSheetSizes, convertFailed, DEFAULT_MAX_CELLS, openArchive } from './limits.ts';
import type { Converted } from './types.ts';

const PREVIEW_ROWS = 30;
const MAX_ROWS_READ = 200_000;

interface Sheet {
  readonly name: string;
  readonly rows: string[][];
}

export async function convertXlsx(
  bytes: Buffer,
  name: string,
  title: string,
  limits: ConvertLimits,
): Promise<Converted> {
  const zip = await openArchive(bytes, name, limits, 'xlsx');
  await checkSheetSizes(zip, limits.maxCells ?? DEFAULT_MAX_CELLS, name);
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw convertFailed(name, `unreadable workbook (${error instanceof Error ? error.message : String(error)})`);
  }
  const sheets: Sheet[] = book.worksheets.map((ws) => ({ name: ws.name, rows: sheetRows(ws, MAX_ROWS_READ) }));
  return { markdown: describe(title, name, sheets), images: [], data: bytes };
}

/** A worksheet's non-empty rows (at most `max`), each as its cells' text. */
export function sheetRows(sheet: ExcelJS.Worksheet, max = Number.POSITIVE_INFINITY): string[][] {
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    if (rows.length >= max) return;
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    rows.push(values.map(cellText));
  });
  return rows;
}

/** A CSV file's rows (at most `max`), a byte-order mark dropped, cells trimmed. */
export function csvRows(text: string, max?: number): string[][] {
  return parse(text.replace(/^\uFEFF/, ''), {
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    ...(max === undefined ? {} : { to: max }),
  });
}

export function convertCsv(bytes: Buffer, name: string, title: string): Converted {
  let rows: string[][];
  try {
    rows = csvRows(bytes.toString('utf8'), MAX_ROWS_READ);
  } catch (error) {
    throw convertFailed(name, `not valid CSV (${error instanceof Error ? error.message : String(error)})`);
  }
  return { markdown: describe(title, name, [{ name: 'data', rows }]), images: [], data: bytes };
}

/** A cell's text as Excel shows it: a hyperlink's text, rich text's runs, a formula's result, a date's day. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    // A hyperlink's text may itself be rich text.
    if (v.text !== undefined) return cellText(v.text);
    if (v.result !== undefined) return cellText(v.result);
    return '';
  }
  return String(value);
}

function columnKind(values: readonly string[]): string {
  const filled = values.filter((v) => v !== '');
  if (filled.length === 0) return 'empty';
  if (filled.every((v) => /^-?\d+([.,]\d+)?%?$/.test(v))) return 'number';
  if (filled.every((v) => /^\d{4}-\d{2}-\d{2}/.test(v))) return 'date';
  return 'text';
}

function describe(title: string, fileName: string, sheets: readonly Sheet[]): string {
  const out = [
    `# ${title}`,
    '',
    `Data file \`${fileName}\` (kept as is beside this description): ${sheets.length} sheet(s).`,
    '',
    '| Sheet | Rows | Columns |',
    '| --- | --- | --- |',
    ...sheets.map((s) => formatRow([s.name, String(Math.max(0, s.rows.length - 1)), (s.rows[0] ?? []).join(', ')])),
    '',
  ];
  for (const sheet of sheets) {
    const [header = [], ...body] = sheet.rows;
    out.push(`## Sheet: ${sheet.name}`, '');
    if (header.length === 0) {
      out.push('(empty)', '');
      continue;
    }
    out.push('| Column | Type | Example |', '| --- | --- | --- |');
    header.forEach((column, i) => {
      const values = body.map((r) => r[i] ?? '');
      out.push(formatRow([column || `(column ${i + 1})`, columnKind(values), values.find((v) => v) ?? '']));
    });
    out.push('', `First ${Math.min(PREVIEW_ROWS, body.length)} of ${body.length} rows:`, '');
    out.push(formatRow(header), `|${' --- |'.repeat(header.length)}`);
    for (const row of body.slice(0, PREVIEW_ROWS)) out.push(formatRow(header.map((_, i) => row[i] ?? '')));
    out.push('');
  }
  return out.join('\n');
}
