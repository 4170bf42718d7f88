/**
 * Conversions run in a worker thread, one at a time, each bounded in memory
 * (the thread's V8 heap, `resourceLimits`) and in time (the thread is
 * terminated past the timeout). A document that breaks a limit costs that
 * thread, not the server: the error names the limit, and the next
 * conversion gets a fresh thread. The server's event loop keeps answering
 * meanwhile.
 *
 * Hand-written rather than a worker-pool library because it is one thread
 * with a FIFO queue and a restart; a pool of several would contend for the
 * same two cores the server needs.
 */
import { Worker } from 'node:worker_threads';
import { KbError } from '../types.ts';
import type { ConvertReply, ConvertRequest } from './convert-worker.ts';
import type { ConvertLimits } from './limits.ts';
import type { Converted } from './types.ts';

export interface IsolationLimits {
  /** CONVERT_TIMEOUT_MS */
  readonly timeoutMs: number;
  /** CONVERT_MAX_MEMORY_MB: the conversion thread's heap. */
  readonly maxMemoryMb: number;
  /** Most conversions waiting for the thread. */
  readonly maxQueue: number;
}

export const DEFAULT_ISOLATION: IsolationLimits = { timeoutMs: 120_000, maxMemoryMb: 768, maxQueue: 100 };

interface Job {
  readonly request: ConvertRequest;
  resolve(converted: Converted): void;
  reject(error: Error): void;
}

/** Plain JavaScript entry that registers tsx inside the thread (see its comment). */
const WORKER_URL = new URL('./convert-thread.mjs', import.meta.url);

export class IsolatedConverter {
  readonly #limits: IsolationLimits;
  readonly #queue: Job[] = [];
  #worker: Worker | undefined;
  #current: { job: Job; timer: NodeJS.Timeout } | undefined;
  #seq = 0;
  #closed = false;

  constructor(limits: Partial<IsolationLimits> = {}) {
    this.#limits = { ...DEFAULT_ISOLATION, ...limits };
  }

  async convert(sourcePath: string, name: string, stem: string, limits: ConvertLimits): Promise<Converted> {
    if (this.#closed) throw new KbError('KB_CONVERT_FAILED', 'The converter is shut down');
    if (this.#queue.length >= this.#limits.maxQueue) {
      throw new KbError('KB_TOO_LARGE', `${name}: ${this.#limits.maxQueue} conversions are already waiting`);
    }
    return new Promise<Converted>((resolve, reject) => {
      this.#queue.push({ request: { id: ++this.#seq, sourcePath, name, stem, limits }, resolve, reject });
      this.#next();
    });
  }

  /**
   * Starts the thread ahead of the first upload, so the first document (a PDF
   * above all: its library takes seconds to load) does not wait for it. The
   * idle thread does not keep the process alive.
   */
  warm(): void {
    if (this.#closed || this.#worker) return;
    this.#ensureWorker().unref();
  }

  /** Stops the thread; waiting conversions fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new KbError('KB_CONVERT_FAILED', 'The converter is shut down'));
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #next(): void {
    if (this.#current || this.#queue.length === 0) return;
    const job = this.#queue.shift()!;
    const worker = this.#ensureWorker();
    const timer = setTimeout(() => {
      this.#fail(
        new KbError(
          'KB_TOO_LARGE',
          `${job.request.name}: converting it took longer than ${this.#limits.timeoutMs} ms (CONVERT_TIMEOUT_MS)`,
        ),
      );
    }, this.#limits.timeoutMs);
    this.#current = { job, timer };
    // A conversion in flight keeps the process alive; an idle thread does not.
    worker.ref();
    worker.postMessage(job.request);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL, {
      // Nothing inherited: the entry sets up TypeScript itself, and the limits below bound memory.
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: this.#limits.maxMemoryMb,
        maxYoungGenerationSizeMb: Math.max(16, Math.round(this.#limits.maxMemoryMb / 16)),
      },
    });
    worker.on('message', (reply: ConvertReply) => this.#onReply(reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const name = this.#current?.job.request.name ?? 'the document';
      this.#fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new KbError(
              'KB_TOO_LARGE',
              `${name}: converting it needs more than ${this.#limits.maxMemoryMb} MB (CONVERT_MAX_MEMORY_MB)`,
            )
          : new KbError('KB_CONVERT_FAILED', `Could not convert ${name}: the converter stopped (${error.message})`),
      );
    });
    worker.on('exit', () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      const name = this.#current?.job.request.name;
      if (name !== undefined)
        this.#fail(new KbError('KB_CONVERT_FAILED', `Could not convert ${name}: the converter stopped`));
    });
    this.#worker = worker;
    return worker;
  }

  #onReply(reply: ConvertReply): void {
    const current = this.#current;
    if (!current || current.job.request.id !== reply.id) return;
    clearTimeout(current.timer);
    this.#current = undefined;
    if (reply.ok) {
      const { id: _id, ok: _ok, ...converted } = reply;
      current.job.resolve(converted);
    } else {
      current.job.reject(new KbError(reply.code, reply.message));
    }
    if (this.#queue.length === 0) this.#worker?.unref();
    this.#next();
  }

  /** The conversion in flight failed: its thread is discarded (it may be stuck or out of memory). */
  #fail(error: KbError): void {
    const current = this.#current;
    if (!current) return;
    clearTimeout(current.timer);
    this.#current = undefined;
    current.job.reject(error);
    const worker = this.#worker;
    this.#worker = undefined;
    void worker?.terminate();
    this.#next();
  }
}
