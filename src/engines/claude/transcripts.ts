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
 *
 * A conversation that begins again under the same Docent id (its transcript
 * could not be resumed, or its only turn failed) drops the transcript it
 * replaces at once; `forget` deletes all of a session's files, and the state
 * file names its Docent session so that a sweep can tell whose it is
 * (orphan-sweep.ts).
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
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredFiles } from '../types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How much of a transcript `readable` looks at. */
const READABLE_WINDOW_BYTES = 64 * 1024;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** What a state file says: the CLI session holding the conversation, the open turn, and (since it is recorded) whose it is. */
export interface SessionState {
  readonly cli: string;
  readonly open?: string;
  /** The Docent session id; absent in files written before it was recorded. */
  readonly session?: string;
}

/** A state file on disk, for sweeps. */
export interface StateFile {
  readonly path: string;
  /** Undefined when the file cannot be read as a state. */
  readonly state: SessionState | undefined;
  readonly modifiedAt: number;
}

/** One CLI conversation on disk (its transcript, and the folder the CLI may keep beside it) in one project folder. */
export interface TranscriptFiles {
  readonly cli: string;
  /** The latest modification of either (epoch ms). */
  readonly modifiedAt: number;
}

const NOTHING: StoredFiles = Object.freeze({ files: 0, bytes: 0 });

function add(a: StoredFiles, b: StoredFiles): StoredFiles {
  return { files: a.files + b.files, bytes: a.bytes + b.bytes };
}

function parseState(text: string): SessionState | undefined {
  const trimmed = text.trim();
  // Files written before open turns were recorded hold the bare CLI id.
  if (isUuid(trimmed)) return { cli: trimmed };
  try {
    const parsed = JSON.parse(trimmed) as { cli?: unknown; open?: unknown; session?: unknown };
    if (typeof parsed.cli !== 'string' || !isUuid(parsed.cli)) return undefined;
    return {
      cli: parsed.cli,
      ...(typeof parsed.open === 'string' ? { open: parsed.open } : {}),
      ...(typeof parsed.session === 'string' ? { session: parsed.session } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Files and bytes under a path (a file or a folder, symlinks not followed); nothing when it is gone. */
async function sizeOf(target: string): Promise<StoredFiles> {
  let stat: Awaited<ReturnType<typeof lstat>>;
  try {
    stat = await lstat(target);
  } catch {
    return NOTHING;
  }
  if (!stat.isDirectory()) return { files: 1, bytes: stat.size };
  let total = NOTHING;
  for (const entry of await readdir(target).catch(() => [])) total = add(total, await sizeOf(path.join(target, entry)));
  return total;
}

/** Removes a file or folder; what it held, or nothing when it was already gone. */
async function removeCounted(target: string): Promise<StoredFiles> {
  const size = await sizeOf(target);
  if (size.files === 0) return NOTHING;
  await rm(target, { recursive: true, force: true });
  return size;
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

  /** Where a CLI conversation may be on disk: its transcript and a folder of the same name, in each project folder. */
  #pathsOf(cliSessionId: string, projects: readonly string[]): string[] {
    if (!isUuid(cliSessionId)) return [];
    return projects.flatMap((project) => [
      path.join(this.#projectsDir, project, `${cliSessionId}.jsonl`),
      path.join(this.#projectsDir, project, cliSessionId),
    ]);
  }

  /** Deletes a CLI conversation's files; what they held. */
  async removeConversation(cliSessionId: string): Promise<StoredFiles> {
    const projects = await readdir(this.#projectsDir).catch(() => []);
    let removed = NOTHING;
    for (const target of this.#pathsOf(cliSessionId, projects)) removed = add(removed, await removeCounted(target));
    return removed;
  }

  /** Deletes everything kept of a Docent session: the transcripts it may be under, and its state file. */
  async forget(sessionId: string): Promise<StoredFiles> {
    const cliIds = new Set([this.cliIdFor(sessionId), sessionId]);
    let removed = NOTHING;
    for (const cli of cliIds) removed = add(removed, await this.removeConversation(cli));
    return add(removed, await removeCounted(this.#aliasFile(sessionId)));
  }

  /** Deletes a state file found by `states()`; what it held. */
  removeState(file: StateFile): Promise<StoredFiles> {
    return removeCounted(file.path);
  }

  /** Every CLI conversation on disk, one project folder at a time. */
  async *conversations(): AsyncGenerator<TranscriptFiles> {
    for (const project of await readdir(this.#projectsDir).catch(() => [])) {
      const dir = path.join(this.#projectsDir, project);
      const byId = new Map<string, string[]>();
      for (const name of await readdir(dir).catch(() => [])) {
        const cli = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
        if (!isUuid(cli)) continue;
        byId.set(cli, [...(byId.get(cli) ?? []), path.join(dir, name)]);
      }
      for (const [cli, paths] of byId) {
        let modifiedAt = 0;
        for (const file of paths) {
          const stat = await lstat(file).catch(() => undefined);
          if (stat) modifiedAt = Math.max(modifiedAt, stat.mtimeMs);
        }
        yield { cli, modifiedAt };
      }
    }
  }

  /** Every state file on disk (temporary files of an interrupted write included, as unreadable states). */
  async *states(): AsyncGenerator<StateFile> {
    for (const name of await readdir(this.#aliasDir).catch(() => [])) {
      const file = path.join(this.#aliasDir, name);
      const stat = await lstat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      const text = await readFile(file, 'utf8').catch(() => '');
      yield { path: file, state: name.endsWith('.tmp') ? undefined : parseState(text), modifiedAt: stat.mtimeMs };
    }
  }

  /** What the conversations take on disk: transcripts, the CLI's folders beside them, state files. */
  async usage(): Promise<StoredFiles> {
    return add(await sizeOf(this.#projectsDir), await sizeOf(this.#aliasDir));
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

  /**
   * Records that a Docent session's conversation lives under `cliSessionId`
   * (a new conversation: no open turn). The transcript of the conversation it
   * replaces is deleted: nothing will resume it again.
   */
  bind(sessionId: string, cliSessionId: string): void {
    const replaced = this.cliIdFor(sessionId);
    this.#write(sessionId, { cli: cliSessionId });
    if (replaced !== cliSessionId) {
      const projects = readdirSync(this.#projectsDir);
      for (const file of this.#pathsOf(replaced, projects)) rmSync(file, { recursive: true, force: true });
    }
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

  #state(sessionId: string): SessionState | undefined {
    try {
      return parseState(readFileSync(this.#aliasFile(sessionId), 'utf8'));
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
    writeFileSync(temp, JSON.stringify({ ...state, session: sessionId }));
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
