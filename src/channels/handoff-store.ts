/**
 * Questions forwarded to a domain expert and waiting for the reply. Durable:
 * an expert may answer a day later, across restarts, so the SQLite store keeps
 * them in the sessions database; the memory store is for tests.
 */
import Database from 'libsql';
import type { ChannelName, ReplyTarget } from './types.ts';

export type HandoffState = 'pending' | 'answered' | 'expired';

export interface Handoff {
  readonly id: string;
  readonly channel: ChannelName;
  /** Where the employee asked; the expert's answer is relayed there. */
  readonly asker: ReplyTarget;
  readonly question: string;
  readonly expertName: string;
  /** The expert's platform user id (their direct chat with the app). */
  readonly expertUserId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly state: HandoffState;
  readonly answer?: string;
  readonly answeredAt?: number;
}

export interface HandoffStore {
  create(handoff: Omit<Handoff, 'state'>): Promise<void>;
  /** The expert's pending hand-offs on a channel, oldest first. */
  pendingFor(channel: ChannelName, expertUserId: string): Promise<Handoff[]>;
  /** Marks a pending hand-off answered; false when it was not pending any more. */
  answer(id: string, answer: string, at: number): Promise<boolean>;
  /** The expert's most recent answer since `since`, for the FAQ permission. */
  lastAnswered(channel: ChannelName, expertUserId: string, since: number): Promise<Handoff | undefined>;
  /** Marks every pending hand-off past its expiry expired and returns them. */
  expireDue(now: number): Promise<Handoff[]>;
  /** Pending hand-offs, newest first, for the admin console. */
  listPending(limit: number): Promise<Handoff[]>;
  /** Deletes up to `limit` answered or expired hand-offs created before `before`; returns how many. */
  removeSettled(before: number, limit: number): Promise<number>;
  close(): Promise<void>;
}

export class MemoryHandoffStore implements HandoffStore {
  readonly #rows = new Map<string, Handoff>();

  async create(handoff: Omit<Handoff, 'state'>): Promise<void> {
    this.#rows.set(handoff.id, { ...handoff, state: 'pending' });
  }

