// pdfkit ships no types; the little the browser tests use of it.
declare module 'pdfkit' {
  import type { Readable } from 'node:stream';

  interface PDFDocumentOptions {
    size?: string;
    margin?: number;
    info?: Record<string, string>;
  }

  export default class PDFDocument extends Readable {
    constructor(options?: PDFDocumentOptions);
    fontSize(size: number): this;
    text(text: string, options?: Record<string, unknown>): this;
    moveDown(lines?: number): this;
    end(): void;
  }
}
