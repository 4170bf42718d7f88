// Shows sanitised Markdown. The fragment from renderMarkdown is inserted as
// DOM nodes (never re-parsed from a string). Citation clicks are caught by one
// listener on the container; citations are real links, so the keyboard
// (Enter on a focused link) reaches the same listener.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { type Citation, citationFromEvent, renderMarkdown } from './markdown.ts';

export interface MarkdownViewProps {
  source: string;
  onCitation?: (citation: Citation) => void;
  class?: string;
}

export function MarkdownView({ source, onCitation, class: className }: MarkdownViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const onCitationRef = useRef(onCitation);
  onCitationRef.current = onCitation;

  useLayoutEffect(() => {
    ref.current?.replaceChildren(renderMarkdown(source));
  }, [source]);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onClick = (event: MouseEvent) => {
      const citation = citationFromEvent(event);
      if (!citation) return;
      event.preventDefault();
      onCitationRef.current?.(citation);
    };
    element.addEventListener('click', onClick);
    return () => element.removeEventListener('click', onClick);
  }, []);

  return <div ref={ref} class={`markdown ${className ?? ''}`} />;
}
