/**
 * The admin client's upload message (docs/compatibility.md): a bracketed marker line, then one
 * `- <name> (<label>: <ref>)` line per file, then the admin's words. The original client writes it in
 * its user's language: `[UPLOADED_FILES]` / `path` in its first version, `[Uploaded Files]` / `Path`
 * and `[已上传文件]` / `路径` in its translated one.
 */

export interface UploadLine {
  readonly name: string;
  readonly reference: string;
}

/** A marker line: brackets around words that say "uploaded files", in either language. */
const MARKER = /^\s*\[\s*(?:uploaded[ _]files|已上传(?:的)?文件|上传(?:的)?文件)\s*\]\s*$/im;
/** `- name (path: ref)`, the label in either language. */
const FILE_LINE =
  /^\s*[-*•]\s*(.+?)\s*[(（]\s*(?:file[ _]?)?(?:path|路径|文件路径)\s*[:：]\s*([^()（）]+?)\s*[)）]\s*$/i;
const MAX_FILES = 100;

export function isUploadMessage(message: string): boolean {
  return MARKER.test(message);
}

export function parseUploadMessage(message: string): UploadLine[] {
  const out: UploadLine[] = [];
  for (const line of message.split(/\r?\n/)) {
    const match = FILE_LINE.exec(line);
    if (!match) continue;
    out.push({ name: match[1]!.trim(), reference: match[2]!.trim() });
    if (out.length >= MAX_FILES) break;
  }
  return out;
}

/** The admin's own words: the message without its marker and file lines (for the reply's language). */
export function wordsOfUploadMessage(message: string): string {
  return message
    .split(/\r?\n/)
    .filter((line) => !MARKER.test(line) && !FILE_LINE.test(line))
    .join('\n')
    .trim();
}
