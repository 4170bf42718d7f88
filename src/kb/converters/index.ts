/** Picks the converter for a file by its extension and applies the size limits. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KbError } from '../types.ts';
import { convertCsv, convertXlsx } from './data.ts';
import { SUPPORTED_EXTENSIONS } from './extensions.ts';
import { htmlToMarkdown } from './html.ts';
import { type ConvertLimits, checkConvertedSize, convertFailed } from './limits.ts';
import { convertDocx, convertPptx } from './office.ts';
import { convertPdf } from './pdf.ts';
import type { Converted } from './types.ts';

/** Converts the file at `sourcePath` (named `name` by the user) to Markdown. Throws KbError with the reason. */
export async function convertToMarkdown(
  sourcePath: string,
  name: string,
  stem: string,
  limits: ConvertLimits,
): Promise<Converted> {
  const ext = path.extname(name).toLowerCase();
  if (!(SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new KbError(
      'KB_UNSUPPORTED_TYPE',
      `${name}: unsupported file type "${ext || '(none)'}" (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`,
    );
  }
  const info = await stat(sourcePath).catch(() => undefined);
  if (!info?.isFile()) throw new KbError('KB_NOT_FOUND', `${name}: the uploaded file is missing`);
  if (info.size > limits.maxSourceBytes) {
    throw new KbError('KB_TOO_LARGE', `${name} is ${info.size} bytes; the limit is ${limits.maxSourceBytes}`);
  }
  if (info.size === 0) throw convertFailed(name, 'the file is empty');
  const bytes = await readFile(sourcePath);
  const title = stem.replace(/[_-]+/g, ' ').trim() || name;
  let converted: Converted;
  switch (ext) {
    case '.md':
    case '.markdown':
    case '.txt':
      converted = { markdown: textOf(bytes, name), images: [] };
      break;
    case '.html':
    case '.htm':
      converted = { markdown: htmlToMarkdown(textOf(bytes, name), name), images: [] };
      break;
    case '.docx':
      converted = await convertDocx(bytes, name, stem, limits);
      break;
    case '.pptx':
      converted = await convertPptx(bytes, name, limits);
      break;
    case '.pdf':
      converted = await convertPdf(bytes, name, title);
      break;
    case '.xlsx':
      converted = await convertXlsx(bytes, name, title, limits);
      break;
    default:
      // A data file is kept as is: a binary one (a zip or an image renamed) must not pass as text.
      refuseBinary(bytes, name);
      converted = convertCsv(bytes, name, title);
  }
  if (!converted.markdown.trim()) throw convertFailed(name, 'no text could be extracted');
  checkConvertedSize(converted.markdown, limits, name);
  return { ...converted, markdown: ensureTitle(converted.markdown, title) };
}

/** A NUL in the first 8000 bytes is binary, as git and grep judge it. */
function refuseBinary(bytes: Buffer, name: string): void {
  if (bytes.subarray(0, 8000).includes(0)) throw convertFailed(name, 'binary content in a text file');
}

function textOf(bytes: Buffer, name: string): string {
  refuseBinary(bytes, name);
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

function ensureTitle(markdown: string, title: string): string {
  return /^\s*#\s+\S/.test(markdown) ? markdown : `# ${title}\n\n${markdown.trim()}\n`;
}
