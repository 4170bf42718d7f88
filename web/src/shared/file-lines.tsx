import { useEffect, useRef } from 'preact/hooks';

// A file's text with line numbers, shown as plain text (never as HTML), so a
// document holding markup or scripts is displayed, not run.
export interface FileLinesProps {
  content: string;
  firstLine: number;
  highlight?: { start: number; end: number };
}

export function FileLines({ content, firstLine, highlight }: FileLinesProps) {
  const ref = useRef<HTMLDivElement>(null);
  const lines = content.replace(/\n$/, '').split('\n');
  useEffect(() => {
    ref.current?.querySelector('.line.marked')?.scrollIntoView({ block: 'center' });
  }, [content, highlight?.start]);
  return (
    <div class="file-lines" ref={ref}>
      {lines.map((line, index) => {
        const number = firstLine + index;
        const marked = highlight && number >= highlight.start && number <= highlight.end;
        return (
          <div key={number} class={marked ? 'line marked' : 'line'}>
            <span class="line-number">{number}</span>
            <span class="line-text">{line === '' ? '\u00a0' : line}</span>
          </div>
        );
      })}
    </div>
  );
}
