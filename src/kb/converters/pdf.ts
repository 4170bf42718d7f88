/**
 * .pdf text with pdf.js, headings recovered from font sizes and weights
 * (pdf-layout.ts). Encrypted files are refused with a clear reason.
 */
import { getDocument, type PDFDocumentProxy, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { convertFailed } from './limits.ts';
import { fontsToCheck, layoutMarkdown, type PdfPage, type PdfTextItem, toLines } from './pdf-layout.ts';
import type { Converted } from './types.ts';

const MAX_PAGES = 2000;
/** Pages parsed in full to learn font weights: each costs a pass over its drawing operators. */
const MAX_WEIGHT_PAGES = 16;

export async function convertPdf(bytes: Buffer, name: string, title: string): Promise<Converted> {
  if (!bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) throw convertFailed(name, 'not a PDF file');
  const task = getDocument({
    data: new Uint8Array(bytes),
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
  });
  try {
    const doc = await task.promise;
    const pages = await readPages(doc);
    if (!pages.some((p) => p.lines.some((l) => l.text.trim()))) {
      throw convertFailed(name, 'no text found (a scanned PDF needs OCR first)');
    }
    const bold = await boldFonts(doc, fontsToCheck(pages));
    return { markdown: layoutMarkdown(pages, title, bold), images: [] };
  } catch (error) {
    if (error instanceof Error && /password/i.test(`${error.name} ${error.message}`)) {
      throw convertFailed(name, 'the PDF is encrypted (password protected)');
    }
    if (error instanceof Error && error.name === 'KbError') throw error;
    throw convertFailed(name, `the PDF is damaged (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

async function readPages(doc: PDFDocumentProxy): Promise<PdfPage[]> {
  const pages: PdfPage[] = [];
  for (let number = 1; number <= Math.min(doc.numPages, MAX_PAGES); number++) {
    const page = await doc.getPage(number);
    const content = await page.getTextContent();
    const items: PdfTextItem[] = [];
    for (const item of content.items) {
      if (!('str' in item)) continue;
      const [, , c, d, x, y] = item.transform as number[];
      items.push({
        text: item.str,
        x: x ?? 0,
        y: y ?? 0,
        width: item.width,
        size: Math.hypot(c ?? 0, d ?? 0),
        font: item.fontName,
        endOfLine: item.hasEOL,
      });
    }
    pages.push({ number, lines: toLines(items) });
    page.cleanup();
  }
  return pages;
}

/**
 * Which of `fonts` (font id → a page that uses it) are bold. Text content
 * names fonts only by id; their names and weight flags arrive with the
 * operator list of a page that draws with them.
 */
async function boldFonts(doc: PDFDocumentProxy, fonts: ReadonlyMap<string, number>): Promise<Set<string>> {
  const bold = new Set<string>();
  const pages = [...new Set(fonts.values())].slice(0, MAX_WEIGHT_PAGES);
  for (const number of pages) {
    const page = await doc.getPage(number);
    await page.getOperatorList();
    for (const [font, first] of fonts) {
      if (first === number && page.commonObjs.has(font) && isBold(page.commonObjs.get(font))) bold.add(font);
    }
    page.cleanup();
  }
  return bold;
}

function isBold(font: unknown): boolean {
  if (typeof font !== 'object' || font === null) return false;
  const { bold, black, name } = font as { bold?: unknown; black?: unknown; name?: unknown };
  // pdf.js sets the flags only for fonts it substitutes; an embedded font says its weight in its PostScript name.
  return bold === true || black === true || (typeof name === 'string' && /bold|black|heavy/i.test(name));
}
