/**
 * Turns messenger messages into employee turns. The platform's callback is
 * answered at once; the turn runs afterwards and its answer goes out through
 * the platform's send API. Retries of one message run one turn; messages of
 * one conversation run in order; sends are retried with back-off and their
 * failures reported in `health()`.
 */
import { LRUCache } from 'lru-cache';
import { withoutControlCharacters } from '../kb/control-chars.ts';
import { parseAnswer, readFeedbackMessage } from '../kb/feedback.ts';
import type { Logger } from '../logger.ts';
import { ExpertDesk, type ExpertDirectory } from './expert-desk.ts';
import type { HandoffStore } from './handoff-store.ts';
import { charLength, splitMessage } from './message-text.ts';
import { busyText, failedText, feedbackText, tooLongText, waitYourTurnText } from './replies.ts';
import { SEEN_MESSAGES_MAX, SEEN_MESSAGES_TTL_MS, type SeenMessageStore } from './seen-messages.ts';
import type {
  CallbackReply,
  ChannelAdapter,
  ChannelName,
  ChannelRequest,
  IncomingMessage,
  RateAnswer,
  ReplyTarget,
} from './types.ts';

/** One employee turn as a channel asks for it; the answer is the turn's whole text. */
export type AskEmployee = (turn: {
  /** Owner of the conversation: one per platform user and chat. */
  readonly ownerId: string;
  /** The user for the pool's per-user limits. */
  readonly userId: string;
  readonly message: string;
  readonly signal: AbortSignal;
}) => Promise<AskResult>;

export type AskResult =
  | { readonly kind: 'answer'; readonly text: string }
  /** The pool is full or draining: worth asking again shortly. */
  | { readonly kind: 'busy' }
  | { readonly kind: 'failed'; readonly reference: string };

export interface ChannelHealth {
  readonly channel: ChannelName;
  readonly lastEventAt?: number;
  readonly lastSendAt?: number;
  readonly lastSendError?: { readonly at: number; readonly message: string };
  readonly received: number;
  readonly duplicates: number;
  readonly sent: number;
  readonly sendFailures: number;
  readonly inFlight: number;
}

export interface ChannelRouterOptions {
  readonly adapters: readonly ChannelAdapter[];
  readonly ask: AskEmployee;
  readonly rate: RateAnswer;
  readonly experts: ExpertDirectory;
  readonly handoffs: HandoffStore;
  /**
   * Where the ids of taken messages outlive the process, so a callback
   * replayed after a restart runs no second turn. @default memory only
   */
  readonly seenMessages?: SeenMessageStore;
  readonly logger: Logger;
  /** How long a forwarded question waits for the expert. */
  readonly handoffTimeoutMs: number;
  /** Most messages being processed at once across channels; more are told to retry. */
  readonly maxInFlight?: number;
  /**
   * Longest message taken, in characters (the web's limit); a longer one runs
   * no turn and its sender is told. @default 20,000
   */
  readonly maxMessageChars?: number;
  /**
   * Most messages one conversation may have waiting behind its running turn;
   * more are told to wait, so that one sender cannot take every place of
   * `maxInFlight`. @default 4
   */
  readonly maxQueuedPerConversation?: number;
  /** Send attempts per message piece, and the first back-off (doubling, with jitter). */
  readonly sendAttempts?: number;
  readonly sendBackoffMs?: number;
  readonly now?: () => number;
}

type MutableHealth = { -readonly [K in keyof ChannelHealth]: ChannelHealth[K] };

/** Longest a channel turn may take before it is abandoned. */
const TURN_DEADLINE_MS = 5 * 60_000;

