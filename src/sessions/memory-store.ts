/** Session records in memory, for tests and single-use runs. Same rules as the SQLite store. */
import type { Role } from '../engines/types.ts';
import {
  type NewSession,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  type TurnRecord,
  titleFrom,
} from './types.ts';

export interface MemorySessionStoreOptions {
  /** Inactivity after which a record expires. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

interface Entry {
  record: SessionRecord;
  archived: boolean;
  messages: SessionMessage[];
}

export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: MemorySessionStoreOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry || entry.archived) return undefined;
    if (entry.record.lastActiveAt + this.#timeoutMs < this.#now()) return undefined;
    return entry;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    if (this.#entries.has(session.id)) throw new Error(`Session ${session.id} already exists`);
    const now = this.#now();
    const record: SessionRecord = { ...session, title: '', createdAt: now, lastActiveAt: now, turns: 0 };
    this.#entries.set(session.id, { record, archived: false, messages: [] });
    return record;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return this.#live(id)?.record;
  }

  async current(ownerId: string, role: Role): Promise<SessionRecord | undefined> {
    return (await this.list(ownerId, role)).find((r) => r.kind === 'persistent');
  }

  async list(ownerId: string, role: Role, limit = 100): Promise<SessionRecord[]> {
    return [...this.#entries.values()]
      .filter((e) => e.record.ownerId === ownerId && e.record.role === role && this.#live(e.record.id))
      .map((e) => e.record)
      .sort((a, b) => b.lastActiveAt - a.lastActiveAt)
      .slice(0, limit);
  }

  async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    const r = entry.record;
    entry.record = {
      ...r,
      title: r.title || titleFrom(turn.question),
      lastActiveAt: Math.max(r.lastActiveAt, turn.at),
      turns: r.turns + 1,
    };
    entry.messages.push({ role: 'user', content: turn.question, at: turn.at });
    entry.messages.push({ role: 'assistant', content: turn.answer, at: turn.at });
  }

  async messages(id: string, limit = 1000): Promise<SessionMessage[]> {
    return (this.#entries.get(id)?.messages ?? []).slice(-limit);
  }

  async rename(oldId: string, newId: string): Promise<void> {
    const entry = this.#entries.get(oldId);
    if (!entry || this.#entries.has(newId)) return;
    this.#entries.delete(oldId);
    entry.record = { ...entry.record, id: newId };
    this.#entries.set(newId, entry);
  }

  async archive(id: string): Promise<boolean> {
    const entry = this.#live(id);
    if (!entry) return false;
    entry.archived = true;
    return true;
  }

  async archiveCurrent(ownerId: string, role: Role): Promise<number> {
    let count = 0;
    for (const r of await this.list(ownerId, role, Number.MAX_SAFE_INTEGER)) {
      if (r.kind === 'persistent' && (await this.archive(r.id))) count += 1;
    }
    return count;
  }

  async delete(id: string): Promise<boolean> {
    return this.#entries.delete(id);
  }

  async expire(now = this.#now()): Promise<number> {
    let count = 0;
    for (const entry of this.#entries.values()) {
      if (!entry.archived && entry.record.lastActiveAt + this.#timeoutMs < now) {
        entry.archived = true;
        count += 1;
      }
    }
    return count;
  }

  async staleIds(lastActiveBefore: number, limit: number): Promise<string[]> {
    return [...this.#entries.values()]
      .map((e) => e.record)
      .filter((r) => r.lastActiveAt < lastActiveBefore)
      .sort((a, b) => a.lastActiveAt - b.lastActiveAt)
      .slice(0, limit)
      .map((r) => r.id);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.#entries.has(id)));
  }

  async close(): Promise<void> {}
}
