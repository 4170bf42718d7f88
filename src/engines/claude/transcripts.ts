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
 * was started under an id of its own. A small state file per Docent session
 * (written atomically) records which CLI session holds its conversation, so a
 * later resume finds it, and which turn is open: the prompt id of a turn that
 * started and has not ended well.
 *
 * Why the open turn: the conversation the model sees is the turns that were
 * answered (or interrupted by the user, which the CLI marks once). A turn that
 * failed (an API error, a dead CLI, a dead Docent) is still in the CLI's
 * transcript and memory, and the next prompt would be glued onto it. So a
 * failed turn's prompt id stays recorded, and the next process resumes at the
 * entry just before that prompt (`resumePoint`), leaving the failed turn out.
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
    const cli = this.#state(sessionId)?.cli;
    return cli !== undefined && cli !== sessionId ? cli : undefined;
  }

  /** The CLI id to resume for a Docent session: its alias, else the id itself. */
  cliIdFor(sessionId: string): string {
    return this.#state(sessionId)?.cli ?? sessionId;
  }

  /** Records that a Docent session's conversation lives under `cliSessionId` (a new conversation: no open turn). */
  bind(sessionId: string, cliSessionId: string): void {
    this.#write(sessionId, { cli: cliSessionId });
  }

  /** A turn with this prompt id is about to be sent. */
  openTurn(sessionId: string, promptId: string): void {
    this.#write(sessionId, { cli: this.cliIdFor(sessionId), open: promptId });
  }

  /** The open turn ended in a way that keeps it in the conversation (answered, or interrupted by the user). */
  keepTurn(sessionId: string): void {
    const state = this.#state(sessionId);
    if (state?.open !== undefined) this.#write(sessionId, { cli: state.cli });
  }

  /**
   * Where a process for this session should resume: the CLI id, and when a
   * failed turn must be left out, `at` (the entry before its prompt, for the
   * SDK's `resumeSessionAt`). `at: null`: the failed turn was the first, so
   * nothing of the conversation is kept.
   */
  resumePoint(sessionId: string): { cli: string; at?: string | null } {
    const state = this.#state(sessionId);
    const cli = state?.cli ?? sessionId;
    if (state?.open === undefined) return { cli };
    const parent = this.#parentOf(cli, state.open);
    // The failed prompt never reached the transcript: nothing to leave out.
    if (parent === undefined) return { cli };
    return { cli, at: parent };
  }

  /** The `parentUuid` of the transcript entry with this uuid: a string, null for the first entry, undefined when it is not there. */
  #parentOf(cliSessionId: string, entryUuid: string): string | null | undefined {
    const file = this.#fileOf(cliSessionId);
    if (!file || !isUuid(entryUuid)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    // The failed prompt is near the end: search from there.
    const at = text.lastIndexOf(`"uuid":"${entryUuid}"`);
    if (at < 0) return undefined;
    const end = text.indexOf('\n', at);
    try {
      const entry = JSON.parse(text.slice(text.lastIndexOf('\n', at) + 1, end < 0 ? undefined : end)) as {
        uuid?: unknown;
        parentUuid?: unknown;
      };
      if (entry.uuid !== entryUuid) return undefined;
      return typeof entry.parentUuid === 'string' ? entry.parentUuid : null;
    } catch {
      // A torn last line (the CLI died writing it): the entry is not there.
      return undefined;
    }
  }

  #state(sessionId: string): { cli: string; open?: string } | undefined {
    let text: string;
    try {
      text = readFileSync(this.#aliasFile(sessionId), 'utf8').trim();
    } catch {
      return undefined;
    }
    // Files written before open turns were recorded hold the bare CLI id.
    if (isUuid(text)) return { cli: text };
    try {
      const parsed = JSON.parse(text) as { cli?: unknown; open?: unknown };
      if (typeof parsed.cli !== 'string' || !isUuid(parsed.cli)) return undefined;
      return typeof parsed.open === 'string' ? { cli: parsed.cli, open: parsed.open } : { cli: parsed.cli };
    } catch {
      return undefined;
    }
  }

  #write(sessionId: string, state: { cli: string; open?: string }): void {
    const file = this.#aliasFile(sessionId);
    if (state.cli === sessionId && state.open === undefined) {
      rmSync(file, { force: true });
      return;
    }
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
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
