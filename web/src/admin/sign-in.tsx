// Sign-in with the admin token. The token is checked with GET /api/admin/check
// and kept in sessionStorage, so it lasts as long as the tab.
import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.ts';
import { Logo } from '../shared/icons.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';

const TOKEN_KEY = 'docent.adminToken';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage blocked: the token lives only in memory for this page.
  }
}

export async function checkToken(token: string): Promise<boolean> {
  try {
    await new ApiClient(token).get('/api/admin/check');
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return false;
    throw error;
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') return;
    setChecking(true);
    setError(null);
    try {
      if (await checkToken(value)) {
        // The admin cookie lets pages that cannot send the token (the original
        // admin client on this origin) act as this admin; best effort.
        await new ApiClient(value).post('/api/admin/session', {}).catch(() => undefined);
        storeToken(value);
        onSignedIn(value);
      } else {
        setError(t('signin.invalid'));
      }
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setChecking(false);
    }
  };

  return (
    <div class="signin-page">
      <div class="signin-lang">
        <LanguageSwitch />
      </div>
      <form class="signin-card" onSubmit={submit}>
        <div class="brand">
          <Logo />
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{t('admin.title')}</span>
        </div>
        <h1>{t('signin.title')}</h1>
        <label class="field">
          <span>{t('signin.token')}</span>
          <input
            type="password"
            name="token"
            data-testid="admin-token"
            autocomplete="current-password"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </label>
        <p class="muted small signin-hint">{t('signin.hint')}</p>
        {error && (
          <p class="error-text small" role="alert">
            {error}
          </p>
        )}
        <button
          type="submit"
          class="button primary block"
          data-testid="signin"
          disabled={checking || token.trim() === ''}
        >
          {t('signin.submit')}
        </button>
      </form>
    </div>
  );
}
