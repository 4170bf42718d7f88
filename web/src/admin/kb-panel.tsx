// Knowledge base: the file tree beside a file viewer, delete with a
// confirmation step, and the FAQ and bad-case lists.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type ApiClient, query } from '../shared/api.ts';
import { FileLines } from '../shared/file-lines.tsx';
import { errorMessage, formatBytes } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import { CloseIcon } from '../shared/icons.tsx';
import { type Citation, renderMarkdownLine } from '../shared/markdown.ts';
import type { KbFile } from '../shared/source-pane.tsx';
import { DeleteDialog } from './delete-dialog.tsx';
import { BadCaseList, FaqList } from './kb-lists.tsx';
import { type KbNode, KbTree } from './kb-tree.tsx';
import { MoveDialog } from './move-dialog.tsx';

type View = 'files' | 'faq' | 'badcases';

/** What GET /api/kb/stats returns (src/kb/types.ts KbStats), the part shown here. */
interface KbStats {
  files: number;
  folders: number;
  bytes: number;
  faqEntries: number;
  badCases: number;
}
type Opened =
  | { kind: 'loading'; path: string }
  | { kind: 'ready'; file: KbFile; highlight?: { start: number; end: number } }
  | { kind: 'failed'; path: string; message: string };

export function KbPanel({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const [view, setView] = useState<View>('files');
  const [tree, setTree] = useState<KbNode | null>(null);
  const [treeError, setTreeError] = useState<string | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [deleting, setDeleting] = useState<KbNode | null>(null);
  const [moving, setMoving] = useState<KbNode | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const [stats, setStats] = useState<KbStats | null>(null);

  const refresh = useCallback(() => {
    setTreeError(null);
    api
      .get<KbNode>('/api/kb/tree')
      .then(setTree)
      .catch((error: unknown) => setTreeError(errorMessage(error)));
    api
      .get<KbStats>('/api/kb/stats')
      .then(setStats)
      .catch(() => setStats(null));
  }, [api]);

  useEffect(refresh, [refresh]);

  const openPath = (path: string, highlight?: { start: number; end: number }) => {
    setOpened({ kind: 'loading', path });
    api
      .get<KbFile>(`/api/kb/file${query({ path })}`)
      .then((file) => setOpened({ kind: 'ready', file, highlight }))
      .catch((error: unknown) => setOpened({ kind: 'failed', path, message: errorMessage(error) }));
  };
  const open = (node: KbNode) => openPath(node.path);
  // A citation in the FAQ opens the cited lines in the file viewer.
  const openCitation = (citation: Citation) => {
    setView('files');
    openPath(citation.path, { start: citation.startLine, end: citation.endLine });
  };

  const openedPath = opened ? (opened.kind === 'ready' ? opened.file.path : opened.path) : null;

  return (
    <div class="page kb-page">
      <div class="subtabs">
        <div class="subtab-list" role="tablist">
          {(['files', 'faq', 'badcases'] as const).map((name) => (
            <button
              type="button"
              role="tab"
              key={name}
              data-testid={`kb-view-${name}`}
              aria-selected={view === name}
              class={view === name ? 'subtab active' : 'subtab'}
              onClick={() => {
                setView(name);
                setNotice(null);
              }}
            >
              {t(`kb.${name}`)}
            </button>
          ))}
        </div>
        <span class="spacer" />
        {stats && (
          <span class="muted small kb-stats" data-testid="kb-stats">
            {t('kb.stats', {
              files: stats.files,
              folders: stats.folders,
              size: formatBytes(stats.bytes),
              faq: stats.faqEntries,
              bad: stats.badCases,
            })}
          </span>
        )}
        {view === 'files' && (
          <button type="button" class="button secondary small" data-testid="kb-refresh" onClick={refresh}>
            {t('kb.refresh')}
          </button>
        )}
      </div>
      {notice && (
        <div class="notice notice-ok" role="status" data-testid="kb-notice">
          <span>{notice}</span>
          <button
            type="button"
            class="icon-button close"
            aria-label={t('source.close')}
            onClick={() => setNotice(null)}
          >
            <CloseIcon />
          </button>
        </div>
      )}
      {view === 'files' && (
        <div class="kb-files">
          <section class="card tree-card">
            <h2 class="section-title">{t('kb.tree')}</h2>
            {treeError && <p class="error-text pad">{treeError}</p>}
            {!tree && !treeError && <p class="muted pad">{t('common.loading')}</p>}
            {tree && (
              <KbTree root={tree} selected={openedPath} onOpen={open} onDelete={setDeleting} onMove={setMoving} />
            )}
          </section>
          <section class="card viewer-card" data-testid="file-viewer">
            {!opened && <p class="muted pad">{t('kb.select')}</p>}
            {opened?.kind === 'loading' && <p class="muted pad">{t('common.loading')}</p>}
            {opened?.kind === 'failed' && (
              <p class="error-text pad">{t('source.error', { path: opened.path, message: opened.message })}</p>
            )}
            {opened?.kind === 'ready' && (
              <>
                <header class="pane-header">
                  <div class="pane-title">
                    <span class="eyebrow">{t('source.title')}</span>
                    <strong class="source-path">{opened.file.path}</strong>
                  </div>
                  <span class="muted small">{t('kb.lines', { n: opened.file.total_lines })}</span>
                </header>
                <FileLines
                  content={opened.file.content}
                  firstLine={opened.file.start_line || 1}
                  highlight={opened.highlight}
                  renderLine={/\.(md|markdown)$/i.test(opened.file.path) ? renderMarkdownLine : undefined}
                />
              </>
            )}
          </section>
        </div>
      )}
      {view === 'faq' && (
        <section class="card table-card">
          <FaqList api={api} onCitation={openCitation} />
        </section>
      )}
      {view === 'badcases' && (
        <section class="card table-card">
          <BadCaseList api={api} />
        </section>
      )}
      {moving && (
        <MoveDialog
          api={api}
          node={moving}
          onClose={() => setMoving(null)}
          onMoved={(to) => {
            setMoving(null);
            setNotice(t('kb.move.done', { to }));
            if (openedPath === moving.path) setOpened(null);
            refresh();
          }}
        />
      )}
      {deleting && (
        <DeleteDialog
          api={api}
          node={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(count) => {
            setDeleting(null);
            setNotice(t('kb.delete.done', { n: count }));
            if (openedPath && (openedPath === deleting.path || openedPath.startsWith(`${deleting.path}/`))) {
              setOpened(null);
            }
            refresh();
          }}
        />
      )}
    </div>
  );
}
