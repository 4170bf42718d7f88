// The FAQ and bad-case lists of the knowledge base.
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.ts';
import { errorMessage } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import type { Citation } from '../shared/markdown.ts';
import { MarkdownView } from '../shared/markdown-view.tsx';

interface FaqEntry {
  question: string;
  answer: string;
  usage: number;
}
interface BadCaseEntry {
  date: string;
  question: string;
  answer: string;
  feedback: string;
  source: string;
}

function useEntries<T>(api: ApiClient, path: string) {
  const [entries, setEntries] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<{ entries: T[] }>(path, controller.signal)
      .then((body) => setEntries(Array.isArray(body.entries) ? body.entries : []))
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(failure));
      });
    return () => controller.abort();
  }, [api, path]);
  return { entries, error };
}

export function FaqList({ api, onCitation }: { api: ApiClient; onCitation: (citation: Citation) => void }) {
  const { t } = useI18n();
  const { entries, error } = useEntries<FaqEntry>(api, '/api/kb/faq');
  if (error) return <p class="error-text pad">{error}</p>;
  if (!entries) return <p class="muted pad">{t('common.loading')}</p>;
  if (entries.length === 0) return <p class="muted pad">{t('kb.faq.empty')}</p>;
  return (
    <table class="data-table" data-testid="faq-table">
      <thead>
        <tr>
          <th>{t('kb.col.question')}</th>
          <th>{t('kb.col.answer')}</th>
          <th class="num">{t('kb.col.usage')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry, index) => (
          <tr key={`${entry.question}-${index}`}>
            <td>{entry.question}</td>
            <td class="clamp">
              <MarkdownView source={entry.answer} onCitation={onCitation} />
            </td>
            <td class="num">{entry.usage}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BadCaseList({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const { entries, error } = useEntries<BadCaseEntry>(api, '/api/kb/badcases');
  if (error) return <p class="error-text pad">{error}</p>;
  if (!entries) return <p class="muted pad">{t('common.loading')}</p>;
  if (entries.length === 0) return <p class="muted pad">{t('kb.badcases.empty')}</p>;
  return (
    <table class="data-table" data-testid="badcase-table">
      <thead>
        <tr>
          <th>{t('kb.col.date')}</th>
          <th>{t('kb.col.question')}</th>
          <th>{t('kb.col.answer')}</th>
          <th>{t('kb.col.feedback')}</th>
          <th>{t('kb.col.source')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry, index) => (
          <tr key={`${entry.date}-${index}`}>
            <td class="nowrap">{entry.date}</td>
            <td>{entry.question}</td>
            <td class="clamp">{entry.answer}</td>
            <td>{entry.feedback}</td>
            <td>{entry.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
