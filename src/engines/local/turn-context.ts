/** What a local turn needs besides the knowledge base. */
import type { Logger } from '../../logger.ts';
import type { AgentEvent, TurnProgress, UploadResolver } from '../types.ts';
import type { SessionState } from './session-memory.ts';

export interface LocalTurnContext {
  readonly message: string;
  readonly state: SessionState;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: TurnProgress) => void;
  readonly resolveUpload: UploadResolver;
  readonly logger?: Logger;
  /** A tool_use event with a fresh id. */
  toolUse(tool: string, input: Record<string, unknown>): AgentEvent;
}

/** Splits a reply into a few text events (by paragraph), so it streams like a model's. */
export function* textChunks(markdown: string, chunks = 4): Generator<AgentEvent> {
  const paragraphs = markdown.split(/(?<=\n\n)/);
  const size = Math.max(1, Math.ceil(paragraphs.length / chunks));
  for (let i = 0; i < paragraphs.length; i += size) {
    const text = paragraphs.slice(i, i + size).join('');
    if (text) yield { type: 'text', text };
  }
}
