/**
 * The channel layer's vocabulary: a messenger platform (WeCom, Feishu, Slack)
 * delivers callbacks that an adapter verifies and parses, and the router turns
 * each message into an employee turn whose answer the adapter sends back.
 */

import type { FeedbackResult } from '../kb/types.ts';

export type ChannelName = 'wecom' | 'feishu' | 'slack';

/** A callback as the HTTP layer received it; the raw body is what signatures cover. */
export interface ChannelRequest {
  readonly method: 'GET' | 'POST';
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: string;
}

/** Where a reply goes: the user, the chat they wrote in, and the thread if any. */
export interface ReplyTarget {
  readonly userId: string;
  readonly chatId: string;
  /** Platform thread to answer in (Slack thread_ts, Feishu message id to reply to). */
  readonly threadId?: string;
}

export interface IncomingMessage extends ReplyTarget {
  /** The platform's own id for this message: retries of one message share it. */
  readonly messageId: string;
  readonly text: string;
}

/** What the HTTP layer answers the platform, at once, before any turn runs. */
export interface CallbackReply {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

export type ParsedCallback =
  | { readonly kind: 'reply'; readonly reply: CallbackReply }
  | { readonly kind: 'message'; readonly message: IncomingMessage; readonly reply: CallbackReply };

/** One messenger platform. Adapters know the platform; nothing of pools or sessions. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** Longest text one platform message may carry, as `measure` counts it. */
  readonly maxMessageLength: number;
  /** How the platform counts length (characters unless said otherwise). */
  readonly measure?: (text: string) => number;
  /**
   * Verifies and parses a callback. Throws ChannelAuthError when the signature
   * or token is wrong: the HTTP layer answers 401 and nothing runs.
   */
  parse(request: ChannelRequest): Promise<ParsedCallback>;
  /** Sends one message (already within `maxMessageLength`, in the platform's markup). */
  send(target: ReplyTarget, text: string): Promise<void>;
  /** Converts Docent's Markdown answer into what the platform renders. */
  render(markdown: string): string;
  /** The platform user id for an expert's contact (an email or a platform id), if any. */
  lookupUser(contact: string): Promise<string | undefined>;
  /** A "thinking" hint while the answer is written, where the platform has one. */
  typing?(target: ReplyTarget): Promise<void>;
}

/**
 * In-chat feedback ("满意", "不满意 + reason", "helpful") on the newest answer
 * of the conversation, the way the web's buttons rate a stored turn.
 */
export type RateAnswer = (rating: {
  readonly ownerId: string;
  readonly satisfied: boolean;
  readonly reason?: string;
}) => Promise<RatingOutcome>;

export type RatingOutcome =
  | { readonly kind: 'rated'; readonly action: FeedbackResult['action'] }
  /** That answer was rated before: one answer counts once. */
  | { readonly kind: 'already' }
  /** Nothing to rate: no answer yet, or praise for an answer without sources (it must not become an FAQ row). */
  | { readonly kind: 'nothing' };

/**
 * How long the router remembers a message id, and so the oldest (or furthest
 * ahead) signed timestamp a callback may carry: a captured callback replayed
 * later is either a remembered id (dropped) or too old (refused), never a
 * second turn. Also the clock skew tolerated between platform and server.
 */
export const REPLAY_WINDOW_MS = 60 * 60_000;

/** Refuses a signed timestamp (epoch seconds, as the platform sent it) outside the replay window. */
export function checkSignedTimestamp(seconds: string, now: number): void {
  const skewMs = Math.abs(now - Number(seconds) * 1000);
  if (!/^\d{1,12}$/.test(seconds) || !(skewMs <= REPLAY_WINDOW_MS)) {
    throw new ChannelAuthError('request timestamp outside the replay window');
  }
}

export class ChannelAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelAuthError';
  }
}

/** A platform answered a send with an error (non-2xx, or an error code in its body). */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    /** Worth trying again (network, rate limit, 5xx) or not (bad recipient, bad token after a refresh). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

export const jsonReply = (body: unknown, status = 200): CallbackReply => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
});

export const textReply = (body: string, status = 200): CallbackReply => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});
