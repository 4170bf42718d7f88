import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

// A file's text with line numbers. Shown as plain text by default; with
// `renderLine` (Markdown files) each line is rendered through the sanitiser
// of markdown.ts, never inserted as raw HTML, so a document holding markup or
// scripts is displayed, not run.
export interface FileLinesProps {
  content: string;
  firstLine: number;
  highlight?: { start: number; end: number };
  renderLine?: (line: string) => DocumentFragment;
}

function RenderedLine({ line, render }: { line: string; render: (line: string) => DocumentFragment }) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(render(line));
  }, [line, render]);
  return <span class="line-text md" ref={ref} />;
}

export function FileLines({ content, firstLine, highlight, renderLine }: FileLinesProps) {
  const ref = useRef<HTMLDivElement>(null);
  const lines = content.replace(/\n$/, '').split('\n');
  useEffect(() => {
    ref.current?.querySelector('.line.marked')?.scrollIntoView({ block: 'center' });
  }, [content, highlight?.start]);
  let inFence = false;
  return (
    <div class="file-lines" ref={ref}>
      {lines.map((line, index) => {
        const number = firstLine + index;
        const marked = highlight && number >= highlight.start && number <= highlight.end;
        const fence = /^\s*(```|~~~)/.test(line);
        const rendered = renderLine && !inFence && !fence && !/^\s*\|/.test(line) && line !== '';
        if (fence) inFence = !inFence;
        return (
          <div key={number} class={marked ? 'line marked' : 'line'}>
            <span class="line-number">{number}</span>
            {rendered ? (
              <RenderedLine line={line} render={renderLine} />
            ) : (
              <span class="line-text">{line === '' ? '\u00a0' : line}</span>
            )}
          </div>
        );
      })}
    </div>
  );
}
