/**
 * AgentEvent → the server-sent events of docs/compatibility.md, and the filtering the
 * contract asks for (tool inputs, `metadata` fences in employee answers).
 */
import type { AgentEvent } from '../engines/types.ts';
import { scrubPaths } from './errors.ts';

export type WireEvent =
  | { type: 'session'; session_id: string; is_new: boolean; resumed?: boolean; reason?: string }
  | { type: 'message'; content: string }
  | { type: 'tool_use'; id: string; tool: string; input: Record<string, unknown> }
  | { type: 'done'; duration_ms: number }
  | { type: 'error'; message: string };

const KEPT_INPUT_KEYS = ['file_path', 'pattern', 'command', 'description', 'path', 'type', 'glob'] as const;
const SIZED_INPUT_KEYS = ['file_text', 'content'] as const;
const KEPT_STRING_MAX = 200;
const RAW_MAX = 100;

/** Keeps what a client may see of a tool's input (docs/compatibility.md, event 3). */
export function filterToolInput(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of KEPT_INPUT_KEYS) {
    if (!(key in input)) continue;
    const value = input[key];
    out[key] =
      typeof value === 'string' && value.length > KEPT_STRING_MAX ? `${value.slice(0, KEPT_STRING_MAX)}...` : value;
  }
  for (const key of SIZED_INPUT_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    const length = typeof value === 'string' ? value.length : JSON.stringify(value).length;
    out[key] = `(${length} chars)`;
  }
  if (Object.keys(out).length === 0) {
    let raw: string;
    try {
      raw = JSON.stringify(input) ?? '';
    } catch {
      raw = String(input);
    }
    return { _raw: raw.slice(0, RAW_MAX) };
  }
  return out;
}

const METADATA_FENCE = /```metadata[ \t]*\r?\n([\s\S]*?)```[ \t]*(?:\r?\n)?/g;

/** Removes ```metadata fences holding a JSON object; other fences (```json examples) stay. */
export function stripMetadataFences(text: string): string {
  return text.replace(METADATA_FENCE, (whole, body: string) => {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? '' : whole;
    } catch {
      return whole;
    }
  });
}

const FALLBACK_ERROR = 'The agent failed without saying why';

/** One AgentEvent as the wire event, or undefined when nothing is left to show. */
export function toWireEvent(event: AgentEvent, options: { stripMetadata: boolean }): WireEvent | undefined {
  switch (event.type) {
    case 'session': {
      const wire: WireEvent = { type: 'session', session_id: event.sessionId, is_new: event.isNew };
      if (event.resumed !== undefined) wire.resumed = event.resumed;
      if (event.reason !== undefined) wire.reason = event.reason;
      return wire;
    }
    case 'text': {
      const content = options.stripMetadata ? stripMetadataFences(event.text) : event.text;
      // Whitespace is kept: a delta of one space or line break is part of the answer.
      return content === '' ? undefined : { type: 'message', content };
    }
    case 'tool_use':
      return { type: 'tool_use', id: event.id, tool: event.tool, input: filterToolInput(event.input) };
    case 'done':
      return { type: 'done', duration_ms: Math.round(event.durationMs) };
    case 'error':
      return { type: 'error', message: scrubPaths(event.message.trim()) || FALLBACK_ERROR };
  }
}
