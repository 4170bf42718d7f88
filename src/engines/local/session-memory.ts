/**
 * What a local agent remembers of a conversation between turns: the last
 * question and answer (for feedback), and an admin's pending confirmation.
 * Shared by the factory's workers, so a replaced worker resumes where the
 * last one stopped. Bounded: least recently used sessions are forgotten.
 */
import type { DeletePlan, IngestSource } from '../../kb/types.ts';

export type PendingAction =
  | { readonly kind: 'delete'; readonly plan: DeletePlan; readonly target: string }
  | { readonly kind: 'ingest'; readonly sources: readonly IngestSource[] };

export interface SessionState {
  lastQuestion?: string;
  lastAnswer?: string;
  pending?: PendingAction;
}

const MAX_SESSIONS = 5000;

export class SessionMemory {
  readonly #states = new Map<string, SessionState>();

  get(sessionId: string): SessionState {
    let state = this.#states.get(sessionId);
    if (state) this.#states.delete(sessionId);
    else state = {};
    this.#states.set(sessionId, state);
    while (this.#states.size > MAX_SESSIONS) this.#states.delete(this.#states.keys().next().value!);
    return state;
  }

  /** Drops what is remembered of a deleted conversation. */
  forget(sessionId: string): void {
    this.#states.delete(sessionId);
  }
}
