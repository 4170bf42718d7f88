/**
 * Session records in one SQLite file under the data directory (WAL mode).
 * libsql is SQLite with better-sqlite3's synchronous API, and its prebuilt
 * binaries come from the npm registry itself (better-sqlite3 downloads them
 * from GitHub, and compiles for minutes where that is blocked). Synchronous is
 * fine here: each call is one short indexed statement, cheaper than hopping
 * to a thread.
 */
import Database from 'libsql';
import type { Role } from '../engines/types.ts';
import {
  type NewSession,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  type TurnRecord,
  titleFrom,
} from './types.ts';

export interface SqliteSessionStoreOptions {
  /** The database file (`:memory:` works too). */
  readonly file: string;
  /** Inactivity after which a record expires. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

interface Row {
  id: string;
  role: Role;
  owner_id: string;
  kind: 'persistent' | 'ephemeral';
  title: string;
  created_at: number;
  last_active_at: number;
  turns: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_active_at INTEGER NOT NULL,
  turns INTEGER NOT NULL DEFAULT 0,
  archived_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner_id, role, archived_at, last_active_at);
CREATE INDEX IF NOT EXISTS sessions_last_active ON sessions (last_active_at);
CREATE TABLE IF NOT EXISTS turns (
  seq INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_session ON turns (session_id, seq);
`;

interface TurnRow {
  readonly id: string;
  readonly at: number;
  readonly title: string;
  readonly question: string;
  readonly answer: string;
}

const COLUMNS = 'id, role, owner_id, kind, title, created_at, last_active_at, turns';

function toRecord(row: Row): SessionRecord {
  return {
    id: row.id,
    role: row.role,
    ownerId: row.owner_id,
    kind: row.kind,
    title: row.title,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    turns: row.turns,
  };
}

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #stmt;

  constructor(options: SqliteSessionStoreOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
    this.#db = new Database(options.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    const db = this.#db;
    const live = 'archived_at IS NULL AND last_active_at >= @since';
    this.#stmt = {
      insert: db.prepare(`INSERT INTO sessions (${COLUMNS}) VALUES (@id, @role, @ownerId, @kind, '', @now, @now, 0)`),
      get: db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = @id AND ${live}`),
      list: db.prepare(
        `SELECT ${COLUMNS} FROM sessions WHERE owner_id = @ownerId AND role = @role AND ${live}
         ORDER BY last_active_at DESC LIMIT @limit`,
      ),
      current: db.prepare(
        `SELECT ${COLUMNS} FROM sessions WHERE owner_id = @ownerId AND role = @role AND kind = 'persistent'
         AND ${live} ORDER BY last_active_at DESC LIMIT 1`,
      ),
      touch: db.prepare(
        `UPDATE sessions SET turns = turns + 1, last_active_at = MAX(last_active_at, @at),
         title = CASE WHEN title = '' THEN @title ELSE title END WHERE id = @id`,
      ),
      addTurn: db.prepare('INSERT INTO turns (session_id, question, answer, at) VALUES (@id, @question, @answer, @at)'),
      turns: db.prepare(
        `SELECT question, answer, at FROM (SELECT seq, question, answer, at FROM turns WHERE session_id = @id
         ORDER BY seq DESC LIMIT @limit) ORDER BY seq ASC`,
      ),
      renameSession: db.prepare('UPDATE sessions SET id = @newId WHERE id = @oldId'),
      renameTurns: db.prepare('UPDATE turns SET session_id = @newId WHERE session_id = @oldId'),
      exists: db.prepare('SELECT 1 FROM sessions WHERE id = @id'),
      archive: db.prepare(`UPDATE sessions SET archived_at = @now WHERE id = @id AND ${live}`),
      archiveCurrent: db.prepare(
        `UPDATE sessions SET archived_at = @now WHERE owner_id = @ownerId AND role = @role
         AND kind = 'persistent' AND ${live}`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = @id'),
      deleteTurns: db.prepare('DELETE FROM turns WHERE session_id = @id'),
      expire: db.prepare(
        'UPDATE sessions SET archived_at = @now WHERE archived_at IS NULL AND last_active_at < @since',
      ),
      stale: db.prepare('SELECT id FROM sessions WHERE last_active_at < @before ORDER BY last_active_at LIMIT @limit'),
      // One statement for a whole page of ids: they come as a JSON array.
      existing: db.prepare('SELECT id FROM sessions WHERE id IN (SELECT value FROM json_each(@ids))'),
    };
  }

  #since(now = this.#now()): number {
    return now - this.#timeoutMs;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    const now = this.#now();
    this.#stmt.insert.run({ ...session, now });
    return { ...session, title: '', createdAt: now, lastActiveAt: now, turns: 0 };
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = this.#stmt.get.get({ id, since: this.#since() }) as Row | undefined;
    return row && toRecord(row);
  }

  async current(ownerId: string, role: Role): Promise<SessionRecord | undefined> {
    const row = this.#stmt.current.get({ ownerId, role, since: this.#since() }) as Row | undefined;
    return row && toRecord(row);
  }

  async list(ownerId: string, role: Role, limit = 100): Promise<SessionRecord[]> {
    const rows = this.#stmt.list.all({ ownerId, role, since: this.#since(), limit }) as Row[];
    return rows.map(toRecord);
  }

  async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    this.#recordTurn({
      id,
      at: turn.at,
      title: titleFrom(turn.question),
      question: turn.question,
      answer: turn.answer,
    });
  }

  #recordTurnTx: ((row: TurnRow) => void) | undefined;

  #recordTurn(row: TurnRow): void {
    this.#recordTurnTx ??= this.#db.transaction((r: TurnRow) => {
      if (this.#stmt.touch.run(r).changes > 0) this.#stmt.addTurn.run(r);
    });
    this.#recordTurnTx(row);
  }

  async messages(id: string, limit = 1000): Promise<SessionMessage[]> {
    const rows = this.#stmt.turns.all({ id, limit: Math.ceil(limit / 2) }) as Array<{
      question: string;
      answer: string;
      at: number;
    }>;
    return rows
      .flatMap((r): SessionMessage[] => [
        { role: 'user', content: r.question, at: r.at },
        { role: 'assistant', content: r.answer, at: r.at },
      ])
      .slice(-limit);
  }

  async rename(oldId: string, newId: string): Promise<void> {
    this.#db.transaction(() => {
      if (this.#stmt.exists.get({ id: newId })) return;
      this.#stmt.renameSession.run({ oldId, newId });
      this.#stmt.renameTurns.run({ oldId, newId });
    })();
  }

  async archive(id: string): Promise<boolean> {
    const now = this.#now();
    return this.#stmt.archive.run({ id, now, since: this.#since(now) }).changes > 0;
  }

  async archiveCurrent(ownerId: string, role: Role): Promise<number> {
    const now = this.#now();
    return this.#stmt.archiveCurrent.run({ ownerId, role, now, since: this.#since(now) }).changes;
  }

  async delete(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      this.#stmt.deleteTurns.run({ id });
      return this.#stmt.deleteSession.run({ id }).changes > 0;
    })();
  }

  async expire(now = this.#now()): Promise<number> {
    return this.#stmt.expire.run({ now, since: this.#since(now) }).changes;
  }

  async staleIds(lastActiveBefore: number, limit: number): Promise<string[]> {
    const rows = this.#stmt.stale.all({ before: lastActiveBefore, limit }) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.#stmt.existing.all({ ids: JSON.stringify(ids) }) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
