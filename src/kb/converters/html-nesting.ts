/**
 * How deep an HTML document's elements nest, measured in one linear pass before turndown's DOM parser
 * sees it. That parser (domino, following the HTML standard's tree builder) looks through the open
 * elements for each new one, so 100,000 nested elements in a 3 MB file take it minutes, and turndown
 * then recurses once per level. Hand-written: domino has no hook to stop it part-way, and no parser
 * among the dependencies counts depth without building the tree the same way.
 *
 * A plain count of start and end tags would be wrong both ways, so this follows the tree builder far
 * enough to count what the parser keeps open: end tags it ignores are ignored, elements it closes
 * implicitly (`<p>`, `<li>`, `<td>`, `<tr>`, `<option>`) are closed, and a formatting element (`<b>`,
 * `<a>`...) closed implicitly still counts, because the parser reopens it at the next text ("reconstructs
 * the active formatting elements", at most three alike). Where it is not exact it mostly counts more;
 * on tag soup it may count a few levels less, a gap that does not grow with the document
 * (test/kb/html-nesting.test.ts holds it against the parser). Real pages nest under 100 deep.
 */

export const MAX_HTML_DEPTH = 500;

const VOID = new Set(
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr'.split(' '),
);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
const FORMATTING = new Set('a b big code em font i nobr s small strike strong tt u'.split(' '));
const SPECIAL = new Set(
  `address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup dd
  details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header
  hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes noscript object
  ol p param plaintext pre script search section select source style summary table tbody td template textarea tfoot
  th thead title tr track ul wbr xmp`.split(/\s+/),
);
/** Elements that end "has an element in scope": an end tag does not reach past them. */
const SCOPE = new Set('applet caption html table td th marquee object template'.split(' '));
/** SVG and MathML elements whose content is HTML again; they bound scopes too. */
const INTEGRATION = new Set('foreignobject desc title mi mo mn ms mtext annotation-xml'.split(' '));
/** Elements that open a new run of formatting elements (a "marker"); closing them drops the run. */
const MARKER = new Set('applet caption marquee object template td th'.split(' '));
const CLOSES_P = new Set(
  `address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header hgroup
  main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form hr xmp plaintext li dd dt`.split(
    /\s+/,
  ),
);
const TABLE_PARTS = new Set('table tbody thead tfoot tr td th caption colgroup'.split(' '));
/** HTML start tags that end SVG or MathML content. */
const BREAKOUT = new Set(
  `b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta
  nobr ol p pre ruby s small span strong strike sub sup table tt u ul var`.split(/\s+/),
);

type Category = 'special' | 'scope' | 'button' | 'list' | 'liStop' | 'cell' | 'tableOrTemplate';

interface Run {
  /** Formatting elements closed implicitly, to be reopened: how many, and the list (which may hold stale ones). */
  lingering: number;
  waiting: Formatting[];
  dead: boolean;
  readonly byKey: Map<string, Formatting[]>;
  readonly byName: Map<string, Formatting[]>;
}

interface Formatting {
  readonly name: string;
  /** Its place in the list of formatting elements, the order they are reopened in. */
  readonly seq: number;
  readonly run: Run;
  readonly key: string;
  lingering: boolean;
  removed: boolean;
  /** Its place on the stack while open. */
  index: number;
}

interface Open {
  readonly name: string;
  readonly foreign: boolean;
  readonly categories: readonly Category[];
  readonly formatting?: Formatting;
  readonly marker: boolean;
}

class OpenElements {
  readonly stack: Open[] = [];
  readonly #byName = new Map<string, number[]>();
  readonly #byCategory = new Map<Category, number[]>();
  readonly #runs: Run[] = [newRun()];
  #lingering = 0;
  #foreign = 0;
  #seq = 0;

  get depth(): number {
    // <html> and <body>, which the parser always has.
    return 2 + this.stack.length + this.#lingering;
  }

  get inForeign(): boolean {
    return this.#foreign > 0;
  }

  get top(): Open | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** The current element is SVG or MathML (not one whose content is HTML): a new one is too. */
  get inForeignContent(): boolean {
    const top = this.top;
    return top?.foreign === true && !INTEGRATION.has(top.name);
  }

