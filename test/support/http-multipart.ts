/** Builds multipart/form-data bodies by hand, so tests control every byte (names, sizes, fields). */
import { randomBytes } from 'node:crypto';

export interface Part {
  readonly field: string;
  /** A file part when set; a plain field otherwise. */
  readonly filename?: string;
  readonly contentType?: string;
  readonly content: string | Buffer;
}

export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----docent${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.field}"`
        : `form-data; name="${part.field}"; filename="${part.filename}"`;
    const head = [`--${boundary}`, `Content-Disposition: ${disposition}`];
    if (part.filename !== undefined) head.push(`Content-Type: ${part.contentType ?? 'application/octet-stream'}`);
    chunks.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export function fileParts(count: number, size = 10, field = 'files'): Part[] {
  return Array.from({ length: count }, (_, i) => ({
    field,
    filename: `doc-${i + 1}.md`,
    contentType: 'text/markdown',
    content: Buffer.alloc(size, 'a'),
  }));
}
