/**
 * Deleting a conversation: its record at once, and what the engine keeps of
 * it (transcripts, state files) as soon as no turn of it is in flight.
 *
 * Turns register here from admission to the release of their worker
 * (src/http/turn.ts). A conversation deleted while one of its turns runs or
 * waits is gone for its user at once (no record: unlisted, 404, nothing new
 * admitted), the turn finishes undisturbed on its worker, and the files go
 * when the last such turn is released. Pulling the transcript from under a
 * running CLI would save nothing (the turn appends to it again) and would
 * leave the worker's next resume to fail.
 */
import type { ConversationStorage, StoredFiles } from '../engines/types.ts';
import type { Logger } from '../logger.ts';
import type { SessionStore } from './types.ts';

export interface ConversationsOptions {
  readonly sessions: SessionStore;
  /** What the engine keeps of conversations. */
  readonly storage: ConversationStorage;
  readonly logger: Logger;
}

export interface DeletedConversation {
  /** False when there was no record (already deleted, or removed by a store's own expiry). */
  readonly record: boolean;
  /** What was removed from disk; absent while a turn in flight keeps the files until it ends, or when removing failed. */
  readonly removed?: StoredFiles;
}

export class Conversations {
  readonly #sessions: SessionStore;
  readonly #storage: ConversationStorage;
  readonly #logger: Logger;
  /** Turns admitted and not yet released, per session. */
  readonly #turns = new Map<string, number>();
  /** Called when a session's last turn in flight is released. */
  readonly #whenIdle = new Map<string, Array<() => void>>();

  constructor(options: ConversationsOptions) {
    this.#sessions = options.sessions;
    this.#storage = options.storage;
    this.#logger = options.logger;
  }

  /** A turn of the session was admitted (it may still wait for a worker). Call the result once it is released; more calls do nothing. */
  beginTurn(sessionId: string): () => void {
    this.#turns.set(sessionId, (this.#turns.get(sessionId) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#turns.get(sessionId) ?? 1) - 1;
      if (left > 0) {
        this.#turns.set(sessionId, left);
        return;
      }
      this.#turns.delete(sessionId);
      const waiters = this.#whenIdle.get(sessionId) ?? [];
      this.#whenIdle.delete(sessionId);
      for (const resume of waiters) resume();
    };
  }

  hasTurnInFlight(sessionId: string): boolean {
    return this.#turns.has(sessionId);
  }

  /**
   * Deletes the record, then the engine's files: at once when no turn of the
   * session is in flight (resolved once they are gone), else in the
   * background when the last one is released. A failure to remove the files
   * is logged, not thrown: the record is gone either way, and the orphan
   * sweep removes what was left.
   */
  async delete(sessionId: string): Promise<DeletedConversation> {
    const record = await this.#sessions.delete(sessionId);
    if (this.#turns.has(sessionId)) {
      this.#whenIdle.set(sessionId, [
        ...(this.#whenIdle.get(sessionId) ?? []),
        () => void this.#forget(sessionId, 'after its turn'),
      ]);
      return { record };
    }
    const removed = await this.#forget(sessionId, 'at once');
    return removed ? { record, removed } : { record };
  }

  async #forget(sessionId: string, when: string): Promise<StoredFiles | undefined> {
    try {
      const removed = await this.#storage.forgetSession(sessionId);
      this.#logger.debug({ sessionId, ...removed, when }, "conversation's files deleted");
      return removed;
    } catch (error) {
      this.#logger.error({ err: error, sessionId }, "could not delete a conversation's files; the orphan sweep will");
      return undefined;
    }
  }
}
