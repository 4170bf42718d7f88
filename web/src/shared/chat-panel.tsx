// A conversation: the messages (answers as sanitised Markdown with tool
// activity and, for employees, feedback), the notices, and the composer.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api.ts';
import { BusyNotice } from './busy-notice.tsx';
import { FeedbackBar } from './feedback-bar.tsx';
import { useI18n } from './i18n.ts';
import { CloseIcon, Logo } from './icons.tsx';
import type { Citation } from './markdown.ts';
import { MarkdownView } from './markdown-view.tsx';
import { ToolActivityList } from './tool-activity.tsx';
import type { ChatController, ChatMessage } from './use-chat.ts';

export interface ChatPanelProps {
  api: ApiClient;
  chat: ChatController;
  placeholder: string;
  withFeedback: boolean;
  onCitation: (citation: Citation) => void;
  /** The empty conversation's heading and text (each agent says what it does). */
  emptyTitle?: string;
  emptyBody?: string;
}

function AnswerView({
  message,
  api,
  chat,
  withFeedback,
  onCitation,
}: { message: ChatMessage } & Omit<ChatPanelProps, 'placeholder'>) {
  const { t } = useI18n();
  const streaming = message.status === 'streaming';
  return (
    <article class="message assistant" data-testid="answer" data-status={message.status} data-chunks={message.chunks}>
      <div class="avatar" aria-hidden="true">
        D
      </div>
      <div class="bubble">
        <ToolActivityList tools={message.tools} active={streaming} />
        {message.content !== '' && (
          <MarkdownView source={message.content} onCitation={onCitation} streaming={streaming} />
        )}
        {streaming && (
          <p class="working" aria-live="polite">
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {message.content === '' ? t('chat.thinking') : ''}
          </p>
        )}
        {message.status === 'error' && (
          <p class="error-text" role="alert">
            {message.cutShort ? t('chat.cutShort') : t('chat.error', { message: message.error ?? '' })}
          </p>
        )}
        {message.status === 'stopped' && <p class="muted small">{t('chat.stopped')}</p>}
        {message.status === 'done' && (
          <footer class="answer-footer">
            {message.durationMs !== undefined && (
              <span class="muted small">
                {message.durationMs < 1000
                  ? t('chat.durationMs', { ms: Math.round(message.durationMs) })
                  : t('chat.duration', { s: (message.durationMs / 1000).toFixed(1) })}
              </span>
            )}
            {withFeedback && message.content !== '' && chat.sessionId && (
              <FeedbackBar api={api} answer={message.content} sessionId={chat.sessionId} />
            )}
          </footer>
        )}
      </div>
    </article>
  );
}

/** Markdown as plain words, for the screen-reader announcement. */
function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/[#*_`>|]+/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function ChatPanel(props: ChatPanelProps) {
  const { chat, placeholder } = props;
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  // Screen readers hear each finished answer once (the streaming text itself is not announced piece by piece).
  const lastDone = [...chat.messages].reverse().find((m) => m.role === 'assistant' && m.status === 'done');
  const announcement = lastDone ? plainText(lastDone.content).slice(0, 600) : '';

  const lastContentLength = chat.messages.reduce((sum, m) => sum + m.content.length + m.tools.length, 0);
  useEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [chat.messages.length, lastContentLength, chat.busy, chat.resumeNotice]);

  const submit = () => {
    if (chat.running || draft.trim() === '') return;
    chat.send(draft);
    setDraft('');
    stickToBottom.current = true;
  };

  return (
    <section class="chat">
      <div class="visually-hidden" aria-live="polite" data-testid="answer-announcer">
        {announcement}
      </div>
      <div
        class="messages"
        ref={listRef}
        onScroll={(event) => {
          const el = event.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        {chat.messages.length === 0 && (
          <div class="empty-state">
            <Logo size={48} />
            <h2>{props.emptyTitle ?? t('chat.empty.title')}</h2>
            <p class="muted">{props.emptyBody ?? t('chat.empty.body')}</p>
          </div>
        )}
        {chat.messages.map((message) =>
          message.role === 'user' ? (
            <article key={message.id} class="message user" data-testid="question">
              <div class="bubble">{message.content}</div>
            </article>
          ) : (
            <AnswerView key={message.id} message={message} {...props} />
          ),
        )}
        {chat.resumeNotice && (
          <div class="notice notice-info" role="status" data-testid="resume-notice">
            <div>
              <strong>{t('chat.notResumed')}</strong>
              {chat.resumeNotice.reason && (
                <div class="small muted">{t('chat.notResumed.reason', { reason: chat.resumeNotice.reason })}</div>
              )}
            </div>
            <button
              type="button"
              class="icon-button close"
              aria-label={t('source.close')}
              onClick={chat.dismissResumeNotice}
            >
              <CloseIcon />
            </button>
          </div>
        )}
        {chat.busy && <BusyNotice busy={chat.busy} onCancel={chat.stop} />}
      </div>
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <textarea
          data-testid="composer"
          rows={1}
          maxLength={8000}
          placeholder={placeholder}
          aria-label={placeholder}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        {chat.running ? (
          <button type="button" class="button secondary" data-testid="stop" onClick={chat.stop}>
            {t('chat.stop')}
          </button>
        ) : (
          <button type="submit" class="button primary" data-testid="send" disabled={draft.trim() === ''}>
            {t('chat.send')}
          </button>
        )}
      </form>
    </section>
  );
}
