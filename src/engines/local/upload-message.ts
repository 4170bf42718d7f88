/** The admin client's upload message (docs/compatibility.md): `[UPLOADED_FILES]` then `- <name> (path: <ref>)` lines. */

export interface UploadLine {
  readonly name: string;
  readonly reference: string;
}

export const UPLOAD_MARKER = '[UPLOADED_FILES]';
const MAX_FILES = 100;

export function isUploadMessage(message: string): boolean {
  return message.includes(UPLOAD_MARKER);
}

export function parseUploadMessage(message: string): UploadLine[] {
  const out: UploadLine[] = [];
  for (const line of message.split(/\r?\n/)) {
    const match = /^\s*[-*]\s*(.+?)\s*\(\s*path\s*[:：]\s*([^()]+?)\s*\)\s*$/i.exec(line);
    if (!match) continue;
    out.push({ name: match[1]!.trim(), reference: match[2]!.trim() });
    if (out.length >= MAX_FILES) break;
  }
  return out;
}
