// Messenger channels on the pool page: each configured channel's health (last
// event, sends, last send error) and the questions waiting for an expert.
// Polls GET /api/channels; shows nothing when no channel is configured.
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.ts';

interface ChannelHealthView {
  readonly channel: string;
  readonly lastEventAt?: number;
  readonly lastSendError?: { readonly at: number; readonly message: string };
  readonly received: number;
  readonly sent: number;
  readonly sendFailures: number;
}

interface HandoffView {
  readonly id: string;
  readonly channel: string;
  readonly question: string;
  readonly expertName: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const POLL_MS = 5000;

const when = (at: number | undefined) => (at ? new Date(at).toLocaleString() : '–');

export function ChannelsCard({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const [view, setView] = useState<{ channels: ChannelHealthView[]; pending: HandoffView[] } | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const body = await api.get<{ channels: ChannelHealthView[]; pending_handoffs: HandoffView[] }>(
          '/api/channels',
          controller.signal,
        );
        if (!stopped) setView({ channels: body.channels, pending: body.pending_handoffs });
      } catch {
        // The pool cards above already say when the server cannot be reached.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [api]);

  if (!view || view.channels.length === 0) return null;
  return (
    <section class="card channels-card" data-testid="channels-card">
      <h2>{t('channels.title')}</h2>
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">{t('channels.channel')}</th>
            <th scope="col">{t('channels.lastEvent')}</th>
            <th scope="col">{t('channels.received')}</th>
            <th scope="col">{t('channels.sent')}</th>
            <th scope="col">{t('channels.lastError')}</th>
          </tr>
        </thead>
        <tbody>
          {view.channels.map((c) => (
            <tr key={c.channel}>
              <td>{c.channel}</td>
              <td>{when(c.lastEventAt)}</td>
              <td>{c.received}</td>
              <td>
                {c.sent}
                {c.sendFailures > 0 && <span class="badge badge-failed">{c.sendFailures}</span>}
              </td>
              <td>{c.lastSendError ? `${when(c.lastSendError.at)}: ${c.lastSendError.message}` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('channels.pending', { n: view.pending.length })}</h3>
      {view.pending.length > 0 && (
        <ul class="handoff-list">
          {view.pending.map((h) => (
            <li key={h.id}>
              <strong>{h.expertName}</strong> ({h.channel}) · {h.question}{' '}
              <span class="muted small">{t('channels.until', { at: when(h.expiresAt) })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
