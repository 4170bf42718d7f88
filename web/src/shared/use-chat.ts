// The state of one conversation: its messages, the turn in flight, and the
// notices around it (busy with automatic retry, not resumed, errors).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ApiClient, ApiError, query } from './api.ts';
import type { TurnEvent } from './events.ts';
import { readJsonEvents } from './sse.ts';

export interface ToolActivity {
  id: string;
  tool: string;
  input: Record<string, unknown>;
}

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  status: 'streaming' | 'done' | 'error' | 'stopped';
  tools: ToolActivity[];
  /** Text events received so far (shown as data-chunks, so tests can see the answer was streamed). */
  chunks: number;
  error?: string;
  /** The stream ended without a done or error event (connection lost). */
  cutShort?: boolean;
  durationMs?: number;
  /** For an answer: the question it answers. */
  question?: string;
}

export interface ResumeNotice {
  reason: string | null;
}

export interface BusyState {
  /** When the next automatic retry happens (epoch ms). */
  retryAt: number;
}

export interface ChatController {
  messages: ChatMessage[];
  sessionId: string | null;
  running: boolean;
  busy: BusyState | null;
  resumeNotice: ResumeNotice | null;
  send: (text: string) => void;
  stop: () => void;
  reset: () => void;
  load: (sessionId: string, messages: Array<{ role: 'user' | 'assistant'; content: string }>) => void;
  dismissResumeNotice: () => void;
}

export interface ChatOptions {
  api: ApiClient;
  /** The streaming route: `/api/user/query` or `/api/query/stream`. */
  streamPath: string;
  /** Called after each finished turn (to refresh a conversation list). */
  onTurnEnd?: (sessionId: string | null) => void;
}

/** Bounded so a server that stays busy does not keep a tab retrying for ever. */
const MAX_BUSY_RETRIES = 20;
const DEFAULT_RETRY_SEC = 5;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

let nextMessageId = 1;

