/** Limits every converter works within (a corrupt or hostile file must not exhaust memory). */
import JSZip from 'jszip';
import { KbError } from '../types.ts';
import { htmlNestingDepth, MAX_HTML_DEPTH } from './html-nesting.ts';

export interface ConvertLimits {
  readonly maxSourceBytes: number;
  readonly maxConvertedBytes: number;
  /** Most cells a spreadsheet may span (its dimension, and each merged range). @default 2,000,000 */
  readonly maxCells?: number;
}

export const DEFAULT_MAX_CELLS = 2_000_000;
const MAX_ENTRIES = 20_000;

/** Opens an Office archive (docx, pptx, xlsx), refusing a corrupt one and a zip bomb. */
export async function openArchive(bytes: Buffer, name: string, limits: ConvertLimits, kind: string): Promise<JSZip> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw convertFailed(name, `the file is corrupt or encrypted (not a valid ${kind} archive)`);
  }
  await checkZipExpansion(zip, limits.maxConvertedBytes * 4, name);
  return zip;
}

/**
 * Refuses archives that expand past a bound: zip bombs.
 * The sizes in the zip headers are the sender's claim, so every entry is
 * actually inflated here, counting bytes as they come and stopping at the
 * bound, before any converter reads the archive.
 */
async function checkZipExpansion(zip: JSZip, maxBytes: number, name: string): Promise<void> {
  const tooLarge = () =>
    new KbError('KB_TOO_LARGE', `${name} expands to more than ${Math.round(maxBytes / 1048576)} MB`);
  const files = Object.values(zip.files).filter((file) => !file.dir);
  if (files.length > MAX_ENTRIES) {
    throw new KbError('KB_TOO_LARGE', `${name} holds more than ${MAX_ENTRIES} files`);
  }
  let total = 0;
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      const stream = file.nodeStream('nodebuffer');
      // Settling twice is harmless: a late 'end' or 'error' after a refusal changes nothing.
      const fail = (error: Error) => {
        stream.pause();
        stream.removeAllListeners('data');
        reject(error);
      };
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) fail(tooLarge());
      });
      stream.on('error', (error: Error) => fail(convertFailed(name, `damaged archive (${error.message})`)));
      stream.on('end', () => resolve());
    });
  }
}

/** A1-style range to its number of cells (`A1:XFD1048576` → 17 billion). */
export function rangeCells(ref: string): number {
  const match = /^\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?$/i.exec(ref.trim());
  if (!match) return 0;
  const column = (letters: string) => [...letters.toUpperCase()].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);
  const [, c1, r1, c2 = c1!, r2 = r1!] = match;
  return (Math.abs(column(c2) - column(c1!)) + 1) * (Math.abs(Number(r2) - Number(r1)) + 1);
}

/**
 * Refuses a workbook whose sheets claim more cells than the limit, in their
 * dimension or in a merged range: a spreadsheet library expands a merge into
 * one object per cell, so one `<mergeCell ref="A1:XFD1048576"/>` in a 2 KB
 * file would take the server's memory.
 */
export async function checkSheetSizes(zip: JSZip, maxCells: number, name: string): Promise<void> {
  for (const [path, file] of Object.entries(zip.files)) {
    if (file.dir || !/^xl\/worksheets\/[^/]+\.xml$/i.test(path)) continue;
    const xml = await file.async('string');
    const refs = [...xml.matchAll(/<(?:\w+:)?(dimension|mergeCell)\b[^>]*\bref="([^"]{1,40})"/g)];
    let merged = 0;
    for (const [, kind, ref] of refs) {
      const cells = rangeCells(ref!);
      if (kind === 'mergeCell') merged += cells;
      if (cells > maxCells || merged > maxCells) {
        throw new KbError(
          'KB_TOO_LARGE',
          `${name}: a sheet ${kind === 'mergeCell' ? 'merges' : 'spans'} more than ${maxCells} cells (${ref}); the limit is CONVERT_MAX_CELLS`,
        );
      }
    }
  }
}

/**
 * Refuses HTML nested past MAX_HTML_DEPTH before it is parsed: the parser's time grows with the square
 * of the depth (100,000 levels in 3 MB held the conversion thread until CONVERT_TIMEOUT_MS).
 */
export function checkHtmlNesting(html: string, name: string): void {
  if (htmlNestingDepth(html, MAX_HTML_DEPTH) > MAX_HTML_DEPTH) {
    throw new KbError(
      'KB_TOO_LARGE',
      `${name} nests its elements more than ${MAX_HTML_DEPTH} levels deep, the limit for a document (HTML nesting depth)`,
    );
  }
}

export function checkConvertedSize(markdown: string, limits: ConvertLimits, name: string): void {
  if (Buffer.byteLength(markdown) > limits.maxConvertedBytes) {
    throw new KbError('KB_TOO_LARGE', `${name} converts to more text than the limit allows`);
  }
}

export function convertFailed(name: string, why: string): KbError {
  return new KbError('KB_CONVERT_FAILED', `Could not convert ${name}: ${why}`);
}
