/**
 * The message ids the router has taken, with when it took them, so that a
 * platform's retry, or a captured callback replayed within the hour its
 * signed timestamp is good for, runs no second turn. The SQLite store keeps
 * them in the sessions database so that this holds across a restart; without
 * a store the router remembers them in memory only.
 */
import Database from 'libsql';
import { REPLAY_WINDOW_MS } from './types.ts';

export const SEEN_MESSAGES_MAX = 10_000;
/** As long as a signed timestamp is taken: a replay older than this the adapter refuses itself. */
export const SEEN_MESSAGES_TTL_MS = REPLAY_WINDOW_MS;

export interface SeenMessageStore {
  /**
   * Records `key` as seen at `at`; true when it was not seen in the last
   * `ttlMs` (the message is new), false when it was (a retry or a replay).
   */
  claim(key: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface SqliteSeenMessageStoreOptions {
  /** The database file (`:memory:` works too). */
  readonly file: string;
  /** How long an id is remembered. @default SEEN_MESSAGES_TTL_MS */
  readonly ttlMs?: number;
  /** Most ids kept; past it the oldest are forgotten first. @default SEEN_MESSAGES_MAX */
  readonly max?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS channel_seen_messages (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS channel_seen_messages_at ON channel_seen_messages (seen_at);
`;

/**
 * Seen ids in a table of the sessions database file. Each new id sweeps the
 * expired ones and those past the newest `max`; `seq` numbers the ids in the
 * order they were taken, so the cap costs an index lookup, not a count, and
 * holds whichever process wrote them.
 */
export class SqliteSeenMessageStore implements SeenMessageStore {
  readonly #db: Database.Database;
  readonly #claim: (key: string, at: number) => boolean;

  constructor(options: SqliteSeenMessageStoreOptions) {
    const ttlMs = options.ttlMs ?? SEEN_MESSAGES_TTL_MS;
    const max = options.max ?? SEEN_MESSAGES_MAX;
    this.#db = new Database(options.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 2000');
    this.#db.exec(SCHEMA);
    const expire = this.#db.prepare('DELETE FROM channel_seen_messages WHERE seen_at <= ?');
    const insert = this.#db.prepare('INSERT OR IGNORE INTO channel_seen_messages (key, seen_at) VALUES (?, ?)');
    const trim = this.#db.prepare(
      'DELETE FROM channel_seen_messages WHERE seq <= (SELECT MAX(seq) FROM channel_seen_messages) - ?',
    );
    this.#claim = this.#db.transaction((key: string, at: number): boolean => {
      expire.run(at - ttlMs);
      const added = insert.run(key, at).changes === 1;
      if (added) trim.run(max);
      return added;
    });
  }

  async claim(key: string, at: number): Promise<boolean> {
    return this.#claim(key, at);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
