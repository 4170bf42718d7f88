// The events a turn streams (docs/compatibility.md, "Server-sent events"), and those of
// a knowledge-base ingest. Fields the server may add later are ignored.

export interface SessionEvent {
  type: 'session';
  session_id: string;
  is_new: boolean;
  resumed?: boolean;
  reason?: string;
}
export interface MessageEvent {
  type: 'message';
  content: string;
}
export interface ToolUseEvent {
  type: 'tool_use';
  id: string;
  tool: string;
  input: Record<string, unknown>;
}
export interface DoneEvent {
  type: 'done';
  duration_ms: number;
}
export interface ErrorEvent {
  type: 'error';
  message: string;
}
export type TurnEvent = SessionEvent | MessageEvent | ToolUseEvent | DoneEvent | ErrorEvent;

export interface IngestConflict {
  kind: string;
  existingPath: string;
  existingLines?: string | number[] | null;
  existingText: string;
  incomingText: string;
}
export interface IngestFileResult {
  name: string;
  status: 'added' | 'conflict' | 'failed' | 'skipped';
  path?: string;
  reason?: string;
  conflicts?: IngestConflict[];
  placement?: { folder: string; created: boolean; reason: string };
}
export type IngestEvent =
  | { type: 'progress'; index: number; total: number; name: string; stage: string; message?: string }
  | { type: 'result'; results: IngestFileResult[] }
  | { type: 'done' }
  | { type: 'error'; message: string };
