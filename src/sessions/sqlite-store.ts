/**
 * Session records in one SQLite file under the data directory (WAL mode).
 * better-sqlite3 is synchronous; each call is one short indexed statement, so
 * it is cheaper than hopping to a thread.
 */
import Database from 'better-sqlite3';
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
CREATE TABLE IF NOT EXISTS messages (
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq)
);
`;

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
      nextSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM messages WHERE session_id = @id'),
      addMessage: db.prepare(
        'INSERT INTO messages (session_id, seq, role, content, at) VALUES (@id, @seq, @role, @content, @at)',
      ),
      messages: db.prepare(
        `SELECT role, content, at FROM (SELECT seq, role, content, at FROM messages WHERE session_id = @id
         ORDER BY seq DESC LIMIT @limit) ORDER BY seq ASC`,
      ),
      renameSession: db.prepare('UPDATE sessions SET id = @newId WHERE id = @oldId'),
      renameMessages: db.prepare('UPDATE messages SET session_id = @newId WHERE session_id = @oldId'),
      exists: db.prepare('SELECT 1 FROM sessions WHERE id = @id'),
      archive: db.prepare(`UPDATE sessions SET archived_at = @now WHERE id = @id AND ${live}`),
      archiveCurrent: db.prepare(
        `UPDATE sessions SET archived_at = @now WHERE owner_id = @ownerId AND role = @role
         AND kind = 'persistent' AND ${live}`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = @id'),
      deleteMessages: db.prepare('DELETE FROM messages WHERE session_id = @id'),
      expire: db.prepare(
        'UPDATE sessions SET archived_at = @now WHERE archived_at IS NULL AND last_active_at < @since',
      ),
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
    this.#db.transaction(() => {
      const changed = this.#stmt.touch.run({ id, at: turn.at, title: titleFrom(turn.question) }).changes;
      if (changed === 0) return;
      let { seq } = this.#stmt.nextSeq.get({ id }) as { seq: number };
      this.#stmt.addMessage.run({ id, seq: seq++, role: 'user', content: turn.question, at: turn.at });
      this.#stmt.addMessage.run({ id, seq, role: 'assistant', content: turn.answer, at: turn.at });
    })();
  }

  async messages(id: string, limit = 1000): Promise<SessionMessage[]> {
    return this.#stmt.messages.all({ id, limit }) as SessionMessage[];
  }

  async rename(oldId: string, newId: string): Promise<void> {
    this.#db.transaction(() => {
      if (this.#stmt.exists.get({ id: newId })) return;
      this.#stmt.renameSession.run({ oldId, newId });
      this.#stmt.renameMessages.run({ oldId, newId });
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
      this.#stmt.deleteMessages.run({ id });
      return this.#stmt.deleteSession.run({ id }).changes > 0;
    })();
  }

  async expire(now = this.#now()): Promise<number> {
    return this.#stmt.expire.run({ now, since: this.#since(now) }).changes;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
