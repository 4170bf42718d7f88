/**
 * Which files can be added, without loading any converter: the server's
 * thread imports this, while the converter libraries (the PDF one replaces
 * JSON.parse with a polyfill) load only in the conversion thread.
 */
export const SUPPORTED_EXTENSIONS = [
  '.md',
  '.markdown',
  '.txt',
  '.docx',
  '.pdf',
  '.pptx',
  '.html',
  '.htm',
  '.xlsx',
  '.csv',
] as const;

export function isDataExtension(ext: string): boolean {
  return ext === '.xlsx' || ext === '.csv';
}