  last(name: string): number {
    return lastOf(this.#byName.get(name));
  }

  lastIn(category: Category): number {
    return lastOf(this.#byCategory.get(category));
  }

  push(name: string, foreign: boolean, attributes: string): void {
    const index = this.stack.length;
    const html = !foreign;
    const categories: Category[] = [];
    const special = html ? SPECIAL.has(name) : INTEGRATION.has(name);
    const scope = html ? SCOPE.has(name) : INTEGRATION.has(name);
    if (special) categories.push('special');
    if (special && !(html && (name === 'address' || name === 'div' || name === 'p'))) categories.push('liStop');
    if (scope) categories.push('scope', 'button', 'list');
    if (html && name === 'button') categories.push('button');
    if (html && (name === 'ol' || name === 'ul')) categories.push('list');
    if (html && (name === 'table' || name === 'template')) categories.push('tableOrTemplate');
    if (html && (name === 'td' || name === 'th')) categories.push('cell');
    for (const category of categories) listOf(this.#byCategory, category).push(index);
    listOf(this.#byName, name).push(index);
    const marker = html && MARKER.has(name);
    const formatting = html && FORMATTING.has(name) ? this.#listFormatting(name, attributes, index) : undefined;
    if (marker) this.#runs.push(newRun());
    if (foreign) this.#foreign++;
    this.stack.push({ name, foreign, categories, marker, ...(formatting ? { formatting } : {}) });
  }

  /** Pops the elements from `index` up. */
  popTo(index: number): void {
    while (this.stack.length > Math.max(0, index)) {
      const open = this.stack.pop()!;
      this.#byName.get(open.name)!.pop();
      for (const category of open.categories) this.#byCategory.get(category)!.pop();
      if (open.foreign) this.#foreign--;
      const formatting = open.formatting;
      if (formatting && !formatting.removed && !formatting.run.dead) {
        formatting.lingering = true;
        formatting.run.lingering++;
        formatting.run.waiting.push(formatting);
        this.#lingering++;
      }
      if (open.marker) {
        const run = this.#runs.pop()!;
        run.dead = true;
        this.#lingering -= run.lingering;
      }
    }
  }

  /** Text or an inline element reopens the formatting elements closed implicitly, inside the current element. */
  reconstruct(): void {
    const run = this.#runs[this.#runs.length - 1]!;
    if (run.waiting.length === 0) return;
    const waiting = run.waiting.filter((entry) => entry.lingering && !entry.removed).sort((a, b) => a.seq - b.seq);
    run.waiting = [];
    for (const entry of waiting) {
      entry.lingering = false;
      run.lingering--;
      this.#lingering--;
      entry.index = this.stack.length;
      listOf(this.#byName, entry.name).push(entry.index);
      this.stack.push({ name: entry.name, foreign: false, categories: [], marker: false, formatting: entry });
    }
  }

  /** An end tag of a formatting element (the "adoption agency" step, as far as depth goes). */
  endFormatting(name: string): boolean {
    const run = this.#runs[this.#runs.length - 1]!;
    const entries = run.byName.get(name);
    while (entries?.length && entries[entries.length - 1]!.removed) entries.pop();
    const entry = entries?.[entries.length - 1];
    if (!entry) return false;
    if (entry.lingering) {
      this.#remove(entry);
      return true;
    }
    // Past a block it reshapes the tree without opening more: leaving it open counts as much or more.
    if (this.lastIn('special') > entry.index) return true;
    this.#remove(entry);
    this.popTo(entry.index);
    return true;
  }

  #listFormatting(name: string, attributes: string, index: number): Formatting {
    const run = this.#runs[this.#runs.length - 1]!;
    const key = `${name} ${attributes.trim()}`;
    const alike = listOf(run.byKey, key).filter((entry) => !entry.removed);
    // Noah's Ark: the parser keeps at most three alike to reopen.
    if (alike.length >= 3) this.#remove(alike.shift()!);
    const entry: Formatting = { name, seq: this.#seq++, run, key, lingering: false, removed: false, index };
    alike.push(entry);
    run.byKey.set(key, alike);
    listOf(run.byName, name).push(entry);
    return entry;
  }

  #remove(entry: Formatting): void {
    entry.removed = true;
    if (!entry.lingering) return;
    entry.lingering = false;
    entry.run.lingering--;
    if (!entry.run.dead) this.#lingering--;
  }
}

function newRun(): Run {
  return { lingering: 0, waiting: [], dead: false, byKey: new Map(), byName: new Map() };
}

function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  const list = map.get(key) ?? [];
  map.set(key, list);
  return list;
}

function lastOf(list: readonly number[] | undefined): number {
  return list && list.length > 0 ? list[list.length - 1]! : -1;
}

interface Tag {
  readonly name: string;
  readonly end: boolean;
  readonly selfClosing: boolean;
  readonly attributes: string;
  /** Where the text after the tag starts; -1 when the document ends inside it. */
  readonly next: number;
}

const NAME_END = /[\t\n\f\r />]/g;
const SPACE = /[\t\n\f\r ]/;

/** The tag starting at `start` (a `<` followed by a letter, or `</` and a letter), read as the tokenizer does. */
function readTag(html: string, start: number, end: boolean): Tag {
  const nameStart = start + (end ? 2 : 1);
  NAME_END.lastIndex = nameStart;
  const nameEnd = NAME_END.exec(html)?.index ?? html.length;
  const name = html.slice(nameStart, nameEnd).toLowerCase();
  let i = nameEnd;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '>') return { name, end, selfClosing: false, attributes: html.slice(nameEnd, i), next: i + 1 };
    if (c === '/' && html[i + 1] === '>') {
      return { name, end, selfClosing: true, attributes: html.slice(nameEnd, i), next: i + 2 };
    }
    if (c === '/' || SPACE.test(c)) {
      i++;
      continue;
    }
    // An attribute: its name (a leading `=` belongs to it), then `=` and a value, quoted or not.
    i++;
    while (i < html.length && !/[\t\n\f\r />=]/.test(html[i]!)) i++;
    while (i < html.length && SPACE.test(html[i]!)) i++;
    if (html[i] !== '=') continue;
    i++;
    while (i < html.length && SPACE.test(html[i]!)) i++;
    const quote = html[i];
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1);
      if (close < 0) break;
      i = close + 1;
    } else {
      while (i < html.length && !/[\t\n\f\r >]/.test(html[i]!)) i++;
    }
  }
  return { name, end, selfClosing: false, attributes: '', next: -1 };
}

