// "All assistants are busy, retrying in N s": counts down to the automatic retry.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n.ts';
import type { BusyState } from './use-chat.ts';

export function BusyNotice({ busy, onCancel }: { busy: BusyState; onCancel: () => void }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((busy.retryAt - now) / 1000));
  return (
    <div class="notice notice-warn" role="status" data-testid="busy-notice">
      <span class="spinner" aria-hidden="true" />
      <span>{t('chat.busy', { n: seconds })}</span>
      <button type="button" class="link-button" onClick={onCancel}>
        {t('chat.busy.cancel')}
      </button>
    </div>
  );
}
