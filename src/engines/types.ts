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
