/**
 * Where the CLI's conversations live, shared by every worker.
 *
 * Each worker has its own CLAUDE_CONFIG_DIR (concurrent CLIs corrupt a shared
 * `.claude.json`), but its `projects/` folder is a symlink to one shared
 * folder, so a transcript written by one worker is resumable by any other.
 * The pool never runs two turns of one session at once, so one file never
 * has two writers.
 *
 * Docent chooses session ids before the first token, but a pre-started spare
 * was started under an id of its own. The alias map records which CLI session
 * holds a Docent session's conversation (one small file per alias, written
 * atomically), so a later resume finds it.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How much of a transcript `readable` looks at. */
const READABLE_WINDOW_BYTES = 64 * 1024;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export class TranscriptStore {
  readonly #projectsDir: string;
  readonly #aliasDir: string;
  readonly #workersDir: string;

  constructor(claudeDir: string) {
    this.#projectsDir = path.join(claudeDir, 'projects');
    this.#aliasDir = path.join(claudeDir, 'session-aliases');
    this.#workersDir = path.join(claudeDir, 'workers');
    for (const dir of [this.#projectsDir, this.#aliasDir, this.#workersDir]) mkdirSync(dir, { recursive: true });
  }

  /** Creates (or reuses) a worker's config dir, its `projects/` linked to the shared one. */
  workerConfigDir(workerId: string): string {
    const dir = path.join(this.#workersDir, workerId);
    mkdirSync(dir, { recursive: true });
    const link = path.join(dir, 'projects');
    if (!existsSync(link)) symlinkSync(this.#projectsDir, link, 'dir');
    return dir;
  }

  /** Names of the worker config dirs on disk. */
  workerDirs(): string[] {
    return readdirSync(this.#workersDir);
  }

  /** True when a transcript for this CLI session id exists (in any project folder). */
  exists(cliSessionId: string): boolean {
    return this.#fileOf(cliSessionId) !== undefined;
  }

  /**
   * True when the transcript exists and starts like one (its first line a JSON
   * object). A first line longer than the window read is given the benefit of
   * the doubt: the CLI's own check (resume-probe.ts) has the last word.
   */
  readable(cliSessionId: string): boolean {
    const file = this.#fileOf(cliSessionId);
    if (!file) return false;
    let head: string;
    try {
      const fd = openSync(file, 'r');
      try {
        const buffer = Buffer.alloc(READABLE_WINDOW_BYTES);
        head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return false;
    }
    const end = head.indexOf('\n');
    if (end < 0) return head.length === READABLE_WINDOW_BYTES;
    try {
      const first: unknown = JSON.parse(head.slice(0, end));
      return first !== null && typeof first === 'object' && !Array.isArray(first);
    } catch {
      return false;
    }
  }

  #fileOf(cliSessionId: string): string | undefined {
    if (!isUuid(cliSessionId)) return undefined;
    for (const project of readdirSync(this.#projectsDir)) {
      const file = path.join(this.#projectsDir, project, `${cliSessionId}.jsonl`);
      if (existsSync(file)) return file;
    }
    return undefined;
  }

  /** The CLI session holding a Docent session, when it differs from the Docent id. */
  resolve(sessionId: string): string | undefined {
    try {
      const text = readFileSync(this.#aliasFile(sessionId), 'utf8').trim();
      return isUuid(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** The CLI id to resume for a Docent session: its alias, else the id itself. */
  cliIdFor(sessionId: string): string {
    return this.resolve(sessionId) ?? sessionId;
  }

  /** Records that a Docent session's conversation lives under `cliSessionId`. */
  bind(sessionId: string, cliSessionId: string): void {
    const file = this.#aliasFile(sessionId);
    if (sessionId === cliSessionId) {
      rmSync(file, { force: true });
      return;
    }
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temp, cliSessionId);
    renameSync(temp, file);
  }

  /**
   * A CLI id for a new conversation of this Docent session: the Docent id
   * itself when the CLI accepts it and nothing uses it yet, else a fresh one.
   */
  newCliIdFor(sessionId: string): string {
    return isUuid(sessionId) && !this.exists(sessionId) ? sessionId : randomUUID();
  }

  #aliasFile(sessionId: string): string {
    // Session ids come from callers: hash them into safe file names.
    return path.join(this.#aliasDir, createHash('sha256').update(sessionId).digest('hex').slice(0, 40));
  }
}
