/**
 * The worker-thread side of isolated.ts: converts one file at a time with the
 * converters of index.ts, off the server's event loop, and preloads the PDF
 * library at start (its polyfills replace this thread's JSON.parse, not the
 * server's; convert-thread.mjs loads it before this file).
 */
import { parentPort } from 'node:worker_threads';
import { KbError } from '../types.ts';
import { convertToMarkdown } from './index.ts';
import { type ConvertLimits, convertFailed } from './limits.ts';
import type { Converted } from './types.ts';

export interface ConvertRequest {
  readonly id: number;
  readonly sourcePath: string;
  readonly name: string;
  readonly stem: string;
  readonly limits: ConvertLimits;
}

export type ConvertReply =
  | ({ readonly id: number; readonly ok: true } & Converted)
  | ({ readonly id: number; readonly ok: false } & Pick<KbError, 'code' | 'message'>);

parentPort?.on('message', async (request: ConvertRequest) => {
  let reply: ConvertReply;
  try {
    const converted = await convertToMarkdown(request.sourcePath, request.name, request.stem, request.limits);
    reply = { id: request.id, ok: true, ...converted };
  } catch (error) {
    const failure =
      error instanceof KbError
        ? error
        : convertFailed(request.name, error instanceof Error ? error.message : String(error));
    reply = { id: request.id, ok: false, code: failure.code, message: failure.message };
  }
  parentPort?.postMessage(reply);
});
