// Moving a document into another folder: POST /api/kb/move takes its images and data file along.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.ts';
import { errorMessage } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import type { KbNode } from './kb-tree.tsx';

export function MoveDialog({
  api,
  node,
  onClose,
  onMoved,
}: {
  api: ApiClient;
  node: KbNode;
  onClose: () => void;
  onMoved: (to: string) => void;
}) {
  const { t } = useI18n();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [folder, setFolder] = useState(node.path.includes('/') ? node.path.slice(0, node.path.lastIndexOf('/')) : '');
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);

  useEffect(() => {
    dialogRef.current?.showModal();
  }, []);

  const move = async (event: Event) => {
    event.preventDefault();
    setWorking(true);
    setError(null);
    try {
      const result = await api.post<{ moved: { from: string; to: string }[] }>('/api/kb/move', {
        path: node.path,
        folder: folder.trim(),
      });
      onMoved(result.moved[0]?.to ?? node.path);
    } catch (failure) {
      setError(errorMessage(failure));
      setWorking(false);
    }
  };

  return (
    <dialog ref={dialogRef} class="dialog" data-testid="move-dialog" onClose={onClose} onCancel={onClose}>
      <form onSubmit={move}>
        <h2>{t('kb.move.title', { name: node.name })}</h2>
        <label class="field">
          <span>{t('kb.move.folder')}</span>
          <input
            type="text"
            name="folder"
            data-testid="move-folder"
            maxLength={100}
            value={folder}
            onInput={(event) => {
              setFolder(event.currentTarget.value);
              setError(null);
            }}
          />
        </label>
        <p class="muted small">{t('kb.move.hint')}</p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <button type="button" class="button secondary" onClick={onClose}>
            {t('kb.delete.cancel')}
          </button>
          <button type="submit" class="button" data-testid="move-confirm" disabled={working}>
            {t('kb.move')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
