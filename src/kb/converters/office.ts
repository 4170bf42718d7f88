/** .docx (mammoth → HTML → turndown, images kept) and .pptx (jszip + fast-xml-parser: slide text and notes). */
import { XMLParser } from 'fast-xml-parser';
import type JSZip from 'jszip';
import mammoth from 'mammoth';
import { htmlToMarkdown } from './html.ts';
import { type ConvertLimits, convertFailed, openArchive } from './limits.ts';
import type { Converted, ConvertedImage } from './types.ts';

const MAX_IMAGES = 200;

export async function convertDocx(
  bytes: Buffer,
  name: string,
  stem: string,
  limits: ConvertLimits,
): Promise<Converted> {
  const zip = await openArchive(bytes, name, limits, 'Office');
  if (!zip.file('word/document.xml')) throw convertFailed(name, 'not a Word document (no word/document.xml)');
  const images: ConvertedImage[] = [];
  const result = await mammoth.convertToHtml(
    { buffer: bytes },
    {
      convertImage: mammoth.images.imgElement(async (image) => {
        if (images.length >= MAX_IMAGES) return { src: '' };
        const ext = (image.contentType.split('/')[1] ?? 'bin').replace('jpeg', 'jpg').replace(/[^a-z0-9]/g, '');
        const file = `image${images.length + 1}.${ext}`;
        images.push({ name: file, data: await image.readAsBuffer() });
        return { src: `${encodeURI(stem)}_images/${file}` };
      }),
    },
  );
  return { markdown: htmlToMarkdown(result.value, name), images };
}

// Text as written: a run's leading or trailing space joins it to the next, and "007" or "true" is text, not a value.
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  trimValues: false,
  parseTagValue: false,
});

export async function convertPptx(bytes: Buffer, name: string, limits: ConvertLimits): Promise<Converted> {
  const zip = await openArchive(bytes, name, limits, 'Office');
  const slides = Object.keys(zip.files)
    .map((p) => /^ppt\/slides\/slide(\d+)\.xml$/.exec(p))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: m[0], number: Number(m[1]) }))
    .sort((a, b) => a.number - b.number);
  if (slides.length === 0) throw convertFailed(name, 'no slides found (not a PowerPoint file?)');
  const out: string[] = [];
  for (const slide of slides) {
    const paragraphs = paragraphsOf(xml.parse(await zip.file(slide.path)!.async('string')));
    const [title = `Slide ${slide.number}`, ...rest] = paragraphs;
    out.push(`## Slide ${slide.number}: ${title}`, '');
    for (const p of rest) out.push(`- ${p}`);
    const notes = await notesOf(zip, slide.number);
    if (notes.length > 0) out.push('', '**Notes:**', '', ...notes.map((n) => `> ${n}`));
    out.push('');
  }
  return { markdown: out.join('\n'), images: [] };
}

async function notesOf(zip: JSZip, slideNumber: number): Promise<string[]> {
  const rels = zip.file(`ppt/slides/_rels/slide${slideNumber}.xml.rels`);
  if (!rels) return [];
  const target = /Target="\.\.\/notesSlides\/(notesSlide\d+\.xml)"/.exec(await rels.async('string'))?.[1];
  const notes = target ? zip.file(`ppt/notesSlides/${target}`) : null;
  if (!notes) return [];
  // Notes pages also hold the slide number placeholder: drop bare numbers.
  return paragraphsOf(xml.parse(await notes.async('string'))).filter((p) => !/^\d+$/.test(p));
}

/** Text of every `a:p` paragraph (its `a:t` runs joined), in document order as far as the parser keeps it. */
function paragraphsOf(node: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
      return;
    }
    if (key === 'a:p') {
      const text = runsOf(value).join('').trim();
      if (text) out.push(text);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!k.startsWith('@')) walk(v, k);
    }
  };
  walk(node, '');
  return out;
}

function runsOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(runsOf);
  if (typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k === 'a:t') {
      for (const t of [v].flat()) {
        if (typeof t === 'string' || typeof t === 'number') out.push(String(t));
        else if (t && typeof t === 'object' && '#text' in t) out.push(String((t as { '#text': unknown })['#text']));
      }
    } else if (!k.startsWith('@')) out.push(...runsOf(v));
  }
  return out;
}
