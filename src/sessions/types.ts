/**
 * Session records: one per conversation, keyed by the agent session id that
 * the server chooses before the first token.
 */
import type { Role } from '../engines/types.ts';

/**
 * `persistent`: the user's running conversation (query routes called with a
 * user id); `ephemeral`: a conversation named by its session id only.
 */
export type SessionKind = 'persistent' | 'ephemeral';

export interface SessionRecord {
  readonly id: string;
  readonly role: Role;
  readonly ownerId: string;
  readonly kind: SessionKind;
  /** From the first question; empty until then. */
  readonly title: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last turn (or of creation). */
  readonly lastActiveAt: number;
  /** Turns that reached a worker. 0 means the agent conversation does not exist yet. */
  readonly turns: number;
}

export interface SessionMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface NewSession {
  readonly id: string;
  readonly role: Role;
  readonly ownerId: string;
  readonly kind: SessionKind;
}

export interface TurnRecord {
  readonly question: string;
  readonly answer: string;
  /** Epoch milliseconds when the turn ended. */
  readonly at: number;
}

/**
 * Where session records live. Reads never return archived or expired records.
 * Async so that a networked store (Redis) fits the same shape.
 */
export interface SessionStore {
  create(session: NewSession): Promise<SessionRecord>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** The owner's live persistent conversation for a role, if any. */
  current(ownerId: string, role: Role): Promise<SessionRecord | undefined>;
  /** The owner's live sessions of a role, most recently active first. */
  list(ownerId: string, role: Role, limit?: number): Promise<SessionRecord[]>;
  /** Saves a finished (or abandoned) turn: counters, title, and both messages. */
  recordTurn(id: string, turn: TurnRecord): Promise<void>;
  messages(id: string, limit?: number): Promise<SessionMessage[]>;
  /** Moves a record under a new id (an engine had to start a fresh conversation). */
  rename(oldId: string, newId: string): Promise<void>;
  /** Archives the record: it is kept but no longer reachable or resumed. */
  archive(id: string): Promise<boolean>;
  /** Archives the owner's persistent conversation(s) of a role; returns how many. */
  archiveCurrent(ownerId: string, role: Role): Promise<number>;
  /** Removes the record and its messages. */
  delete(id: string): Promise<boolean>;
  /** Archives records idle for longer than the timeout; returns how many. */
  expire(now?: number): Promise<number>;
  /**
   * Ids of records, archived or not, last active before `lastActiveBefore`
   * (epoch ms), oldest first, at most `limit`: what retention deletes next.
   */
  staleIds(lastActiveBefore: number, limit: number): Promise<string[]>;
  /** Which of these ids have a record, archived ones included. */
  existing(ids: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/**
 * How long a conversation is kept after its record expired (SESSION_TIMEOUT)
 * when SESSION_RETENTION is not set: a week in which it can still be looked
 * up and explained, records and transcripts alike, before both are deleted.
 */
export const DEFAULT_RETENTION_GRACE_MS = 7 * 24 * 3_600_000;

/** Longest title kept, in characters. */
export const TITLE_MAX_CHARS = 80;

export function titleFrom(question: string): string {
  const oneLine = question.replace(/\s+/g, ' ').trim();
  return oneLine.length > TITLE_MAX_CHARS ? `${oneLine.slice(0, TITLE_MAX_CHARS - 1)}…` : oneLine;
}

/**
 * The store could not be reached or did not answer in time (a networked
 * store: Redis). Callers answer 503 with Retry-After rather than hang or 500.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
