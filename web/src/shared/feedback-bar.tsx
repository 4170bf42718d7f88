// Satisfied / not satisfied under an answer, with an optional reason, sent to
// POST /api/feedback. The server finds the answer in the session by its text
// and acts on its own stored copy.
import { useState } from 'preact/hooks';
import type { ApiClient } from './api.ts';
import { useI18n } from './i18n.ts';
import { CheckIcon, ThumbDownIcon, ThumbUpIcon } from './icons.tsx';

export interface FeedbackBarProps {
  api: ApiClient;
  answer: string;
  sessionId: string;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'reason' }
  | { kind: 'sending' }
  | { kind: 'sent' }
  | { kind: 'failed'; message: string };

export function FeedbackBar({ api, answer, sessionId }: FeedbackBarProps) {
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [reason, setReason] = useState('');
  const [choice, setChoice] = useState<boolean | null>(null);

  const submit = async (satisfied: boolean, why: string) => {
    setChoice(satisfied);
    setPhase({ kind: 'sending' });
    try {
      await api.post('/api/feedback', {
        session_id: sessionId,
        answer,
        satisfied,
        ...(why.trim() ? { reason: why.trim() } : {}),
      });
      setPhase({ kind: 'sent' });
    } catch (error) {
      setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  if (phase.kind === 'sent') {
    return (
      <div class="feedback done" data-testid="feedback-thanks">
        {choice ? <ThumbUpIcon /> : <ThumbDownIcon />}
        <CheckIcon size={14} />
        {t('feedback.thanks')}
      </div>
    );
  }

  return (
    <div class={phase.kind === 'reason' ? 'feedback expanded' : 'feedback'}>
      {phase.kind !== 'reason' && (
        <div class="feedback-row">
          <span class="feedback-prompt">{t('feedback.prompt')}</span>
          <button
            type="button"
            class="icon-button"
            data-testid="feedback-up"
            title={t('feedback.up')}
            aria-label={t('feedback.up')}
            disabled={phase.kind === 'sending'}
            onClick={() => submit(true, '')}
          >
            <ThumbUpIcon />
          </button>
          <button
            type="button"
            class="icon-button"
            data-testid="feedback-down"
            title={t('feedback.down')}
            aria-label={t('feedback.down')}
            disabled={phase.kind === 'sending'}
            onClick={() => setPhase({ kind: 'reason' })}
          >
            <ThumbDownIcon />
          </button>
          {phase.kind === 'failed' && <span class="error-text">{t('feedback.error', { message: phase.message })}</span>}
        </div>
      )}
      {phase.kind === 'reason' && (
        <form
          class="feedback-form"
          onSubmit={(event) => {
            event.preventDefault();
            submit(false, reason);
          }}
        >
          <textarea
            rows={2}
            maxLength={2000}
            placeholder={t('feedback.reason')}
            aria-label={t('feedback.reason')}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          <div class="form-actions">
            <button type="button" class="button ghost" onClick={() => setPhase({ kind: 'idle' })}>
              {t('feedback.cancel')}
            </button>
            <button type="submit" class="button primary" data-testid="feedback-submit">
              {t('feedback.submit')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
