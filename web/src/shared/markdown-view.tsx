// Shows sanitised Markdown. The fragment from renderMarkdown is inserted as
// DOM nodes (never re-parsed from a string). Citation clicks are caught by one
// listener on the container; citations are real links, so the keyboard
// (Enter on a focused link) reaches the same listener.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { type Citation, citationFromEvent, renderMarkdown } from './markdown.ts';

export interface MarkdownViewProps {
  source: string;
  onCitation?: (citation: Citation) => void;
  /** True while the text is still arriving: renders at most once per frame. */
  streaming?: boolean;
  class?: string;
}

export function MarkdownView({ source, onCitation, streaming = false, class: className }: MarkdownViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const onCitationRef = useRef(onCitation);
  onCitationRef.current = onCitation;

  // While an answer streams, the source changes with every chunk; rendering
  // once per frame keeps a long answer from being parsed hundreds of times.
  const frame = useRef(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    cancelAnimationFrame(frame.current);
    if (!streaming || element.childNodes.length === 0) {
      element.replaceChildren(renderMarkdown(source));
      return;
    }
    frame.current = requestAnimationFrame(() => element.replaceChildren(renderMarkdown(source)));
  }, [source, streaming]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

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
