/** Telling whether a CLI started with `resume` actually found the conversation. */
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';

const RESUME_FAILURE = /no conversation found|requires a valid session id|session id .* (not found|invalid)/i;

export function isResumeFailure(error: unknown): boolean {
  return error instanceof Error && RESUME_FAILURE.test(error.message);
}

/**
 * Reads a resumed process's first messages up to the model's first streamed
 * event, its first answer or its result (the CLI calls the model only once it
 * loaded the conversation).
 * A result or a crash saying the conversation is not there is a failure; the
 * messages read are returned so the caller can replay them.
 */
export async function probeResume(
  messages: AsyncIterator<SDKMessage>,
): Promise<{ readonly seen: SDKMessage[]; readonly failure?: string }> {
  const seen: SDKMessage[] = [];
  try {
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      seen.push(next.value);
      if (next.value.type === 'assistant' || next.value.type === 'stream_event') break;
      if (next.value.type === 'result') {
        const text = next.value.subtype === 'success' ? next.value.result : next.value.errors.join('; ');
        if (next.value.is_error && RESUME_FAILURE.test(text)) return { seen, failure: text };
        break;
      }
    }
  } catch (error) {
    if (isResumeFailure(error)) return { seen, failure: (error as Error).message };
    throw error;
  }
  return { seen };
}
