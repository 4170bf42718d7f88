// The cited lines of a knowledge-base file, shown beside the answer.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type ApiClient, query } from './api.ts';
import { FileLines } from './file-lines.tsx';
import { useI18n } from './i18n.ts';
import { CloseIcon } from './icons.tsx';
import { type Citation, renderMarkdownLine } from './markdown.ts';

export interface KbFile {
  path: string;
  content: string;
  start_line: number;
  end_line: number;
  total_lines: number;
}

const CONTEXT_LINES = 4;

/** What was loaded, and for which citation (so a new citation never shows the previous one's lines). */
type Load =
  | { kind: 'loading' }
  | { kind: 'ready'; key: string; file: KbFile }
  | { kind: 'failed'; key: string; message: string };

export function SourcePane({ api, citation, onClose }: { api: ApiClient; citation: Citation; onClose: () => void }) {
  const { t } = useI18n();
  const key = `${citation.path}:${citation.startLine}-${citation.endLine}`;
  const [loaded, setLoad] = useState<Load>({ kind: 'loading' });
  const load: Load = loaded.kind !== 'loading' && loaded.key !== key ? { kind: 'loading' } : loaded;
  const closeRef = useRef<HTMLButtonElement>(null);

  // Keyboard focus moves into the pane when it opens, and back to what opened
  // it (the latest citation) when the reader closes it, so a keyboard user is
  // never stranded. Focus goes back before the pane is removed, so it never
  // falls to the page in between. The opener is taken while rendering, before
  // anything else can move focus; if the answer was re-rendered meanwhile (its
  // links are rebuilt), the same citation is found again by what it cites.
  const opened = useRef<{ key: string; opener: HTMLElement | null; citation: Citation } | null>(null);
  if (opened.current?.key !== key) {
    const active = document.activeElement;
    opened.current = {
      key,
      opener: active instanceof HTMLElement && active !== document.body ? active : null,
      citation,
    };
  }
  // A layout effect: focus moves in the same task the pane appears, never a frame later.
  useLayoutEffect(() => {
    closeRef.current?.focus();
  }, []);
  const close = () => {
    const last = opened.current;
    const target = last?.opener?.isConnected ? last.opener : last ? citationLink(last.citation) : null;
    target?.focus();
    onClose();
  };

  useEffect(() => {
    const controller = new AbortController();
    // A few lines around the citation give the reader context; the cited ones are marked.
    const range = query({
      path: citation.path,
      start_line: Math.max(1, citation.startLine - CONTEXT_LINES),
      end_line: citation.endLine + CONTEXT_LINES,
    });
    const path = `/api/kb/file${range}`;
    api
      .get<KbFile>(path, controller.signal)
      .then((file) => setLoad({ kind: 'ready', key, file }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) {
          setLoad({ kind: 'failed', key, message: error instanceof Error ? error.message : String(error) });
        }
      });
    return () => controller.abort();
  }, [api, key, citation.path, citation.startLine, citation.endLine]);

  return (
    <aside
      class="source-pane"
      data-testid="source-pane"
      aria-label={t('source.title')}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <header class="pane-header">
        <div class="pane-title">
          <span class="eyebrow">{t('source.title')}</span>
          <strong class="source-path" title={citation.path}>
            {citation.path}
          </strong>
        </div>
        <button
          type="button"
          class="icon-button close"
          aria-label={t('source.close')}
          data-testid="source-close"
          ref={closeRef}
          onClick={close}
        >
          <CloseIcon />
        </button>
      </header>
      {load.kind === 'loading' && <p class="muted pad">{t('source.loading')}</p>}
      {load.kind === 'failed' && (
        <p class="error-text pad">{t('source.error', { path: citation.path, message: load.message })}</p>
      )}
      {load.kind === 'ready' && (
        <>
          <p class="muted pad small">
            {t('source.lines', {
              start: citation.startLine,
              end: Math.min(citation.endLine, load.file.total_lines),
              total: load.file.total_lines,
            })}
          </p>
          <FileLines
            content={load.file.content}
            firstLine={load.file.start_line}
            highlight={{ start: citation.startLine, end: citation.endLine }}
            renderLine={/\.(md|markdown)$/i.test(citation.path) ? renderMarkdownLine : undefined}
          />
        </>
      )}
    </aside>
  );
}

/** The first link in the page that cites exactly these lines. */
function citationLink(citation: Citation): HTMLElement | null {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a.citation')) {
    if (
      link.dataset.path === citation.path &&
      link.dataset.start === String(citation.startLine) &&
      link.dataset.end === String(citation.endLine)
    ) {
      return link;
    }
  }
  return null;
}