/** The nesting depth of `html`, counted up to just past `limit` (the scan stops there). */
export function htmlNestingDepth(html: string, limit = MAX_HTML_DEPTH): number {
  const lower = html.toLowerCase();
  const open = new OpenElements();
  let deepest = open.depth;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0 || lt + 1 >= html.length) break;
    if (lt > i && !open.inForeign) open.reconstruct();
    const next = html[lt + 1]!;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 2);
      if (close < 0) break;
      i = close + 3;
      continue;
    }
    const endTag = next === '/';
    const letter = /[a-z]/i.test(endTag ? (html[lt + 2] ?? '') : next);
    if (!letter) {
      // `<!doctype>`, `<?...>`, `</ >` are bogus comments up to the next `>`; a lone `<` is text.
      if (next === '!' || next === '?' || endTag) {
        const close = html.indexOf('>', lt);
        if (close < 0) break;
        i = close + 1;
      } else i = lt + 1;
      continue;
    }
    const tag = readTag(html, lt, endTag);
    if (tag.next < 0) break;
    i = tag.next;
    if (tag.end) {
      closeTag(open, tag.name);
      continue;
    }
    if (open.inForeignContent && BREAKOUT.has(tag.name)) {
      while (open.inForeignContent) open.popTo(open.stack.length - 1);
    }
    const foreign = open.inForeignContent || isForeignRoot(tag.name);
    if (foreign) {
      if (!tag.selfClosing) open.push(tag.name, true, '');
    } else {
      startTag(open, tag.name, tag.attributes);
      // Everything after <plaintext> is text.
      if (tag.name === 'plaintext') return Math.max(deepest, open.depth);
      if (RAW_TEXT.has(tag.name) && !open.inForeign) {
        // Its content is text up to its end tag (and the rest of the document without one).
        const close = findEndTag(lower, tag.name, i);
        if (close < 0) break;
        i = close;
      }
    }
    // An element closed as soon as opened (<img>, <g/>) is one level more while it lasts.
    const closed = tag.selfClosing || VOID.has(tag.name) ? 1 : 0;
    deepest = Math.max(deepest, open.depth + closed);
    if (deepest > limit) break;
  }
  return deepest;
}

