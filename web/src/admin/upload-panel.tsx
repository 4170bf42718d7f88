// Upload: drop several files, each uploads with its own progress bar, then
// "Add to knowledge base" ingests them with live progress per file; conflicts
// are shown side by side with "add anyway" (re-ingest with force) or "skip".
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiClient, ApiError } from '../shared/api.ts';
import type { IngestEvent, IngestFileResult } from '../shared/events.ts';
import { errorMessage, formatBytes } from '../shared/format.ts';
import { type MessageKey, type Translate, useI18n } from '../shared/i18n.ts';
import { FileIcon, UploadIcon } from '../shared/icons.tsx';
import { readJsonEvents } from '../shared/sse.ts';
import { ConflictView } from './conflict-view.tsx';
import { type UploadedFile, uploadFile } from './upload-request.ts';

export interface UploadItem {
  key: number;
  file: File;
  progress: number;
  state: 'waiting' | 'uploading' | 'uploaded' | 'failed';
  error?: string;
  uploaded?: UploadedFile;
  ingestStage?: string;
  ingestMessage?: string;
  ingesting?: boolean;
  result?: IngestFileResult;
}

interface TreeNode {
  type: 'dir' | 'file';
  path: string;
  children?: TreeNode[];
}

/** Every folder of the tree that holds documents (not Docent's generated ones). */
function folderPaths(node: TreeNode): string[] {
  const out: string[] = [];
  for (const child of node.children ?? []) {
    if (child.type !== 'dir' || child.path.startsWith('contents_overview') || child.path.startsWith('.')) continue;
    out.push(child.path, ...folderPaths(child));
  }
  return out;
}

/** The batch item an ingest event names: by file name, else by position. */
function itemFor(batch: UploadItem[], name: string, position: number): UploadItem | undefined {
  return batch.find((item) => item.file.name === name) ?? batch[position];
}

/** Uploads at once; the rest wait, so ten large files do not saturate the link together. */
const PARALLEL_UPLOADS = 3;
let nextKey = 1;

