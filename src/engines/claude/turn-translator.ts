/**
 * Turns the SDK messages of one turn into the neutral AgentEvents.
 *
 * Text is streamed: each text delta of the model's reply (a `stream_event`,
 * with `includePartialMessages`) becomes a `text` event as it arrives. The
 * whole assistant message that follows each block repeats that text, so the
 * text blocks of a message whose stream was seen are left out; its tool_use
 * blocks (whose input is whole only there) become the `tool_use` events. A
 * message that was not streamed (the CLI's own, or an SDK without partial
 * messages) gives its text blocks whole. Once text reached the caller, an API
 * retry stops the turn (the retry would repeat it). The CLI's own messages
 * (API errors, the login prompt) are not answers: they feed the error. The
 * turn ends with `done`, or with one `error` whose message is never empty.
 */
import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AgentEvent } from '../types.ts';

const LOGIN_HINT = /please run \/login/i;

/** True when a turn's result is an answer (not an API error, a step limit, or the CLI's login prompt). */
export function isAnswer(result: SDKResultMessage): boolean {
  return result.subtype === 'success' && !result.is_error && !LOGIN_HINT.test(result.result ?? '');
}

export interface TurnOutcome {
  readonly ok: boolean;
  /** The SDK's cumulative cost after this turn (for per-turn cost). */
  readonly totalCostUsd?: number;
}

export class TurnTranslator {
  readonly #costBefore: number;
  #lastErrorText: string | undefined;
  #interrupted = false;
  #stopped = false;
  /** Ids of the model messages whose text arrived as deltas. */
  readonly #streamedMessages = new Set<string>();
  /** True once a text or tool_use event went to the caller. */
  streamed = false;

  constructor(costBefore = 0) {
    this.#costBefore = costBefore;
  }

  /** The caller asked to stop this turn. */
  markInterrupted(): void {
    this.#interrupted = true;
  }

  /**
   * `stop` asks the worker to interrupt the turn: the CLI is about to retry a
   * request after part of the answer already reached the caller; such a turn
   * is not retried (the retry could repeat what was shown).
   */
  translate(message: SDKMessage): { events: AgentEvent[]; outcome?: TurnOutcome; stop?: boolean } {
    if (this.#stopped) {
      return message.type === 'result'
        ? { events: [], outcome: { ok: false, totalCostUsd: message.total_cost_usd } }
        : { events: [] };
    }
    switch (message.type) {
      case 'system':
        if (message.subtype === 'api_retry' && this.streamed) {
          this.#stopped = true;
          const status = message.error_status ? ` ${message.error_status}` : '';
          return {
            events: [
              {
                type: 'error',
                code: 'model_stream_failed',
                message: `The model API failed in the middle of the answer (${message.error}${status}); the turn was stopped rather than retried.`,
              },
            ],
            stop: true,
          };
        }
        return { events: [] };
      case 'stream_event':
        return { events: message.parent_tool_use_id ? [] : this.#fromStreamEvent(message) };
      case 'assistant':
        return { events: message.parent_tool_use_id ? [] : this.#fromAssistant(message) };
      case 'result':
        return this.#fromResult(message);
      default:
        return { events: [] };
    }
  }

  #fromStreamEvent(message: Extract<SDKMessage, { type: 'stream_event' }>): AgentEvent[] {
    const { event } = message;
    if (event.type === 'message_start') {
      this.#streamedMessages.add(event.message.id);
      return [];
    }
    if (event.type !== 'content_block_delta' || event.delta.type !== 'text_delta' || !event.delta.text) return [];
    this.streamed = true;
    return [{ type: 'text', text: event.delta.text }];
  }

  #fromAssistant(message: Extract<SDKMessage, { type: 'assistant' }>): AgentEvent[] {
    const events: AgentEvent[] = [];
    const textStreamed = this.#streamedMessages.has(message.message.id);
    for (const block of message.message.content) {
      if (block.type === 'tool_use') {
        this.streamed = true;
        events.push({
          type: 'tool_use',
          id: block.id,
          tool: block.name,
          input: (block.input ?? {}) as Record<string, unknown>,
        });
      } else if (block.type === 'text' && block.text && !textStreamed) {
        if (message.error || LOGIN_HINT.test(block.text)) this.#lastErrorText = block.text;
        else {
          this.streamed = true;
          events.push({ type: 'text', text: block.text });
        }
      }
    }
    return events;
  }

  #fromResult(result: SDKResultMessage): { events: AgentEvent[]; outcome: TurnOutcome } {
    const totalCostUsd = result.total_cost_usd;
    const costUsd = Math.max(0, (totalCostUsd ?? 0) - this.#costBefore);
    if (isAnswer(result)) {
      return {
        events: [{ type: 'done', durationMs: result.duration_ms, turns: result.num_turns, costUsd }],
        outcome: { ok: true, totalCostUsd },
      };
    }
    return { events: [this.#errorEvent(result)], outcome: { ok: false, totalCostUsd } };
  }

  #errorEvent(result: SDKResultMessage): AgentEvent {
    if (this.#interrupted && result.subtype === 'error_during_execution') {
      return { type: 'error', code: 'interrupted', message: 'The turn was interrupted.' };
    }
    const resultText = result.subtype === 'success' ? result.result : result.errors.join('; ');
    const message = [resultText, this.#lastErrorText].find((text) => text?.trim()) ?? '';
    if (LOGIN_HINT.test(message) || /authenticat|401/i.test(message)) {
      return { type: 'error', code: 'model_auth_failed', message: `The model API refused the credentials: ${message}` };
    }
    if (result.subtype === 'error_max_turns') {
      return { type: 'error', code: 'max_turns', message: message || 'The agent reached its step limit.' };
    }
    return {
      type: 'error',
      code: 'model_error',
      message: message || `The agent failed (${result.subtype}) without a message.`,
    };
  }
}
