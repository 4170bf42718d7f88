/**
 * Acronyms a document defines ("Chief Financial Officer (CFO)", "首席财务官（CFO）"), as lexicon groups,
 * so a question naming either form meets sections that use the other. Hand-written: a long form is
 * accepted only where the initials of its last words spell the acronym (hyphen parts count: "multi-factor
 * authentication (MFA)"); a Chinese long form is the run of characters right before the brackets.
 */

const ENGLISH_DEFINITION = /((?:[A-Za-z][A-Za-z-]*\s+){0,7}[A-Za-z][A-Za-z-]*)\s*\(([A-Z][A-Za-z]{1,7})\)/g;
const CHINESE_DEFINITION = /([\u4e00-\u9fff]{2,})\s*[（(]([A-Z][A-Za-z]{1,7})[）)]/g;
/** Words a long form may hold without an initial of their own ("Department of Health"). */
const LINKING = new Set(['of', 'and', 'for', 'the', 'to', 'in', 'on', '&']);
/** Characters that end the word before a Chinese long form (由首席财务官 → 首席财务官). */
const CHINESE_BREAK = /^.*[的由经和与及或向给对在为是请须需应将把被并以]/;
const MAX_CHINESE_CHARS = 10;
const MAX_GROUPS_PER_FILE = 200;

/** Lexicon groups ("cfo chief-financial-officer 首席财务官") of the acronyms a text defines. */
export function acronymGroups(text: string): string[] {
  const groups = new Map<string, Set<string>>();
  const add = (acronym: string, longForm: string) => {
    const key = acronym.toLowerCase();
    const set = groups.get(key) ?? new Set<string>();
    set.add(longForm);
    groups.set(key, set);
  };
  for (const m of text.matchAll(ENGLISH_DEFINITION)) {
    const longForm = englishLongForm(m[1]!.split(/\s+/), m[2]!);
    if (longForm) add(m[2]!, longForm);
    if (groups.size >= MAX_GROUPS_PER_FILE) break;
  }
  for (const m of text.matchAll(CHINESE_DEFINITION)) {
    const run = m[1]!.replace(CHINESE_BREAK, '').slice(-MAX_CHINESE_CHARS);
    if (run.length >= 2) add(m[2]!, run);
    if (groups.size >= MAX_GROUPS_PER_FILE) break;
  }
  return [...groups].map(([acronym, forms]) => [acronym, ...forms].join(' '));
}

/** The shortest run of last words whose initials spell the acronym, hyphen-joined ("chief-financial-officer"). */
function englishLongForm(words: readonly string[], acronym: string): string | undefined {
  const letters = acronym.toLowerCase().replace(/s$/, '');
  for (let start = words.length - 1; start >= 0; start--) {
    const run = words.slice(start);
    if (LINKING.has(run[0]!.toLowerCase())) continue;
    const initials = run
      .filter((w) => !LINKING.has(w.toLowerCase()))
      .flatMap((w) => w.split('-').filter(Boolean))
      .map((w) => w[0]!.toLowerCase())
      .join('');
    if (initials === letters) return run.map((w) => w.toLowerCase()).join('-');
    if (initials.length > letters.length) return undefined;
  }
  return undefined;
}
