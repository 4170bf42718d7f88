// Reads a server-sent-event response body as parsed JSON events. Uses fetch()
// rather than EventSource because admin streams need an Authorization header
// and a refusal (503, 409) arrives as a JSON error before any stream.
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** Largest single event accepted, so a broken stream cannot grow the buffer forever. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;

export async function* readJsonEvents<T>(response: Response): AsyncGenerator<T> {
  if (!response.body) return;
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ maxBufferSize: MAX_EVENT_CHARS }));
  const reader = events.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (!value.data) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.data);
      } catch {
        continue; // A line that is not JSON is not one of ours: skip it.
      }
      if (typeof parsed === 'object' && parsed !== null && 'type' in parsed) yield parsed as T;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
