/**
 * The engine-neutral vocabulary: what a turn is given and what it yields.
 * Both engines (claude, local) produce these events; the HTTP layer turns them
 * into the server-sent events of docs/compatibility.md.
 */
import type { WorkerFactory } from '../pool/worker.ts';

export type Role = 'employee' | 'admin';

/** What the caller gives a turn. */
export interface TurnInput {
  /** The user's message, already validated (non-empty, bounded). */
  readonly message: string;
  /** Progress of long work inside the turn (ingestion "3/10"), for callers that want it. */
  readonly onProgress?: (progress: TurnProgress) => void;
  /**
   * Several nodes: the turn holds the conversation's lease under this fencing
   * token. An engine that keeps the conversation writes it only under this
   * token, and discards what it holds warm when `previousToken` is not the
   * token of its own last turn (another node ran a turn since).
   */
  readonly fence?: TurnFence;
}

export interface TurnFence {
  readonly token: string;
  readonly previousToken: string | undefined;
}

export interface TurnProgress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

/**
 * A turn yields `session` first, as soon as it was accepted (before the
 * model answers). In the rare case a resume turns out to fail after that, a
 * second `session` event (isNew, resumed false, reason) corrects it. `text`
 * events are pieces of the answer as the model streams them (deltas, not
 * whole blocks): the answer is their concatenation.
 */
export type AgentEvent =
  | {
      readonly type: 'session';
      readonly sessionId: string;
      readonly isNew: boolean;
      /** Present and false when an earlier conversation could not be resumed and a new one began. */
      readonly resumed?: boolean;
      readonly reason?: string;
    }
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_use';
      readonly id: string;
      readonly tool: string;
      readonly input: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'done';
      readonly durationMs: number;
      readonly turns?: number;
      readonly costUsd?: number;
    }
  | {
      readonly type: 'error';
      /** Never empty. */
      readonly message: string;
      readonly code?: string;
    };

export type AgentWorkerFactory = WorkerFactory<TurnInput, AgentEvent>;

/**
 * Turns an upload reference that Docent issued (the `temp_path` of
 * POST /api/upload) into the absolute path of the stored bytes, or undefined
 * when the reference is unknown, expired or malformed.
 */
export type UploadResolver = (
  reference: string,
) => Promise<{ readonly name: string; readonly path: string } | undefined>;

/** Files (or bytes held) that were removed, or that are kept now. */
export interface StoredFiles {
  readonly files: number;
  readonly bytes: number;
}

/** What an orphan sweep is told about the session records. */
export interface OrphanSweepRequest {
  /** Most files to delete in this sweep. */
  readonly limit: number;
  /** Which of these session ids still have a record (archived ones included). */
  readonly known: (sessionIds: readonly string[]) => Promise<ReadonlySet<string>>;
  /** Files modified at or after this time (epoch ms) are left alone, named or not. */
  readonly untouchedBefore: number;
  /** Anything not modified since this time (epoch ms) belongs to a conversation past retention. */
  readonly expiredBefore: number;
}

/**
 * What an engine keeps of conversations beside the session records
 * (transcripts, state files, memory), and how it lets go of it. The HTTP
 * layer and the retention sweep use this; only the engine knows the layout.
 */
export interface ConversationStorage {
  /**
   * Deletes everything kept of the session. Waits until no worker of the
   * engine is still working on it (a turn settling, a failed turn being
   * rewound), so a live worker never loses a file under its feet.
   */
  forgetSession(sessionId: string): Promise<StoredFiles>;
  /** Deletes what is kept of conversations that no session record names any more. */
  sweepOrphans(request: OrphanSweepRequest): Promise<StoredFiles>;
  /** What the kept conversations take on disk now. */
  usage(): Promise<StoredFiles>;
}

/** For engines that keep nothing on disk. */
export const NO_CONVERSATION_FILES: ConversationStorage = Object.freeze({
  forgetSession: async () => ({ files: 0, bytes: 0 }),
  sweepOrphans: async () => ({ files: 0, bytes: 0 }),
  usage: async () => ({ files: 0, bytes: 0 }),
});