  async pendingFor(channel: ChannelName, expertUserId: string): Promise<Handoff[]> {
    return [...this.#rows.values()]
      .filter((h) => h.state === 'pending' && h.channel === channel && h.expertUserId === expertUserId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async answer(id: string, answer: string, at: number): Promise<boolean> {
    const row = this.#rows.get(id);
    if (row?.state !== 'pending') return false;
    this.#rows.set(id, { ...row, state: 'answered', answer, answeredAt: at });
    return true;
  }

  async lastAnswered(channel: ChannelName, expertUserId: string, since: number): Promise<Handoff | undefined> {
    return [...this.#rows.values()]
      .filter(
        (h) =>
          h.state === 'answered' &&
          h.channel === channel &&
          h.expertUserId === expertUserId &&
          (h.answeredAt ?? 0) >= since,
      )
      .sort((a, b) => (b.answeredAt ?? 0) - (a.answeredAt ?? 0))[0];
  }

  async expireDue(now: number): Promise<Handoff[]> {
    const due = [...this.#rows.values()].filter((h) => h.state === 'pending' && h.expiresAt <= now);
    for (const h of due) this.#rows.set(h.id, { ...h, state: 'expired' });
    return due;
  }

  async listPending(limit: number): Promise<Handoff[]> {
    return [...this.#rows.values()]
      .filter((h) => h.state === 'pending')
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  async removeSettled(before: number, limit: number): Promise<number> {
    const settled = [...this.#rows.values()].filter((h) => h.state !== 'pending' && h.createdAt < before);
    for (const h of settled.slice(0, limit)) this.#rows.delete(h.id);
    return Math.min(settled.length, limit);
  }

  async close(): Promise<void> {}
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS expert_handoffs (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  asker_user TEXT NOT NULL,
  asker_chat TEXT NOT NULL,
  asker_thread TEXT,
  question TEXT NOT NULL,
  expert_name TEXT NOT NULL,
  expert_user TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  answer TEXT,
  answered_at INTEGER
);
CREATE INDEX IF NOT EXISTS expert_handoffs_expert ON expert_handoffs (channel, expert_user, state, created_at);
CREATE INDEX IF NOT EXISTS expert_handoffs_due ON expert_handoffs (state, expires_at);
CREATE INDEX IF NOT EXISTS expert_handoffs_created ON expert_handoffs (created_at);
`;

interface Row {
  id: string;
  channel: ChannelName;
  asker_user: string;
  asker_chat: string;
  asker_thread: string | null;
  question: string;
  expert_name: string;
  expert_user: string;
  created_at: number;
  expires_at: number;
  state: HandoffState;
  answer: string | null;
  answered_at: number | null;
}

function fromRow(row: Row): Handoff {
  return {
    id: row.id,
    channel: row.channel,
    asker: {
      userId: row.asker_user,
      chatId: row.asker_chat,
      ...(row.asker_thread ? { threadId: row.asker_thread } : {}),
    },
    question: row.question,
    expertName: row.expert_name,
    expertUserId: row.expert_user,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    state: row.state,
    ...(row.answer !== null ? { answer: row.answer } : {}),
    ...(row.answered_at !== null ? { answeredAt: row.answered_at } : {}),
  };
}

/** Hand-offs in a table of the sessions database file. */
export class SqliteHandoffStore implements HandoffStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 2000');
    this.#db.exec(SCHEMA);
  }

  async create(h: Omit<Handoff, 'state'>): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO expert_handoffs (id, channel, asker_user, asker_chat, asker_thread, question, expert_name, expert_user, created_at, expires_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(
        h.id,
        h.channel,
        h.asker.userId,
        h.asker.chatId,
        h.asker.threadId ?? null,
        h.question,
        h.expertName,
        h.expertUserId,
        h.createdAt,
        h.expiresAt,
      );
  }

  async pendingFor(channel: ChannelName, expertUserId: string): Promise<Handoff[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM expert_handoffs WHERE channel = ? AND expert_user = ? AND state = 'pending' ORDER BY created_at LIMIT 50`,
      )
      .all(channel, expertUserId) as Row[];
    return rows.map(fromRow);
  }

  async answer(id: string, answer: string, at: number): Promise<boolean> {
    const result = this.#db
      .prepare(
        `UPDATE expert_handoffs SET state = 'answered', answer = ?, answered_at = ? WHERE id = ? AND state = 'pending'`,
      )
      .run(answer, at, id);
    return result.changes === 1;
  }

  async lastAnswered(channel: ChannelName, expertUserId: string, since: number): Promise<Handoff | undefined> {
    const row = this.#db
      .prepare(
        `SELECT * FROM expert_handoffs WHERE channel = ? AND expert_user = ? AND state = 'answered' AND answered_at >= ?
         ORDER BY answered_at DESC LIMIT 1`,
      )
      .get(channel, expertUserId, since) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async expireDue(now: number): Promise<Handoff[]> {
    const expire = this.#db.transaction(() => {
      const rows = this.#db
        .prepare(`SELECT * FROM expert_handoffs WHERE state = 'pending' AND expires_at <= ? LIMIT 200`)
        .all(now) as Row[];
      const mark = this.#db.prepare(`UPDATE expert_handoffs SET state = 'expired' WHERE id = ?`);
      for (const row of rows) mark.run(row.id);
      return rows;
    });
    return expire().map((row) => ({ ...fromRow(row), state: 'expired' as const }));
  }

  async listPending(limit: number): Promise<Handoff[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM expert_handoffs WHERE state = 'pending' ORDER BY created_at DESC LIMIT ?`)
      .all(limit) as Row[];
    return rows.map(fromRow);
  }

  async removeSettled(before: number, limit: number): Promise<number> {
    return this.#db
      .prepare(
        `DELETE FROM expert_handoffs WHERE id IN
           (SELECT id FROM expert_handoffs WHERE state != 'pending' AND created_at < ? LIMIT ?)`,
      )
      .run(before, limit).changes;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
