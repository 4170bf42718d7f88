// This browser user's past conversations, newest first; one click reopens one.
import { useI18n } from '../shared/i18n.ts';
import { TrashIcon } from '../shared/icons.tsx';

export interface SessionSummary {
  session_id: string;
  title: string | null;
  created_at: string | number;
  last_active: string | number;
  turns: number;
}

function toDate(value: string | number): Date {
  // Epoch seconds (the original API's style) or an ISO string.
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value);
  return new Date(value);
}

export function HistoryList({
  sessions,
  activeId,
  onOpen,
  onDelete,
}: {
  sessions: SessionSummary[];
  activeId: string | null;
  onOpen: (sessionId: string) => void;
  onDelete: (sessionId: string) => void;
}) {
  const { t, language } = useI18n();
  const format = new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (
    <nav class="history" aria-label={t('history.title')} data-testid="history">
      <h2 class="section-title">{t('history.title')}</h2>
      {sessions.length === 0 && <p class="muted small pad-x">{t('history.empty')}</p>}
      <ul>
        {sessions.map((session) => {
          const when = toDate(session.last_active);
          return (
            <li key={session.session_id} class="history-entry">
              <button
                type="button"
                class={session.session_id === activeId ? 'history-item active' : 'history-item'}
                onClick={() => onOpen(session.session_id)}
              >
                <span class="history-title">{session.title || t('history.untitled')}</span>
                <span class="history-meta">
                  {Number.isNaN(when.getTime()) ? '' : format.format(when)} · {t('history.turns', { n: session.turns })}
                </span>
              </button>
              <button
                type="button"
                class="icon-button history-delete"
                data-testid="history-delete"
                title={t('history.delete')}
                aria-label={t('history.delete')}
                onClick={() => onDelete(session.session_id)}
              >
                <TrashIcon size={14} />
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
