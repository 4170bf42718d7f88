/**
 * Expert hand-off in messengers: after an unanswered question Docent offers to
 * forward it to the domain expert of the experts table; on "yes" the expert
 * gets the question in their own chat, and their next message there is
 * relayed to the employee. With the expert's "FAQ" the pair joins the FAQ.
 * Pending questions are durable and time out with a note to the employee.
 */
import { randomBytes } from 'node:crypto';
import type { Expert, FeedbackInput, FeedbackResult } from '../kb/types.ts';
import type { Handoff, HandoffStore } from './handoff-store.ts';
import {
  expertRequestText,
  expiredText,
  forwardedText,
  handoffTag,
  isAddToFaq,
  isChinese,
  isYes,
  offerText,
  ownQuestion,
  relayConfirmText,
  relayedAnswerText,
} from './replies.ts';
import type { ChannelName, IncomingMessage, ReplyTarget } from './types.ts';

/** What the desk needs of the knowledge base. */
export interface ExpertDirectory {
  findExpert(question: string): Promise<Expert | undefined>;
  feedback(input: FeedbackInput): Promise<FeedbackResult>;
}

export interface ExpertDeskOptions {
  readonly experts: ExpertDirectory;
  readonly store: HandoffStore;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly send: (channel: ChannelName, target: ReplyTarget, markdown: string) => Promise<void>;
  readonly lookupUser: (channel: ChannelName, contact: string) => Promise<string | undefined>;
}

interface Offer {
  readonly question: string;
  readonly expert: Expert;
  readonly until: number;
}

/** How long an offer to forward stands, and how long after answering an expert may say "FAQ". */
const OFFER_TTL_MS = 10 * 60_000;
const FAQ_PERMISSION_MS = 60 * 60_000;
const MAX_OFFERS = 10_000;
/**
 * An answered or expired hand-off (an employee's question, an expert's answer) is deleted this long after
 * it was asked; what the expert added to the FAQ stays there. Each sweep deletes at most SETTLED_PER_SWEEP.
 */
export const SETTLED_HANDOFF_KEEP_MS = 30 * 24 * 60 * 60_000;
const SETTLED_PER_SWEEP = 500;

export type DeskStep = { readonly handled: true } | { readonly handled: false; readonly question: string };

export class ExpertDesk {
  readonly #options: ExpertDeskOptions;
  /** Open offers by conversation; in memory, as they only live for minutes. */
  readonly #offers = new Map<string, Offer>();

  constructor(options: ExpertDeskOptions) {
    this.#options = options;
  }

  pending(limit: number): Promise<Handoff[]> {
    return this.#options.store.listPending(limit);
  }

  /**
   * Handles the message when it belongs to a hand-off (an expert's answer, an
   * expert's "FAQ", an employee's "yes" to an offer); otherwise says which
   * question to ask the agent.
   */
  async intercept(channel: ChannelName, conversation: string, message: IncomingMessage): Promise<DeskStep> {
    const { store, now } = this.#options;
    const own = ownQuestion(message.text);
    if (own !== undefined) return { handled: false, question: own };

    const waiting = await store.pendingFor(channel, message.userId);
    if (waiting.length > 0) {
      await this.#relay(channel, message, waiting);
      return { handled: true };
    }
    if (isAddToFaq(message.text)) {
      const answered = await store.lastAnswered(channel, message.userId, now() - FAQ_PERMISSION_MS);
      if (answered?.answer) {
        const result = await this.#options.experts.feedback({
          question: answered.question,
          answer: answered.answer,
          satisfied: true,
          vouchedBy: answered.expertName,
        });
        await this.#options.send(channel, message, result.message);
        return { handled: true };
      }
    }
    const offer = this.#offers.get(conversation);
    this.#offers.delete(conversation);
    if (offer && offer.until > now() && isYes(message.text)) {
      await this.#forward(channel, message, offer);
      return { handled: true };
    }
    return { handled: false, question: message.text };
  }

  /** After an unanswered question: offer to forward it when an expert covers it. */
  async offer(channel: ChannelName, conversation: string, target: ReplyTarget, question: string): Promise<void> {
    const expert = await this.#options.experts.findExpert(question);
    if (!expert) return;
    if (this.#offers.size >= MAX_OFFERS) this.#offers.delete(this.#offers.keys().next().value!);
    this.#offers.set(conversation, { question, expert, until: this.#options.now() + OFFER_TTL_MS });
    await this.#options.send(channel, target, offerText(question, expert));
  }

  /** Marks overdue hand-offs expired and tells each employee; deletes the long-settled ones. */
  async expire(): Promise<number> {
    await this.#options.store.removeSettled(this.#options.now() - SETTLED_HANDOFF_KEEP_MS, SETTLED_PER_SWEEP);
    const due = await this.#options.store.expireDue(this.#options.now());
    for (const handoff of due) {
      await this.#options
        .send(
          handoff.channel,
          handoff.asker,
          expiredText(handoff.question, handoff.expertName, handoff.expiresAt - handoff.createdAt),
        )
        .catch(() => {});
    }
    return due.length;
  }

  async #forward(channel: ChannelName, asker: IncomingMessage, offer: Offer): Promise<void> {
    const { store, now, timeoutMs } = this.#options;
    const expertUserId = await this.#options.lookupUser(channel, offer.expert.contact);
    if (!expertUserId) {
      const contact = offer.expert.contact ? ` (${offer.expert.contact})` : '';
      const text = isChinese(offer.question)
        ? `无法在这里联系到 ${offer.expert.name}，请直接联系对方${contact}。`
        : `${offer.expert.name} cannot be reached here; please contact them directly${contact}.`;
      await this.#options.send(channel, asker, text);
      return;
    }
    const id = randomBytes(3).toString('hex');
    const created = now();
    await store.create({
      id,
      channel,
      asker: { userId: asker.userId, chatId: asker.chatId, ...(asker.threadId ? { threadId: asker.threadId } : {}) },
      question: offer.question,
      expertName: offer.expert.name,
      expertUserId,
      createdAt: created,
      expiresAt: created + timeoutMs,
    });
    const pendingCount = (await store.pendingFor(channel, expertUserId)).length;
    const expertChat: ReplyTarget = { userId: expertUserId, chatId: expertUserId };
    await this.#options.send(
      channel,
      expertChat,
      expertRequestText({ id, question: offer.question, askerId: asker.userId, pendingCount }),
    );
    await this.#options.send(channel, asker, forwardedText(offer.question, offer.expert.name, timeoutMs));
  }

  async #relay(channel: ChannelName, expert: IncomingMessage, waiting: readonly Handoff[]): Promise<void> {
    const tag = handoffTag(expert.text);
    const chosen = (tag && waiting.find((h) => h.id === tag.id)) || waiting[0]!;
    const answer = tag && chosen.id === tag.id ? tag.rest : expert.text.trim();
    if (!(await this.#options.store.answer(chosen.id, answer, this.#options.now()))) return;
    await this.#options.send(channel, chosen.asker, relayedAnswerText(chosen.question, chosen.expertName, answer));
    await this.#options.send(channel, expert, relayConfirmText(chosen.asker.userId));
  }
}
