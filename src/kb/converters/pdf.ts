/** .pdf text with pdf-parse v2 (pdf.js). Encrypted files are refused with a clear reason. */
import { PDFParse } from 'pdf-parse';
import { convertFailed } from './limits.ts';
import type { Converted } from './types.ts';

const MAX_PAGES = 2000;

export async function convertPdf(bytes: Buffer, name: string, title: string): Promise<Converted> {
  if (!bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) throw convertFailed(name, 'not a PDF file');
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText({ first: MAX_PAGES });
    const pages = result.pages.map((p) => tidy(p.text)).filter(Boolean);
    if (pages.length === 0) throw convertFailed(name, 'no text found (a scanned PDF needs OCR first)');
    const body = pages.map((text, i) => (pages.length > 1 ? `## Page ${i + 1}\n\n${text}` : text)).join('\n\n');
    return { markdown: `# ${title}\n\n${body}\n`, images: [] };
  } catch (error) {
    if (error instanceof Error && /password/i.test(`${error.name} ${error.message}`)) {
      throw convertFailed(name, 'the PDF is encrypted (password protected)');
    }
    if (error instanceof Error && error.name === 'KbError') throw error;
    throw convertFailed(name, `the PDF is damaged (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

/** Joins hard-wrapped lines into paragraphs; keeps list-like lines. */
function tidy(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((para) =>
      para
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .reduce((acc, line) => {
          if (!acc) return line;
          if (/^([-•*]|\d+[.)])\s/.test(line)) return `${acc}\n${line.replace(/^•\s*/, '- ')}`;
          if (/[.!?:;。！？：；]$/.test(acc)) return `${acc}\n${line}`;
          return /[\u4e00-\u9fff]$/.test(acc) ? `${acc}${line}` : `${acc} ${line}`;
        }, ''),
    )
    .filter(Boolean)
    .join('\n\n')
    .trim();
}
