/** Closing a worker, bounded: a close() that hangs or throws must not hold the pool forever. */
import type { PoolWorker } from './worker.ts';

export type CloseResult = 'closed' | 'failed' | 'timed_out';

export function closeWorker(
  worker: PoolWorker<unknown, unknown>,
  timeoutMs: number,
  onDone: (result: CloseResult, error?: unknown) => void,
): void {
  let settled = false;
  const finish = (result: CloseResult, error?: unknown): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    onDone(result, error);
  };
  const timer = setTimeout(() => finish('timed_out'), timeoutMs);
  let closed: Promise<void>;
  try {
    closed = worker.close();
  } catch (error) {
    closed = Promise.reject(error);
  }
  closed.then(
    () => finish('closed'),
    (error: unknown) => finish('failed', error),
  );
}