export function useChat({ api, streamPath, onTurnEnd }: ChatOptions): ChatController {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [busy, setBusy] = useState<BusyState | null>(null);
  const [resumeNotice, setResumeNotice] = useState<ResumeNotice | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const sessionRef = useRef<string | null>(null);
  const onTurnEndRef = useRef(onTurnEnd);
  onTurnEndRef.current = onTurnEnd;

  const updateAnswer = useCallback((id: number, change: (message: ChatMessage) => ChatMessage) => {
    setMessages((list) => list.map((message) => (message.id === id ? change(message) : message)));
  }, []);

  // Text arrives as many small deltas: they are appended once per animation
  // frame, not re-rendered (Markdown and all) for every one of them.
  const pendingText = useRef<{ answerId: number; text: string; chunks: number; frame: number } | null>(null);
  const flushText = useCallback(() => {
    const pending = pendingText.current;
    if (!pending) return;
    pendingText.current = null;
    cancelAnimationFrame(pending.frame);
    updateAnswer(pending.answerId, (m) => ({
      ...m,
      content: m.content + pending.text,
      chunks: m.chunks + pending.chunks,
    }));
  }, [updateAnswer]);
  const queueText = useCallback(
    (answerId: number, text: string) => {
      if (pendingText.current && pendingText.current.answerId !== answerId) flushText();
      const pending = pendingText.current;
      if (pending) {
        pending.text += text;
        pending.chunks += 1;
      } else {
        pendingText.current = { answerId, text, chunks: 1, frame: requestAnimationFrame(flushText) };
      }
    },
    [flushText],
  );

  useEffect(
    () => () => {
      abortRef.current?.abort();
      if (pendingText.current) cancelAnimationFrame(pendingText.current.frame);
    },
    [],
  );

  const applyEvent = useCallback(
    (answerId: number, event: TurnEvent) => {
      if (event.type === 'message') {
        queueText(answerId, event.content);
        return;
      }
      // Whatever follows text (a tool, the end) shows after it.
      flushText();
      switch (event.type) {
        case 'session':
          sessionRef.current = event.session_id;
          setSessionId(event.session_id);
          if (event.resumed === false) setResumeNotice({ reason: event.reason ?? null });
          break;
        case 'tool_use':
          updateAnswer(answerId, (m) => ({
            ...m,
            tools: [...m.tools, { id: event.id, tool: event.tool, input: event.input ?? {} }],
          }));
          break;
        case 'done':
          updateAnswer(answerId, (m) => ({ ...m, status: 'done', durationMs: event.duration_ms }));
          break;
        case 'error':
          updateAnswer(answerId, (m) => ({ ...m, status: 'error', error: event.message || 'error' }));
          break;
      }
    },
    [updateAnswer, queueText, flushText],
  );

  const runTurn = useCallback(
    async (text: string, answerId: number, controller: AbortController) => {
      const { signal } = controller;
      for (let attempt = 0; ; attempt++) {
        try {
          const path = streamPath + query({ message: text, session_id: sessionRef.current });
          const response = await api.openStream('GET', path, undefined, signal);
          setBusy(null);
          let ended = false;
          for await (const event of readJsonEvents<TurnEvent>(response)) {
            applyEvent(answerId, event);
            if (event.type === 'done' || event.type === 'error') ended = true;
          }
          flushText();
          if (!ended) {
            updateAnswer(answerId, (m) => ({ ...m, status: 'error', cutShort: true }));
          }
          return;
        } catch (error) {
          if (signal.aborted) throw error;
          if (error instanceof ApiError && error.code === 'SESSION_NOT_FOUND' && sessionRef.current !== null) {
            // The conversation is gone (expired or deleted): carry on in a new one, and say so.
            setResumeNotice({ reason: error.message });
            sessionRef.current = null;
            setSessionId(null);
            continue;
          }
          if (error instanceof ApiError && error.status === 503 && attempt < MAX_BUSY_RETRIES) {
            const waitSec = Math.max(1, error.retryAfterSec ?? DEFAULT_RETRY_SEC);
            setBusy({ retryAt: Date.now() + waitSec * 1000 });
            await sleep(waitSec * 1000, signal);
            continue;
          }
          throw error;
        }
      }
    },
    [api, streamPath, applyEvent, updateAnswer, flushText],
  );

  const send = useCallback(
    (raw: string) => {
      const text = raw.trim();
      if (text === '' || abortRef.current) return;
      const controller = new AbortController();
      abortRef.current = controller;
      const answerId = nextMessageId + 1;
      nextMessageId += 2;
      setMessages((list) => [
        ...list,
        { id: answerId - 1, role: 'user', content: text, status: 'done', tools: [], chunks: 0 },
        { id: answerId, role: 'assistant', content: '', status: 'streaming', tools: [], chunks: 0, question: text },
      ]);
      setRunning(true);
      runTurn(text, answerId, controller)
        .catch((error: unknown) => {
          flushText();
          if (controller.signal.aborted) {
            updateAnswer(answerId, (m) => ({ ...m, status: m.status === 'streaming' ? 'stopped' : m.status }));
            return;
          }
          const message = error instanceof Error ? error.message : String(error);
          updateAnswer(answerId, (m) => ({ ...m, status: 'error', error: message }));
        })
        .finally(() => {
          if (abortRef.current === controller) abortRef.current = null;
          setBusy(null);
          setRunning(false);
          onTurnEndRef.current?.(sessionRef.current);
        });
    },
    [runTurn, updateAnswer, flushText],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const reset = useCallback(() => {
    abortRef.current?.abort();
    abortRef.current = null;
    sessionRef.current = null;
    setSessionId(null);
    setMessages([]);
    setResumeNotice(null);
    setBusy(null);
  }, []);

  const load = useCallback<ChatController['load']>((loadedSessionId, history) => {
    abortRef.current?.abort();
    abortRef.current = null;
    sessionRef.current = loadedSessionId;
    setSessionId(loadedSessionId);
    setResumeNotice(null);
    setBusy(null);
    let lastQuestion = '';
    setMessages(
      history.map((entry) => {
        const id = nextMessageId++;
        if (entry.role === 'user') lastQuestion = entry.content;
        return {
          id,
          role: entry.role,
          content: entry.content,
          status: 'done' as const,
          tools: [],
          chunks: 0,
          question: entry.role === 'assistant' ? lastQuestion : undefined,
        };
      }),
    );
  }, []);

  const dismissResumeNotice = useCallback(() => setResumeNotice(null), []);

  return { messages, sessionId, running, busy, resumeNotice, send, stop, reset, load, dismissResumeNotice };
}
