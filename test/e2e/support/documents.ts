// Test documents built on the fly: a Word file with the docx package and a
// PDF with pdfkit, each holding a fact no sample document has, so an answer
// can only come from the uploaded file.
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';

export interface TestDocument {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export async function makeDocx(name: string, title: string, paragraphs: string[]): Promise<TestDocument> {
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: title, heading: HeadingLevel.HEADING_1 }),
          ...paragraphs.map((text) => new Paragraph({ children: [new TextRun(text)] })),
        ],
      },
    ],
  });
  return {
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    buffer: await Packer.toBuffer(document),
  };
}

export function makePdf(name: string, title: string, paragraphs: string[]): Promise<TestDocument> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title } });
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve({ name, mimeType: 'application/pdf', buffer: Buffer.concat(chunks) }));
    pdf.on('error', reject);
    pdf.fontSize(18).text(title).moveDown();
    for (const paragraph of paragraphs) pdf.fontSize(11).text(paragraph).moveDown(0.5);
    pdf.end();
  });
}

export function makeText(name: string, text: string, mimeType = 'text/markdown'): TestDocument {
  return { name, mimeType, buffer: Buffer.from(text, 'utf8') };
}
