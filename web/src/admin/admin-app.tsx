// The admin console at `/admin`: sign-in, then chat, upload, knowledge base
// and pool dashboard as tabs.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from '../shared/api.ts';
import { ChatPanel } from '../shared/chat-panel.tsx';
import { useI18n } from '../shared/i18n.ts';
import { Logo, PlusIcon } from '../shared/icons.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import type { Citation } from '../shared/markdown.ts';
import { SourcePane } from '../shared/source-pane.tsx';
import { useChat } from '../shared/use-chat.ts';
import { KbPanel } from './kb-panel.tsx';
import { PoolDashboard } from './pool-dashboard.tsx';
import { checkToken, SignIn, storedToken, storeToken } from './sign-in.tsx';
import { UploadPanel } from './upload-panel.tsx';

type Tab = 'chat' | 'upload' | 'kb' | 'pool';
const TABS: Tab[] = ['chat', 'upload', 'kb', 'pool'];

function tabFromHash(): Tab {
  const name = location.hash.replace(/^#/, '');
  return (TABS as string[]).includes(name) ? (name as Tab) : 'chat';
}

function Console({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const { t } = useI18n();
  const api = useMemo(() => new ApiClient(token, onSignOut), [token, onSignOut]);
  const [tab, setTab] = useState<Tab>(tabFromHash);
  const [citation, setCitation] = useState<Citation | null>(null);
  const chat = useChat({ api, streamPath: '/api/query/stream' });

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const choose = (next: Tab) => {
    history.replaceState(null, '', `#${next}`);
    setTab(next);
  };

  const showSource = tab === 'chat' && citation !== null;
  return (
    <div class={showSource ? 'layout admin with-source' : 'layout admin'}>
      <header class="topbar">
        <div class="brand">
          <Logo />
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{t('admin.title')}</span>
        </div>
        <nav class="tabs" aria-label={t('admin.title')}>
          {TABS.map((name) => (
            <button
              type="button"
              key={name}
              data-testid={`tab-${name}`}
              class={tab === name ? 'tab active' : 'tab'}
              aria-current={tab === name ? 'page' : undefined}
              onClick={() => choose(name)}
            >
              {t(`tab.${name}`)}
            </button>
          ))}
        </nav>
        <div class="topbar-actions">
          {tab === 'chat' && (
            <button
              type="button"
              class="button secondary"
              onClick={() => {
                chat.reset();
                setCitation(null);
              }}
            >
              <PlusIcon size={14} /> {t('chat.new')}
            </button>
          )}
          <LanguageSwitch />
          <button type="button" class="button ghost" data-testid="signout" onClick={onSignOut}>
            {t('signin.signout')}
          </button>
        </div>
      </header>
      <main class="main">
        {/* The chat stays mounted so a running turn survives a tab switch. */}
        <div class={tab === 'chat' ? 'tab-page chat-page' : 'tab-page hidden'}>
          <ChatPanel
            api={api}
            chat={chat}
            placeholder={t('admin.chat.placeholder')}
            emptyTitle={t('admin.chat.empty.title')}
            emptyBody={t('admin.chat.empty.body')}
            withFeedback={false}
            onCitation={setCitation}
          />
        </div>
        {tab === 'upload' && <UploadPanel api={api} />}
        {tab === 'kb' && <KbPanel api={api} />}
        {tab === 'pool' && <PoolDashboard api={api} />}
      </main>
      {showSource && citation && <SourcePane api={api} citation={citation} onClose={() => setCitation(null)} />}
    </div>
  );
}

export function AdminApp() {
  const [token, setToken] = useState<string | null>(storedToken);
  const [verified, setVerified] = useState(false);
  // Stable, because the API client (and every effect that uses it) is built from it.
  const signOut = useCallback(() => {
    new ApiClient(null).delete('/api/admin/session').catch(() => undefined);
    storeToken(null);
    setVerified(false);
    setToken(null);
  }, []);

  useEffect(() => {
    if (token === null || verified) return;
    // A token kept from earlier in this tab may have been rotated since.
    checkToken(token)
      .then((ok) => {
        if (ok) setVerified(true);
        else {
          storeToken(null);
          setToken(null);
        }
      })
      .catch(() => setVerified(true));
  }, [token, verified]);

  if (token === null) {
    return (
      <SignIn
        onSignedIn={(value) => {
          setToken(value);
          setVerified(true);
        }}
      />
    );
  }
  if (!verified) return null;
  return <Console token={token} onSignOut={signOut} />;
}
