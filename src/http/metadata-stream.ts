/**
 * Strips ```metadata fences from an answer that arrives in pieces (text
 * deltas), so a fence split over several deltas is still removed whole.
 *
 * Text passes through at once, except from a point where a fence may begin:
 * from there it is held until the fence closed (then stripMetadataFences
 * decides: a JSON object goes, anything else is sent as it was) or the answer
 * ended. What is held is bounded by the answer itself. Hand-written: the
 * fence rule is ours, and no streaming library knows it.
 */
import { stripMetadataFences } from './agent-events.ts';

const OPENING = '```metadata';
/** A closing fence, with what the whole-text rule eats after it. */
const CLOSING = /```[ \t]*(\r?\n)?/g;

export class MetadataFenceStream {
  #held = '';

  /** The part of `text` (with anything held before it) that can be sent now. */
  push(text: string): string {
    this.#held += text;
    let out = '';
    for (;;) {
      const start = this.#held.indexOf(OPENING);
      if (start < 0) {
        const keep = partialOpeningAtEnd(this.#held);
        out += this.#held.slice(0, this.#held.length - keep);
        this.#held = this.#held.slice(this.#held.length - keep);
        return out;
      }
      out += this.#held.slice(0, start);
      this.#held = this.#held.slice(start);
      const end = fenceEnd(this.#held);
      if (end === undefined) return out;
      out += stripMetadataFences(this.#held.slice(0, end));
      this.#held = this.#held.slice(end);
    }
  }

  /** Everything still held, at the end of the answer (an unclosed fence is sent as it is). */
  flush(): string {
    const rest = stripMetadataFences(this.#held);
    this.#held = '';
    return rest;
  }
}

/** How many characters at the end of `text` could be the start of an opening fence. */
function partialOpeningAtEnd(text: string): number {
  for (let length = Math.min(OPENING.length - 1, text.length); length > 0; length -= 1) {
    if (OPENING.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/**
 * Where the fence at the start of `text` ends (after its closing line), or
 * undefined while that cannot be told yet: no closing fence, or nothing after
 * it to show whether a line break follows.
 */
function fenceEnd(text: string): number | undefined {
  const bodyStart = text.indexOf('\n', OPENING.length);
  if (bodyStart < 0) return undefined;
  CLOSING.lastIndex = bodyStart + 1;
  const closing = CLOSING.exec(text);
  if (!closing) return undefined;
  const end = closing.index + closing[0].length;
  if (closing[1] === undefined && end >= text.length - (text.endsWith('\r') ? 1 : 0)) return undefined;
  return end;
}
