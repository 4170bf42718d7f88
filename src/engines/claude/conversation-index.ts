/**
 * What a worker needs to know of a session's conversation (which CLI session
 * holds it, whether it can be resumed, which turn is open) behind one async
 * interface. One node: the state files and transcripts on disk
 * (transcripts.ts). Several nodes: Redis, given by main.ts (src/cluster),
 * with a transcript mirror per worker that the SDK writes through its
 * `sessionStore` option and reads back on resume, on any node.
 */
import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { TranscriptStore } from './transcripts.ts';

export interface ConversationIndex {
  /** True when the conversation under `cli` can be resumed (its transcript exists and starts like one). */
  readable(sessionId: string, cli: string): Promise<boolean>;
  /** Where a process for the session resumes (see TranscriptStore.resumePoint). */
  resumePoint(sessionId: string): Promise<{ cli: string; at?: string | null }>;
  newCliIdFor(sessionId: string): Promise<string>;
  bind(sessionId: string, cli: string): Promise<void>;
  /** `token`: the turn's fencing token with several nodes (a stale one is refused). */
  openTurn(sessionId: string, promptId: string, token: string | undefined): Promise<void>;
  keepTurn(sessionId: string, token: string | undefined): Promise<void>;
}

/** One worker's SDK `sessionStore`, told whose conversation it serves and under which token it writes. */
export interface WorkerTranscriptMirror extends SessionStore {
  bindSession(sessionId: string): void;
  setFence(token: string | undefined): void;
}

/** Conversations shared by several nodes (src/cluster/shared-conversations.ts). */
export interface SharedConversationIndex extends ConversationIndex {
  mirror(workerId: string): WorkerTranscriptMirror;
  /** Deletes what is kept of the session; how many keys went. */
  forget(sessionId: string): Promise<number>;
}

/** One node: the state files and the shared `projects/` folder. */
export function localIndex(transcripts: TranscriptStore): ConversationIndex {
  return {
    readable: async (_sessionId, cli) => transcripts.readable(cli),
    resumePoint: async (sessionId) => transcripts.resumePoint(sessionId),
    newCliIdFor: async (sessionId) => transcripts.newCliIdFor(sessionId),
    bind: async (sessionId, cli) => transcripts.bind(sessionId, cli),
    openTurn: async (sessionId, promptId) => transcripts.openTurn(sessionId, promptId),
    keepTurn: async (sessionId) => transcripts.keepTurn(sessionId),
  };
}