export class ChannelRouter {
  readonly #adapters = new Map<ChannelName, ChannelAdapter>();
  readonly #health = new Map<ChannelName, MutableHealth>();
  /** The fast path for retries in this process; `#seenStore` also knows those taken before a restart. */
  readonly #seen = new LRUCache<string, true>({ max: SEEN_MESSAGES_MAX, ttl: SEEN_MESSAGES_TTL_MS });
  readonly #seenStore: SeenMessageStore | undefined;
  /** The tail of each conversation's chain of messages: they run one after another. */
  readonly #chains = new Map<string, Promise<void>>();
  /** How many messages each conversation's chain holds (the running one and those waiting). */
  readonly #chainLengths = new Map<string, number>();
  readonly #ask: AskEmployee;
  readonly #rate: RateAnswer;
  readonly #desk: ExpertDesk;
  readonly #logger: Logger;
  readonly #maxInFlight: number;
  readonly #maxMessageChars: number;
  readonly #maxQueuedPerConversation: number;
  readonly #sendAttempts: number;
  readonly #sendBackoffMs: number;
  readonly #now: () => number;
  readonly #closing = new AbortController();
  #inFlight = 0;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: ChannelRouterOptions) {
    for (const adapter of options.adapters) {
      this.#adapters.set(adapter.name, adapter);
      this.#health.set(adapter.name, {
        channel: adapter.name,
        received: 0,
        duplicates: 0,
        sent: 0,
        sendFailures: 0,
        inFlight: 0,
      });
    }
    this.#ask = options.ask;
    this.#rate = options.rate;
    this.#logger = options.logger;
    this.#seenStore = options.seenMessages;
    this.#maxInFlight = options.maxInFlight ?? 200;
    this.#maxMessageChars = options.maxMessageChars ?? 20_000;
    this.#maxQueuedPerConversation = options.maxQueuedPerConversation ?? 4;
    this.#sendAttempts = options.sendAttempts ?? 4;
    this.#sendBackoffMs = options.sendBackoffMs ?? 500;
    this.#now = options.now ?? Date.now;
    this.#desk = new ExpertDesk({
      experts: options.experts,
      store: options.handoffs,
      timeoutMs: options.handoffTimeoutMs,
      now: this.#now,
      send: (channel, target, markdown) => this.#deliver(this.#adapter(channel), target, markdown),
      lookupUser: (channel, contact) => this.#adapter(channel).lookupUser(contact),
    });
  }

  get channels(): readonly ChannelName[] {
    return [...this.#adapters.keys()];
  }

  /**
   * Verifies and parses a callback and schedules its turn. Answers what the
   * platform must hear right away; throws ChannelAuthError on a bad signature.
   */
  async handle(channel: ChannelName, request: ChannelRequest): Promise<CallbackReply> {
    const adapter = this.#adapter(channel);
    const parsed = await adapter.parse(request);
    if (parsed.kind === 'message') await this.#accept(adapter, parsed.message);
    return parsed.reply;
  }

  health(): ChannelHealth[] {
    return [...this.#health.values()].map((h) => ({ ...h }));
  }

  pendingHandoffs(limit = 50) {
    return this.#desk.pending(limit);
  }

  /** Starts the sweep that tells askers their forwarded question timed out. */
  start(intervalMs = 60_000): void {
    this.#sweeper = setInterval(() => void this.sweepHandoffs(), intervalMs);
    this.#sweeper.unref();
  }

  sweepHandoffs(): Promise<number> {
    return this.#desk.expire().catch((error: unknown) => {
      this.#logger.error({ err: error }, 'expert hand-off sweep failed');
      return 0;
    });
  }

  /** Stops taking messages, abandons running turns and waits for their chains to settle. */
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#closing.abort(new Error('channels closing'));
    await Promise.allSettled([...this.#chains.values()]);
  }

  #adapter(channel: ChannelName): ChannelAdapter {
    const adapter = this.#adapters.get(channel);
    if (!adapter) throw new Error(`channel ${channel} is not configured`);
    return adapter;
  }

  async #accept(adapter: ChannelAdapter, received: IncomingMessage): Promise<void> {
    const health = this.#health.get(adapter.name)!;
    health.lastEventAt = this.#now();
    const key = `${adapter.name}:${received.messageId}`;
    const ids = {
      channel: adapter.name,
      messageId: received.messageId,
      userId: received.userId,
      chatId: received.chatId,
    };
    let duplicate = this.#seen.has(key);
    if (!duplicate) {
      // Remembered before the store is asked, so that a retry arriving meanwhile is dropped here.
      this.#seen.set(key, true);
      duplicate = !(await this.#claim(key));
    }
    if (duplicate) {
      health.duplicates += 1;
      this.#logger.debug(ids, 'channel message redelivered; dropped');
      return;
    }
    health.received += 1;
    if (this.#closing.signal.aborted) return;
    // The web's rule for text (src/http/validation.ts), kindly: control characters go, a too long message is answered.
    const message = { ...received, text: withoutControlCharacters(received.text).trim() };
    if (!message.text) return;
    const length = charLength(message.text);
    if (length > this.#maxMessageChars) {
      this.#logger.warn({ ...ids, length }, 'channel message refused: too long');
      void this.#deliver(adapter, message, tooLongText(message.text, this.#maxMessageChars)).catch(() => {});
      return;
    }
    const conversation = `${adapter.name}:${message.chatId}:${message.userId}`;
    const chainLength = this.#chainLengths.get(conversation) ?? 0;
    if (chainLength > this.#maxQueuedPerConversation) {
      this.#logger.warn(
        { ...ids, waiting: chainLength - 1 },
        'channel message refused: too many waiting in its conversation',
      );
      void this.#deliver(adapter, message, waitYourTurnText(message.text)).catch(() => {});
      return;
    }
    if (this.#inFlight >= this.#maxInFlight) {
      this.#logger.warn({ ...ids, inFlight: this.#inFlight }, 'channel message refused: too many in flight');
      void this.#deliver(adapter, message, busyText(message.text)).catch(() => {});
      return;
    }
    this.#logger.info(ids, 'channel message received');
    this.#inFlight += 1;
    health.inFlight += 1;
    this.#chainLengths.set(conversation, chainLength + 1);
    const previous = this.#chains.get(conversation) ?? Promise.resolve();
    const next = previous
      .then(() => this.#process(adapter, message, conversation))
      .catch((error: unknown) => {
        this.#logger.error(
          { err: error, channel: adapter.name, messageId: message.messageId },
          'channel message failed',
        );
      })
      .finally(() => {
        this.#inFlight -= 1;
        health.inFlight -= 1;
        const left = (this.#chainLengths.get(conversation) ?? 1) - 1;
        if (left > 0) this.#chainLengths.set(conversation, left);
        else this.#chainLengths.delete(conversation);
        if (this.#chains.get(conversation) === next) this.#chains.delete(conversation);
      });
    this.#chains.set(conversation, next);
  }

  /** False when the store has seen the id (before a restart); a store that fails lets the message through. */
  async #claim(key: string): Promise<boolean> {
    if (!this.#seenStore) return true;
    try {
      return await this.#seenStore.claim(key, this.#now());
    } catch (error) {
      this.#logger.error({ err: error, key }, 'seen-message store failed; message taken');
      return true;
    }
  }

  async #process(adapter: ChannelAdapter, message: IncomingMessage, conversation: string): Promise<void> {
    const step = await this.#desk.intercept(adapter.name, conversation, message);
    if (step.handled) return;
    const { question } = step;
    const ownerId = `${adapter.name}:${message.chatId}:${message.userId}`;
    const rating = readFeedbackMessage(question);
    if (rating) {
      const outcome = await this.#rate({ ownerId, ...rating });
      await this.#deliver(adapter, message, feedbackText(outcome, question));
      return;
    }
    if (adapter.typing) await adapter.typing(message).catch(() => {});
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(TURN_DEADLINE_MS)]);
    const result = await this.#ask({
      ownerId,
      userId: `${adapter.name}:${message.userId}`,
      message: question,
      signal,
    });
    if (result.kind === 'busy') {
      await this.#deliver(adapter, message, busyText(question));
      return;
    }
    if (result.kind === 'failed') {
      await this.#deliver(adapter, message, failedText(question, result.reference));
      return;
    }
    await this.#deliver(adapter, message, result.text);
    if (parseAnswer(result.text).citations.length === 0)
      await this.#desk.offer(adapter.name, conversation, message, question);
  }

  /** Renders, splits and sends one Markdown text, each piece with retries. */
  async #deliver(adapter: ChannelAdapter, target: ReplyTarget, markdown: string): Promise<void> {
    const health = this.#health.get(adapter.name)!;
    const pieces = splitMessage(adapter.render(markdown), adapter.maxMessageLength, adapter.measure ?? charLength);
    for (const piece of pieces) {
      for (let attempt = 1; ; attempt++) {
        try {
          await adapter.send(target, piece);
          health.sent += 1;
          health.lastSendAt = this.#now();
          break;
        } catch (error) {
          const retryable = (error as { retryable?: boolean }).retryable !== false;
          const text = error instanceof Error ? error.message : String(error);
          if (!retryable || attempt >= this.#sendAttempts || this.#closing.signal.aborted) {
            health.sendFailures += 1;
            health.lastSendError = { at: this.#now(), message: text };
            this.#logger.error(
              { channel: adapter.name, userId: target.userId, chatId: target.chatId, attempt, err: error },
              'channel send failed; giving up',
            );
            throw error;
          }
          this.#logger.warn(
            { channel: adapter.name, userId: target.userId, attempt, reason: text },
            'channel send retried',
          );
          // Full jitter: a random wait up to the doubled back-off.
          const wait = Math.random() * this.#sendBackoffMs * 2 ** (attempt - 1);
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    }
  }
}
