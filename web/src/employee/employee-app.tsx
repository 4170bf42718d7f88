// The employee chat at `/`: conversations on the left, the chat in the
// middle, the cited source on the right.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from '../shared/api.ts';
import { ChatPanel } from '../shared/chat-panel.tsx';
import { useI18n } from '../shared/i18n.ts';
import { Logo, MenuIcon, PlusIcon } from '../shared/icons.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import type { Citation } from '../shared/markdown.ts';
import { SourcePane } from '../shared/source-pane.tsx';
import { useChat } from '../shared/use-chat.ts';
import { HistoryList, type SessionSummary } from './history-list.tsx';

interface SessionMessages {
  session_id: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string; at?: string | number }>;
}

export function EmployeeApp() {
  const { t } = useI18n();
  const api = useMemo(() => new ApiClient(), []);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [citation, setCitation] = useState<Citation | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** Narrow screens: the conversation list is a drawer behind the menu button. */
  const [historyOpen, setHistoryOpen] = useState(false);

  const refreshSessions = useCallback(() => {
    api
      .get<{ sessions: SessionSummary[] }>('/api/sessions')
      .then((body) => setSessions(Array.isArray(body.sessions) ? body.sessions : []))
      .catch(() => {
        // The list is a convenience: the chat works without it.
      });
  }, [api]);

  const chat = useChat({ api, streamPath: '/api/user/query', onTurnEnd: refreshSessions });

  useEffect(() => {
    refreshSessions();
  }, [refreshSessions]);

  const openSession = async (sessionId: string) => {
    setLoadError(null);
    try {
      const body = await api.get<SessionMessages>(`/api/sessions/${encodeURIComponent(sessionId)}/messages`);
      chat.load(sessionId, body.messages ?? []);
      setCitation(null);
      setHistoryOpen(false);
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
    }
  };

  const deleteSession = async (sessionId: string) => {
    try {
      await api.delete(`/api/session/${encodeURIComponent(sessionId)}`);
      if (sessionId === chat.sessionId) newConversation();
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
    }
    refreshSessions();
  };

  const newConversation = () => {
    chat.reset();
    setCitation(null);
    setLoadError(null);
    setHistoryOpen(false);
  };

  const layoutClass = ['layout', 'employee', citation ? 'with-source' : '', historyOpen ? 'history-open' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div class={layoutClass}>
      <header class="topbar">
        <button
          type="button"
          class="icon-button menu-button"
          data-testid="history-toggle"
          aria-label={t('history.title')}
          aria-expanded={historyOpen}
          aria-controls="history"
          onClick={() => setHistoryOpen((open) => !open)}
        >
          <MenuIcon size={18} />
        </button>
        <div class="brand">
          <Logo />
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{t('app.tagline')}</span>
        </div>
        <div class="topbar-actions">
          <button
            type="button"
            class="button secondary"
            data-testid="new-conversation"
            aria-label={t('chat.new')}
            onClick={newConversation}
          >
            <PlusIcon size={14} /> <span class="button-label">{t('chat.new')}</span>
          </button>
          <LanguageSwitch />
        </div>
      </header>
      <aside class="sidebar" id="history">
        <HistoryList sessions={sessions} activeId={chat.sessionId} onOpen={openSession} onDelete={deleteSession} />
      </aside>
      <main class="main">
        {loadError && (
          <div class="notice notice-error" role="alert">
            {t('chat.loadError', { message: loadError })}
          </div>
        )}
        <ChatPanel
          api={api}
          chat={chat}
          placeholder={t('chat.placeholder')}
          withFeedback={true}
          onCitation={setCitation}
        />
      </main>
      {citation && <SourcePane api={api} citation={citation} onClose={() => setCitation(null)} />}
    </div>
  );
}