export function UploadPanel({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [ingestError, setIngestError] = useState<string | null>(null);
  const [ingesting, setIngesting] = useState(false);
  const queue = useRef<UploadItem[]>([]);
  const active = useRef(0);
  const inputRef = useRef<HTMLInputElement>(null);
  /** '' lets Docent choose (where the most similar documents are). */
  const [folder, setFolder] = useState('');
  const [folders, setFolders] = useState<string[]>([]);

  useEffect(() => {
    api
      .get<TreeNode>('/api/kb/tree')
      .then((root) => setFolders(folderPaths(root)))
      .catch(() => {
        // Without the list the choice stays automatic.
      });
  }, [api]);

  const patch = (key: number, change: Partial<UploadItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const pump = () => {
    while (active.current < PARALLEL_UPLOADS && queue.current.length > 0) {
      const item = queue.current.shift()!;
      active.current++;
      patch(item.key, { state: 'uploading' });
      uploadFile(item.file, api.authHeaders(), (progress) => patch(item.key, { progress }))
        .then((uploaded) => patch(item.key, { state: 'uploaded', progress: 1, uploaded }))
        .catch((error: unknown) => {
          if (error instanceof ApiError) api.reportUnauthorized(error.status);
          patch(item.key, { state: 'failed', error: errorMessage(error) });
        })
        .finally(() => {
          active.current--;
          pump();
        });
    }
  };

  const addFiles = (files: FileList | File[] | null) => {
    if (!files || files.length === 0) return;
    const added = Array.from(files).map(
      (file): UploadItem => ({ key: nextKey++, file, progress: 0, state: 'waiting' }),
    );
    setItems((list) => [...list, ...added]);
    queue.current.push(...added);
    pump();
  };

  const runIngest = async (batch: UploadItem[], force: boolean) => {
    setIngestError(null);
    setIngesting(true);
    for (const item of batch) patch(item.key, { ingesting: true, result: undefined, ingestStage: 'queued' });
    try {
      const response = await api.openStream('POST', '/api/kb/ingest', {
        files: batch.map((item) => item.uploaded!.temp_path),
        ...(force ? { force: true } : {}),
        ...(folder ? { folder } : {}),
      });
      for await (const event of readJsonEvents<IngestEvent>(response)) {
        if (event.type === 'progress') {
          const item = itemFor(batch, event.name, event.index - 1);
          if (item) patch(item.key, { ingestStage: event.stage, ingestMessage: event.message });
        } else if (event.type === 'result') {
          event.results.forEach((result, index) => {
            const item = itemFor(batch, result.name, index);
            if (item) patch(item.key, { result, ingesting: false });
          });
        } else if (event.type === 'error') {
          setIngestError(event.message);
        }
      }
    } catch (error) {
      setIngestError(errorMessage(error));
    } finally {
      for (const item of batch) patch(item.key, { ingesting: false });
      setIngesting(false);
    }
  };

  const ready = items.filter((item) => item.state === 'uploaded' && !item.result && !item.ingesting);
  const uploadsRunning = items.some((item) => item.state === 'waiting' || item.state === 'uploading');

  return (
    <div class="page upload-page">
      <label
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          addFiles(event.dataTransfer?.files ?? null);
        }}
      >
        <span class="dropzone-icon">
          <UploadIcon size={20} />
        </span>
        <span>
          {t('upload.drop')} <span class="link-like">{t('upload.browse')}</span>
        </span>
        <span class="muted small">{t('upload.hint')}</span>
        <input
          ref={inputRef}
          type="file"
          multiple
          data-testid="file-input"
          class="visually-hidden"
          onChange={(event) => {
            addFiles(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
      </label>

      {items.length > 0 && (
        <section class="card">
          <ul class="upload-list" data-testid="upload-list">
            {items.map((item) => (
              <UploadRow
                key={item.key}
                item={item}
                onAddAnyway={() => runIngest([item], true)}
                onSkip={() =>
                  patch(item.key, {
                    result: { name: item.file.name, status: 'skipped', reason: item.result?.reason },
                  })
                }
              />
            ))}
          </ul>
          {ingestError && (
            <p class="error-text pad" role="alert">
              {t('ingest.error', { message: ingestError })}
            </p>
          )}
          <div class="card-actions">
            <label class="folder-choice">
              <span class="muted small">{t('upload.folder')}</span>
              <select
                data-testid="ingest-folder"
                value={folder}
                disabled={ingesting}
                onChange={(event) => setFolder(event.currentTarget.value)}
              >
                <option value="">{t('upload.folder.auto')}</option>
                {folders.map((path) => (
                  <option key={path} value={path}>
                    {path}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              class="button ghost"
              disabled={uploadsRunning || ingesting}
              onClick={() => setItems([])}
            >
              {t('upload.clear')}
            </button>
            <button
              type="button"
              class="button primary"
              data-testid="ingest"
              disabled={ready.length === 0 || uploadsRunning || ingesting}
              onClick={() => runIngest(ready, false)}
            >
              {t('upload.ingest')}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}

function stageLabel(stage: string | undefined, t: Translate): string {
  if (!stage) return '';
  const key = `stage.${stage}` as MessageKey;
  const label = t(key);
  return label === key ? stage : label;
}

function UploadRow({ item, onAddAnyway, onSkip }: { item: UploadItem; onAddAnyway: () => void; onSkip: () => void }) {
  const { t } = useI18n();
  const percent = Math.round(item.progress * 100);
  const stateLabel = {
    waiting: t('upload.waiting'),
    uploading: `${t('upload.uploading')} ${percent}%`,
    uploaded: t('upload.uploaded'),
    failed: t('upload.failed'),
  }[item.state];
  const result = item.result;
  return (
    <li
      class="upload-row"
      data-testid="upload-row"
      data-name={item.file.name}
      data-status={result?.status ?? item.state}
    >
      <div class="upload-head">
        <FileIcon class="file-icon" />
        <span class="upload-name">{item.file.name}</span>
        <span class="muted small">{formatBytes(item.file.size)}</span>
        {result ? (
          <span class={`badge badge-${result.status}`}>{t(`ingest.status.${result.status}`)}</span>
        ) : item.ingesting ? (
          <span class="badge badge-working">
            <span class="spinner" aria-hidden="true" /> {stageLabel(item.ingestStage, t)}
          </span>
        ) : (
          <span class={`badge badge-${item.state}`}>{stateLabel}</span>
        )}
      </div>
      {!result && !item.ingesting && item.state !== 'failed' && (
        <div
          class="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-label={item.file.name}
        >
          <div
            class={item.state === 'uploaded' ? 'progress-bar done' : 'progress-bar'}
            style={{ width: `${percent}%` }}
          />
        </div>
      )}
      {item.ingesting && item.ingestMessage && <p class="muted small row-detail">{item.ingestMessage}</p>}
      {item.state === 'failed' && <p class="error-text small row-detail">{item.error}</p>}
      {result?.status === 'added' && result.path && (
        <p class="muted small row-detail">{t('ingest.addedAt', { path: result.path })}</p>
      )}
      {result?.status === 'added' && result.placement && (
        <p class="muted small placement-reason" data-testid="placement-reason">
          {result.placement.reason}
        </p>
      )}
      {(result?.status === 'failed' || result?.status === 'skipped') && result.reason && (
        <p class="muted small row-detail">{result.reason}</p>
      )}
      {result?.status === 'conflict' && <ConflictView result={result} onAddAnyway={onAddAnyway} onSkip={onSkip} />}
    </li>
  );
}