function isForeignRoot(name: string): boolean {
  return name === 'svg' || name === 'math';
}

function findEndTag(lower: string, name: string, from: number): number {
  let at = lower.indexOf(`</${name}`, from);
  while (at >= 0 && !/[\t\n\f\r />]/.test(lower[at + 2 + name.length] ?? '')) {
    at = lower.indexOf(`</${name}`, at + 1);
  }
  return at;
}

function startTag(open: OpenElements, name: string, attributes: string): void {
  if (name === 'html' || name === 'body' || name === 'head') return;
  // A form inside a form is dropped.
  if (name === 'form' && open.last('form') > open.last('template')) return;
  if (name === 'a' || name === 'nobr') open.endFormatting(name);
  if (name === 'button' && open.last('button') > open.lastIn('scope')) open.popTo(open.last('button'));
  if (name === 'li') closeListItem(open, open.last('li'));
  if (name === 'dd' || name === 'dt') closeListItem(open, Math.max(open.last('dd'), open.last('dt')));
  if ((name === 'option' || name === 'optgroup') && open.top?.name === 'option') open.popTo(open.stack.length - 1);
  if (CLOSES_P.has(name)) closeP(open);
  if (/^h[1-6]$/.test(name) && /^h[1-6]$/.test(open.top?.name ?? '')) open.popTo(open.stack.length - 1);
  if (TABLE_PARTS.has(name) && name !== 'table') {
    // Outside a table (and a template) the parser drops a row or a cell.
    if (open.last('table') <= open.last('template') && open.last('template') < 0) return;
    startTablePart(open, name);
  } else if (!CLOSES_P.has(name) && name !== 'table') open.reconstruct();
  if (!VOID.has(name)) open.push(name, false, attributes);
}

function closeListItem(open: OpenElements, index: number): void {
  // The item itself is one of the elements that stop the search.
  if (index >= 0 && index >= open.lastIn('liStop')) open.popTo(index);
}

function closeP(open: OpenElements): void {
  const p = open.last('p');
  if (p >= 0 && p > open.lastIn('button')) open.popTo(p);
}

/** A row, cell or section closes the open ones of its table and opens the ones it implies. */
function startTablePart(open: OpenElements, name: string): void {
  const table = open.lastIn('tableOrTemplate');
  const cell = open.lastIn('cell');
  if (name !== 'td' && name !== 'th' && name !== 'tr') {
    if (open.last('table') > open.last('template')) open.popTo(open.last('table') + 1);
    return;
  }
  if (cell > table) open.popTo(cell);
  if (name === 'tr' && open.last('tr') > table) open.popTo(open.last('tr'));
  if (open.top?.name === 'table') open.push('tbody', false, '');
  if (name !== 'tr' && /^t(body|head|foot)$/.test(open.top?.name ?? '')) open.push('tr', false, '');
}

function closeTag(open: OpenElements, name: string): void {
  if (name === 'html' || name === 'body' || name === 'head') return;
  if (FORMATTING.has(name) && open.endFormatting(name)) return;
  const index = open.last(name);
  if (index < 0) return;
  let reachable: boolean;
  if (name === 'p') reachable = index > open.lastIn('button');
  else if (name === 'li') reachable = index > open.lastIn('list');
  else if (name === 'table') reachable = index > open.last('template');
  else if (TABLE_PARTS.has(name)) reachable = index > open.lastIn('tableOrTemplate');
  else if (SPECIAL.has(name)) reachable = index >= open.lastIn('scope');
  else reachable = index > open.lastIn('special');
  if (reachable) open.popTo(index);
}
