// Markdown to safe DOM: marked renders, DOMPurify removes every script, event
// handler, javascript: URL and form element, and citations such as
// `hr/leave-policy.md:12-30` become links that open the cited lines.
import DOMPurify, { type Config } from 'dompurify';
import { Marked } from 'marked';

export interface Citation {
  path: string;
  startLine: number;
  endLine: number;
}

const markdown = new Marked({ gfm: true, breaks: true, async: false });

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** For the lines of a source file: raw HTML in the document is shown as written, never rendered. */
const lineMarkdown = new Marked({
  gfm: true,
  async: false,
  renderer: { html: ({ text }) => escapeHtml(text) },
});

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const SANITIZE_OPTIONS: Config & { RETURN_DOM_FRAGMENT: true } = {
  // Answers are Markdown: HTML elements only, no SVG or MathML (and their parser quirks).
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'srcset', 'formaction'],
  RETURN_DOM_FRAGMENT: true,
};

/**
 * `path/with/dirs/name.ext:12-30` or `name.ext:12` (letters of any script, so
 * Chinese file names work). Not preceded by a path character, so the host of
 * a URL like `example.com:8080` inside a word is not taken.
 */
const CITATION_PATTERN =
  /(?<![\p{L}\p{N}_\-./])((?:[\p{L}\p{N}_\-.]+\/)*[\p{L}\p{N}_\-.]+\.[A-Za-z][A-Za-z0-9]{0,7}):(\d{1,7})(?:\s?[-–~]\s?(\d{1,7}))?/gu;

/** The knowledge-base relative path a citation names. */
export function normalizeCitationPath(path: string): string {
  return path.replace(/^\.?\//, '').replace(/^knowledge_base\//, '');
}

export function parseCitations(text: string): Citation[] {
  const found: Citation[] = [];
  for (const match of text.matchAll(CITATION_PATTERN)) {
    const startLine = Number(match[2]);
    const endLine = match[3] ? Number(match[3]) : startLine;
    found.push({ path: normalizeCitationPath(match[1]), startLine, endLine: Math.max(startLine, endLine) });
  }
  return found;
}

function citationLink(doc: Document, text: string, citation: Citation): HTMLAnchorElement {
  const link = doc.createElement('a');
  link.className = 'citation';
  link.href = '#';
  link.textContent = text;
  link.dataset.path = citation.path;
  link.dataset.start = String(citation.startLine);
  link.dataset.end = String(citation.endLine);
  return link;
}

function linkifyTextNode(node: Text): void {
  const text = node.data;
  if (text.search(CITATION_PATTERN) === -1) return;
  const doc = node.ownerDocument;
  const parts = doc.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(CITATION_PATTERN)) {
    const index = match.index ?? 0;
    if (index > last) parts.append(text.slice(last, index));
    const [citation] = parseCitations(match[0]);
    parts.append(citation ? citationLink(doc, match[0], citation) : match[0]);
    last = index + match[0].length;
  }
  if (last < text.length) parts.append(text.slice(last));
  node.replaceWith(parts);
}

function linkifyCitations(root: DocumentFragment): void {
  // An ordinary link whose text is a citation opens the source instead.
  for (const anchor of Array.from(root.querySelectorAll('a'))) {
    const [citation] = parseCitations(anchor.textContent ?? '');
    if (citation && !anchor.classList.contains('citation')) {
      anchor.replaceWith(citationLink(anchor.ownerDocument, anchor.textContent ?? '', citation));
    }
  }
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const parent = node.parentElement;
      if (parent?.closest('pre, a')) return NodeFilter.FILTER_REJECT;
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const textNodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) textNodes.push(node as Text);
  for (const node of textNodes) linkifyTextNode(node);
}

/** Renders untrusted Markdown to a fragment that is safe to insert into the page. */
export function renderMarkdown(source: string): DocumentFragment {
  const html = markdown.parse(source) as string;
  const fragment = purifier.sanitize(html, SANITIZE_OPTIONS);
  linkifyCitations(fragment);
  return fragment;
}

/**
 * One line of a Markdown file, rendered inline (emphasis, code, links; a
 * heading line as a bold heading) so the source pane reads like the document
 * while keeping one row per line number. Block syntax that spans lines
 * (tables, fences) stays as written.
 */
export function renderMarkdownLine(line: string): DocumentFragment {
  const heading = /^(#{1,6})\s+(.*)$/.exec(line);
  const inline = (text: string) => lineMarkdown.parseInline(text) as string;
  const html = heading
    ? `<strong class="md-heading md-h${heading[1]!.length}">${inline(heading[2]!)}</strong>`
    : inline(line);
  return purifier.sanitize(html, SANITIZE_OPTIONS);
}

/** The citation a click landed on, if any. */
export function citationFromEvent(event: Event): Citation | null {
  const target = event.target;
  if (!(target instanceof Element)) return null;
  const link = target.closest<HTMLAnchorElement>('a.citation');
  if (!link?.dataset.path) return null;
  return {
    path: link.dataset.path,
    startLine: Number(link.dataset.start) || 1,
    endLine: Number(link.dataset.end) || Number(link.dataset.start) || 1,
  };
}
