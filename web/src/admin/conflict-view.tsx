// A conflict found while ingesting: what the knowledge base already says and
// what the new document says, side by side, as plain text.
import type { IngestFileResult } from '../shared/events.ts';
import { useI18n } from '../shared/i18n.ts';

function linesLabel(lines: unknown): string {
  if (Array.isArray(lines) && lines.length > 0) return `:${lines.join('-')}`;
  if (typeof lines === 'string' && lines !== '') return `:${lines}`;
  if (typeof lines === 'number') return `:${lines}`;
  return '';
}

export function ConflictView({
  result,
  onAddAnyway,
  onSkip,
}: {
  result: IngestFileResult;
  onAddAnyway: () => void;
  onSkip: () => void;
}) {
  const { t } = useI18n();
  return (
    <div class="conflicts" data-testid="conflicts">
      {result.reason && <p class="small row-detail">{result.reason}</p>}
      {(result.conflicts ?? []).map((conflict, index) => (
        <div class="conflict" key={`${conflict.existingPath}-${index}`}>
          <div class="conflict-kind">{conflict.kind}</div>
          <div class="conflict-sides">
            <div class="conflict-side existing">
              <div class="eyebrow">
                {t('ingest.conflict.existing')} ·{' '}
                <code>
                  {conflict.existingPath}
                  {linesLabel(conflict.existingLines)}
                </code>
              </div>
              <pre>{conflict.existingText}</pre>
            </div>
            <div class="conflict-side incoming">
              <div class="eyebrow">{t('ingest.conflict.incoming')}</div>
              <pre>{conflict.incomingText}</pre>
            </div>
          </div>
        </div>
      ))}
      <div class="form-actions">
        <button type="button" class="button secondary" data-testid="conflict-skip" onClick={onSkip}>
          {t('ingest.conflict.skip')}
        </button>
        <button type="button" class="button primary" data-testid="conflict-add" onClick={onAddAnyway}>
          {t('ingest.conflict.addAnyway')}
        </button>
      </div>
    </div>
  );
}
