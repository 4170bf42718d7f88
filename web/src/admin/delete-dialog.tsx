// Two-step delete: POST /api/kb/delete plans it and lists what would go;
// only "Delete" here sends the plan's token to /api/kb/delete/confirm.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.ts';
import { errorMessage } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import type { KbNode } from './kb-tree.tsx';

interface DeletePlan {
  token: string;
  paths: string[];
}

export function DeleteDialog({
  api,
  node,
  onClose,
  onDeleted,
}: {
  api: ApiClient;
  node: KbNode;
  onClose: () => void;
  onDeleted: (count: number) => void;
}) {
  const { t } = useI18n();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<DeletePlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);

  useEffect(() => {
    dialogRef.current?.showModal();
    const controller = new AbortController();
    api
      .post<DeletePlan>('/api/kb/delete', { path: node.path }, controller.signal)
      .then(setPlan)
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(failure));
      });
    return () => controller.abort();
  }, [api, node.path]);

  const confirm = async () => {
    if (!plan) return;
    setWorking(true);
    setError(null);
    try {
      const result = await api.post<{ deleted: string[] | number }>('/api/kb/delete/confirm', { token: plan.token });
      onDeleted(Array.isArray(result.deleted) ? result.deleted.length : Number(result.deleted) || plan.paths.length);
    } catch (failure) {
      setError(errorMessage(failure));
      setWorking(false);
    }
  };

  return (
    <dialog ref={dialogRef} class="dialog" data-testid="delete-dialog" onClose={onClose} onCancel={onClose}>
      <h2>{t('kb.delete.confirmTitle')}</h2>
      {!plan && !error && <p class="muted">{t('common.loading')}</p>}
      {plan && (
        <>
          <p>{t('kb.delete.confirmBody')}</p>
          <ul class="delete-paths">
            {plan.paths.map((path) => (
              <li key={path}>
                <code>{path}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="button" class="button secondary" onClick={onClose}>
          {t('kb.delete.cancel')}
        </button>
        <button
          type="button"
          class="button danger"
          data-testid="delete-confirm"
          disabled={!plan || working}
          onClick={confirm}
        >
          {t('kb.delete.confirm')}
        </button>
      </div>
    </dialog>
  );
}
