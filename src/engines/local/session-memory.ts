/**
 * What a local agent remembers of a conversation between turns: the last
 * question and answer (for feedback), and an admin's pending confirmation.
 * Shared by the factory's workers, so a replaced worker resumes where the
 * last one stopped. Bounded: least recently used sessions are forgotten.
 */
import { LRUCache } from 'lru-cache';
import type { DeletePlan, IngestSource } from '../../kb/types.ts';

export type PendingAction =
  | { readonly kind: 'delete'; readonly plan: DeletePlan; readonly target: string }
  /** Files conflicting with the knowledge base, added on a confirming reply (with force). */
  | { readonly kind: 'ingest'; readonly sources: readonly IngestSource[] }
  /** Uploaded files not added yet (they came with another request), added on "add them". */
  | { readonly kind: 'upload'; readonly sources: readonly IngestSource[] };

export interface SessionState {
  lastQuestion?: string;
  lastAnswer?: string;
  pending?: PendingAction;
  /** The admin was told, once, that questions are answered as the employees' assistant answers them. */
  toldAnswersAsEmployee?: boolean;
}

const MAX_SESSIONS = 5000;

export class SessionMemory {
  readonly #states = new LRUCache<string, SessionState>({ max: MAX_SESSIONS });

  get(sessionId: string): SessionState {
    const known = this.#states.get(sessionId);
    if (known) return known;
    const state: SessionState = {};
    this.#states.set(sessionId, state);
    return state;
  }

  /** Drops what is remembered of a deleted conversation. */
  forget(sessionId: string): void {
    this.#states.delete(sessionId);
  }
}
